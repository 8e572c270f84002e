package io.pulse.bench;

import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The soak's steady, mixed traffic: every 100 ms a tenth of each second's requests, sent by a fixed
 * pool of client threads (a request the pool cannot take is counted as skipped, never queued up to
 * burst later). Per second at 500 jobs/s: 170 single in-app notifications, 20 batches of 10, 60
 * single notifications with email (a dispatch and an email job each) and 5 posts to a 50-member
 * community (a fan-out and a chunk job each).
 */
final class SoakLoad {
  static final long FIRST_RECIPIENT = 72_000_000L;
  static final int RECIPIENTS = 10_000;
  static final long FIRST_EMAIL_USER = 73_000_000L;

  /**
   * Enough that none goes over the daily email budget (20 by default) in a 30-minute soak: 60
   * emails a second to 1,000 users held back 80% of them as over budget (a digest of what was held
   * back instead), which is the budget working, not the email path the soak is about.
   */
  static final int EMAIL_USERS = 10_000;

  static final long COMMUNITY = 9_000_001L;
  static final long FIRST_MEMBER = 74_000_000L;
  static final int MEMBERS = 50;
  static final int BATCH = 10;
  static final int SENDERS = 48;

  /** Jobs the API accepted, by kind, and what went wrong. */
  final AtomicLong singles = new AtomicLong();

  final AtomicLong batchJobs = new AtomicLong();
  final AtomicLong emailSingles = new AtomicLong();
  final AtomicLong posts = new AtomicLong();
  final AtomicLong failed = new AtomicLong();
  final AtomicLong skipped = new AtomicLong();
  volatile String firstFailure;

  private final BenchSettings settings;
  private final int jobsPerSecond;
  private final long firstPostId;
  private final AtomicLong sequence = new AtomicLong();
  private final AtomicLong postSequence = new AtomicLong();
  private ScheduledExecutorService ticks;
  private ThreadPoolExecutor senders;
  private long tick;

  SoakLoad(BenchSettings settings, int jobsPerSecond) {
    this.settings = settings;
    this.jobsPerSecond = jobsPerSecond;
    this.firstPostId = Instant.now().getEpochSecond() * 1_000L;
  }

  /** Requests per second of each kind, scaled from the mix at 500 jobs/s. */
  private double perSecond(int at500) {
    return at500 * jobsPerSecond / 500.0;
  }

  void start() {
    senders =
        (ThreadPoolExecutor)
            Executors.newFixedThreadPool(
                SENDERS,
                r -> {
                  Thread t = new Thread(r, "soak-sender");
                  t.setDaemon(true);
                  return t;
                });
    ticks = Executors.newSingleThreadScheduledExecutor();
    ticks.scheduleAtFixedRate(this::tick, 0, 100, TimeUnit.MILLISECONDS);
  }

  void stop() throws InterruptedException {
    ticks.shutdownNow();
    senders.shutdown();
    senders.awaitTermination(60, TimeUnit.SECONDS);
  }

  /** Jobs the API accepted (not counting follow-ups the workers create). */
  long acceptedJobs() {
    return singles.get() + batchJobs.get() + emailSingles.get() + posts.get();
  }

  private void tick() {
    long t = tick++;
    send(share(perSecond(170), t), this::single);
    send(share(perSecond(20), t), this::batch);
    send(share(perSecond(60), t), this::email);
    send(share(perSecond(5), t), this::post);
  }

  /** This tick's share of a per-second count, so fractions add up over the ticks. */
  private static int share(double perSecond, long tick) {
    return (int) (Math.floor(perSecond * (tick + 1) / 10) - Math.floor(perSecond * tick / 10));
  }

  private void send(int requests, Request request) {
    for (int i = 0; i < requests; i++) {
      if (senders.getQueue().size() > SENDERS) {
        skipped.incrementAndGet();
        continue;
      }
      senders.execute(
          () -> {
            try {
              request.send();
            } catch (Exception e) {
              failed.incrementAndGet();
              if (firstFailure == null) {
                firstFailure = e.toString();
              }
            }
          });
    }
  }

  @FunctionalInterface
  private interface Request {
    void send() throws Exception;
  }

  private void single() throws Exception {
    notifyOne("community.post", FIRST_RECIPIENT + sequence.incrementAndGet() % RECIPIENTS);
    singles.incrementAndGet();
  }

  /** comment.reply goes to in-app and email for a user with an address. */
  private void email() throws Exception {
    notifyOne("comment.reply", FIRST_EMAIL_USER + sequence.incrementAndGet() % EMAIL_USERS);
    emailSingles.incrementAndGet();
  }

  private void notifyOne(String type, long recipient) throws Exception {
    BenchCalls.accepted(
        settings,
        "/api/v1/notifications",
        "{\"type\":\"" + type + "\",\"recipientIds\":[" + recipient + "],\"title\":\"soak\"}");
  }

  private void batch() throws Exception {
    StringBuilder body = new StringBuilder("[");
    for (int i = 0; i < BATCH; i++) {
      long n = sequence.incrementAndGet();
      body.append(i == 0 ? "" : ",")
          .append("{\"type\":\"community.post\",\"recipientIds\":[")
          .append(FIRST_RECIPIENT + n % RECIPIENTS)
          .append("],\"title\":\"soak batch\"}");
    }
    BenchCalls.accepted(settings, "/api/v1/notifications/batch", body.append("]").toString());
    batchJobs.addAndGet(BATCH);
  }

  private void post() throws Exception {
    long id = firstPostId + postSequence.incrementAndGet();
    BenchCalls.accepted(
        settings,
        "/api/v1/posts",
        "{\"postId\":"
            + id
            + ",\"communityId\":"
            + COMMUNITY
            + ",\"authorId\":"
            + FIRST_MEMBER
            + ",\"title\":\"soak\",\"createdAt\":\""
            + Instant.now()
            + "\"}");
    posts.incrementAndGet();
  }
}
