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

  @Test
  void aFollowUpIdIsTheSameEveryTimeAndCarriesItsParentsTime() {
    UUID parent = JobIds.next();
    UUID email = JobIds.followUp(parent, "42:email");
    assertEquals(email, JobIds.followUp(parent, "42:email"), "a redelivered parent asks again");
    assertTrue(!email.equals(JobIds.followUp(parent, "43:email")));
    assertTrue(!email.equals(JobIds.followUp(JobIds.next(), "42:email")));
    assertEquals(7, email.version());
    assertEquals(2, email.variant());
    long parentMillis = parent.getMostSignificantBits() >>> 16;
    assertEquals(parentMillis, email.getMostSignificantBits() >>> 16);
    // Retention's scan of jobs older than a cutoff (id < floorAt(cutoff)) reaches it.
    java.time.Instant justAfter = java.time.Instant.ofEpochMilli(parentMillis + 1);
    assertTrue(email.toString().compareTo(JobIds.floorAt(justAfter).toString()) < 0);
    assertTrue(
        email.toString().compareTo(JobIds.floorAt(justAfter.minusMillis(1)).toString()) >= 0);
  }

  @Test
  void aParentThatIsNotTimeOrderedGivesANameBasedIdAsBefore() {
    UUID parent = UUID.randomUUID();
    assertEquals(
        UUID.nameUUIDFromBytes((parent + ":k").getBytes(java.nio.charset.StandardCharsets.UTF_8)),
        JobIds.followUp(parent, "k"));
  }

  @Test
  void aNamedIdTakesTheGivenTime() {
    java.time.Instant start = java.time.Instant.parse("2026-12-07T08:00:00Z");
    UUID digest = JobIds.named(start, "digest:7:daily:" + start);
    assertEquals(digest, JobIds.named(start, "digest:7:daily:" + start));
    assertEquals(7, digest.version());
    assertEquals(start.toEpochMilli(), digest.getMostSignificantBits() >>> 16);
  }
}
