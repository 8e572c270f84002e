package io.pulse.common.jobs;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * New job ids: time-ordered UUIDs (version 7, RFC 9562), 48 bits of Unix milliseconds followed by
 * 74 random bits. The ledger's primary key is a B-tree: random (version 4) ids scatter every insert
 * and every status update over all its leaf pages, and after each checkpoint PostgreSQL writes a
 * full 8 KB image of each page on its first change, so random ids cost a page image per job.
 * Ordered ids keep new rows, and the workers' updates of them, on the few rightmost pages.
 *
 * <p>The random bits come from {@link ThreadLocalRandom}: an id must be unique, not secret (every
 * read of a job needs an API key), and the secure generator behind {@link UUID#randomUUID()} is
 * costly on the request path (see README, Benchmarks).
 */
public final class JobIds {
  private JobIds() {}

  public static UUID next() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long millis = System.currentTimeMillis();
    long high = (millis << 16) | 0x7000L | (random.nextInt() & 0x0FFFL);
    long low = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    return new UUID(high, low);
  }

  /**
   * The id of the follow-up job {@code key} of {@code parent}: the same on every run of the parent
   * (a redelivery asks for the same ids, and the ledger keeps one of each), and time-ordered like
   * {@link #next}, with the parent's time, so retention's id-bounded scans reach it and its row
   * lands beside its parent's in the primary key. A parent that is not time-ordered (a version 4 id
   * sent by hand) gives a plain name-based (version 3) id, as before.
   */
  public static UUID followUp(UUID parent, String key) {
    String name = parent + ":" + key;
    return parent.version() == 7
        ? at(parent.getMostSignificantBits() >>> 16, name)
        : UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * A time-ordered id made from {@code name} alone, with {@code instant}'s time: the same for the
   * same two, for jobs whose identity is a name (a user's digest of a period).
   */
  public static UUID named(Instant instant, String name) {
    return at(instant.toEpochMilli(), name);
  }

  /** {@code millis} in the time bits, the name's MD5 in the version 7 layout's other bits. */
  private static UUID at(long millis, String name) {
    UUID hash = UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8));
    long high = (millis << 16) | 0x7000L | (hash.getMostSignificantBits() & 0x0FFFL);
    long low = (hash.getLeastSignificantBits() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    return new UUID(high, low);
  }

  /**
   * The smallest id {@link #next} can make at {@code instant}: every job created before it has a
   * smaller id, so a primary-key range {@code id < floorAt(t)} bounds a scan to jobs created before
   * {@code t}.
   */
  public static UUID floorAt(Instant instant) {
    return new UUID((instant.toEpochMilli() << 16) | 0x7000L, 0x8000_0000_0000_0000L);
  }
}
