package io.pulse.bench;

import io.pulse.common.push.P256;
import io.pulse.common.push.WebPushEncryption;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

/**
 * Web Push throughput: one notification to users who each have two push subscriptions on a local
 * push service, from the API call until the last delivery is recorded sent; next to it the
 * encryption alone (RFC 8291, the workers' own class) on one thread of this process, as the part of
 * each delivery no HTTP or database work can take away.
 */
final class PushBench {
  record Result(
      int deliveries,
      long sent,
      Duration took,
      long received,
      long malformed,
      AppProcesses.Cpu cpu,
      double encryptionsPerSecond,
      int messageBytes,
      boolean complete) {
    double perSecond() {
      return sent / (took.toNanos() / 1e9);
    }
  }

  static final long FIRST_USER = 70_000_000L;
  static final int SUBSCRIPTIONS_PER_USER = 2;

  /** About the size of the JSON a delivery encrypts (PushMessage of the bench's notification). */
  private static final byte[] MESSAGE =
      ("{\"id\":\"0b7f3c1e-6f0a-3c43-9a55-2a7c8b1d9e10\",\"notificationId\":"
              + "\"5a1d6f0e-2b7c-4e7a-9c3d-1f2e3a4b5c6d\",\"type\":\"comment.reply\",\"title\":"
              + "\"Bench\",\"body\":\"hello\",\"link\":\"https://campus.example\",\"actorId\":null,"
              + "\"createdAt\":\"2026-12-07T09:00:00.123456Z\"}")
          .getBytes(StandardCharsets.UTF_8);

  private final BenchSettings settings;
  private final int users;
  private final Duration limit;

  PushBench(BenchSettings settings, int users, Duration limit) {
    this.settings = settings;
    this.users = users;
    this.limit = limit;
  }

  Result run() throws Exception {
    ECPublicKey browser = (ECPublicKey) P256.generate().getPublic();
    byte[] auth = new byte[16];
    new SecureRandom().nextBytes(auth);
    double encryptions = encryptionsPerSecond(browser, auth);
    int deliveries = users * SUBSCRIPTIONS_PER_USER;
    try (PushReceiver receiver = new PushReceiver(settings.vapidPublicKey());
        Connection db = DriverManager.getConnection(settings.jdbcUrl(), "pulse", "pulse");
        Statement sql = db.createStatement()) {
      prepare(db, receiver, P256.encode(browser), auth);
      AppProcesses.Cpu before = AppProcesses.cpu(settings);
      long started = System.nanoTime();
      String job = notifyEveryUser();
      String sentQuery =
          "select count(*) from deliveries where notification_job_id = '"
              + job
              + "' and status = 'sent'";
      BenchCalls.untilTapering(limit, () -> BenchCalls.count(sql, sentQuery) >= deliveries);
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      AppProcesses.Cpu cpu = AppProcesses.cpu(settings).minus(before);
      long sent = BenchCalls.count(sql, sentQuery);
      return new Result(
          deliveries,
          sent,
          took,
          receiver.received.get(),
          receiver.malformed.get(),
          cpu,
          encryptions,
          MESSAGE.length,
          sent >= deliveries && receiver.malformed.get() == 0);
    }
  }

  /** Encryptions per second on one thread, after a second of warm-up for the JIT. */
  static double encryptionsPerSecond(ECPublicKey browser, byte[] auth) {
    long warmUntil = System.nanoTime() + Duration.ofSeconds(1).toNanos();
    while (System.nanoTime() < warmUntil) {
      WebPushEncryption.encrypt(MESSAGE, browser, auth);
    }
    long started = System.nanoTime();
    long until = started + Duration.ofSeconds(3).toNanos();
    long count = 0;
    while (System.nanoTime() < until) {
      WebPushEncryption.encrypt(MESSAGE, browser, auth);
      count++;
    }
    return count / ((System.nanoTime() - started) / 1e9);
  }

  private void prepare(Connection db, PushReceiver receiver, byte[] p256dh, byte[] auth)
      throws Exception {
    long last = FIRST_USER + users - 1;
    try (Statement sql = db.createStatement()) {
      sql.executeUpdate(
          "insert into users (id, handle) select g, 'p' || g from generate_series("
              + FIRST_USER
              + ", "
              + last
              + ") g on conflict do nothing");
      sql.executeUpdate(
          "insert into notification_preferences (user_id, type, channels) select g,"
              + " 'comment.reply', '{push}' from generate_series("
              + FIRST_USER
              + ", "
              + last
              + ") g on conflict (user_id, type) do update set channels = excluded.channels");
      sql.executeUpdate(
          "delete from push_subscriptions where user_id between " + FIRST_USER + " and " + last);
    }
    try (PreparedStatement insert =
        db.prepareStatement(
            "insert into push_subscriptions (user_id, endpoint, p256dh, auth)"
                + " select g, ? || '/push/' || g || '-' || s, ?, ?"
                + " from generate_series(?::bigint, ?::bigint) g, generate_series(1, ?) s")) {
      insert.setString(1, receiver.origin());
      insert.setBytes(2, p256dh);
      insert.setBytes(3, auth);
      insert.setLong(4, FIRST_USER);
      insert.setLong(5, last);
      insert.setInt(6, SUBSCRIPTIONS_PER_USER);
      insert.executeUpdate();
    }
  }

  private String notifyEveryUser() throws Exception {
    String ids =
        LongStream.range(FIRST_USER, FIRST_USER + users)
            .mapToObj(Long::toString)
            .collect(Collectors.joining(","));
    String body =
        "{\"type\":\"comment.reply\",\"recipientIds\":["
            + ids
            + "],\"title\":\"Bench\",\"body\":\"hello\"}";
    return BenchCalls.jobId(BenchCalls.accepted(settings, "/api/v1/notifications", body));
  }
}
