package io.pulse.common.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class JobIdsTest {
  @Test
  void idsAreVersion7CarryTheirMillisecondAndDoNotRepeat() {
    long before = System.currentTimeMillis();
    Set<UUID> seen = new HashSet<>();
    for (int i = 0; i < 100_000; i++) {
      UUID id = JobIds.next();
      assertEquals(7, id.version());
      assertEquals(2, id.variant());
      assertTrue(seen.add(id), "repeated " + id);
    }
    long after = System.currentTimeMillis();
    long stamped = JobIds.next().getMostSignificantBits() >>> 16;
    assertTrue(
        stamped >= before && stamped <= after + 1, stamped + " not in " + before + ".." + after);
  }

  @Test
  void idsOfLaterMillisecondsSortAfterEarlierOnesAsPostgresqlComparesThem() throws Exception {
    UUID earlier = JobIds.next();
    long start = System.currentTimeMillis();
    while (System.currentTimeMillis() <= start + 1) {
      Thread.onSpinWait();
    }
    UUID later = JobIds.next();
    // PostgreSQL orders uuids by their bytes, unsigned: the text form compares the same way.
    assertTrue(earlier.toString().compareTo(later.toString()) < 0, earlier + " vs " + later);
  }
}
