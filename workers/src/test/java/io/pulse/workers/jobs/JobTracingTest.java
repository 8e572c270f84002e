package io.pulse.workers.jobs;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.pulse.common.feed.FeedPayloads;
import io.pulse.common.jobs.JobCodec;
import io.pulse.common.jobs.JobEnqueuer;
import io.pulse.common.jobs.JobType;
import io.pulse.common.messaging.JobMessage;
import io.pulse.common.messaging.Topology;
import io.pulse.common.testing.BrokerProbe;
import io.pulse.workers.TestSql;
import io.pulse.workers.testjobs.ScriptedJob;
import io.pulse.workers.testjobs.ScriptedTestHandler;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.Test;

/**
 * A job's span continues the trace its message carries, and its follow-up jobs continue it as the
 * span's children: one trace from the request to the last follow-up. Real broker and database,
 * spans read from memory.
 */
@QuarkusTest
class JobTracingTest {
  @Inject InMemorySpanExporter spans;
  @Inject JobEnqueuer enqueuer;
  @Inject TestSql db;

  @Test
  void aHandledJobIsAChildOfItsMessagesSpanAndItsFollowUpsAreChildrenOfIt() {
    Post post = postInCommunityOf(2_500);
    String trace = hex(16);
    String caller = hex(8);

    UUID fanout =
        enqueuer
            .enqueue(
                JobType.FEED_FANOUT,
                new FeedPayloads.Fanout(post.id(), post.community()),
                null,
                "00-" + trace + "-" + caller + "-01")
            .jobId();

    SpanData handled = awaitSpans(fanout, 1).get(0);
    assertEquals(SpanKind.CONSUMER, handled.getKind());
    assertEquals(trace, handled.getTraceId());
    assertEquals(caller, handled.getParentSpanId());
    assertEquals(JobType.FEED_FANOUT, handled.getAttributes().get(JobSpans.JOB_TYPE));

    String chunks =
        "from jobs where type = 'feed.fanout.chunk' and payload->>'postId' = '" + post.id();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> db.count("select count(*) " + chunks + "' and status = 'succeeded'") == 3);
    assertEquals(
        1,
        db.count("select count(distinct traceparent) " + chunks + "'"),
        "every chunk carries the same context");
    assertEquals(
        "00-" + trace + "-" + handled.getSpanId() + "-01",
        db.one("select traceparent " + chunks + "' limit 1"),
        "a follow-up's parent is the span of the job that asked for it");
    String chunk = db.one("select id " + chunks + "' limit 1");
    SpanData chunkSpan = awaitSpans(UUID.fromString(chunk), 1).get(0);
    assertEquals(trace, chunkSpan.getTraceId());
    assertEquals(handled.getSpanId(), chunkSpan.getParentSpanId());
  }

  @Test
  void aFailedAttemptsSpanRecordsTheErrorAndItsLogLineNamesTheTrace() {
    String trace = hex(16);
    String caller = hex(8);
    UUID job = UUID.randomUUID();
    List<ExtLogRecord> logged = new CopyOnWriteArrayList<>();
    Handler capture = capturing(logged);
    Logger failures = Logger.getLogger(FailureRouter.class.getName());
    failures.addHandler(capture);
    try (BrokerProbe broker = new BrokerProbe()) {
      JobMessage message =
          new JobMessage(
              job,
              ScriptedTestHandler.TYPE,
              1,
              null,
              "00-" + trace + "-" + caller + "-01",
              Instant.now(),
              JobCodec.encode(new ScriptedJob("traced-" + job, 1, "transient")));
      broker.publish(
          Topology.JOBS_EXCHANGE, message.type(), message.properties(Map.of()), message.body());

      List<SpanData> attempts = awaitSpans(job, 2);
      SpanData failed = attempts.get(0);
      SpanData succeeded = attempts.get(1);
      for (SpanData attempt : attempts) {
        assertEquals(trace, attempt.getTraceId());
        assertEquals(caller, attempt.getParentSpanId(), "every attempt continues the message");
      }
      assertEquals(StatusCode.ERROR, failed.getStatus().getStatusCode());
      assertTrue(
          failed.getEvents().stream().anyMatch(e -> e.getName().equals("exception")),
          "the failure is recorded on the span");
      assertEquals(StatusCode.UNSET, succeeded.getStatus().getStatusCode());

      ExtLogRecord retry =
          logged.stream()
              .filter(r -> job.toString().equals(r.getMdc("jobId")))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no log line about job " + job));
      assertEquals(trace, retry.getMdc("traceId"));
      assertEquals(failed.getSpanId(), retry.getMdc("spanId"));
    } finally {
      failures.removeHandler(capture);
    }
  }

  /** The spans of {@code job}'s deliveries, in attempt order, once {@code n} have ended. */
  private List<SpanData> awaitSpans(UUID job, int n) {
    return await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                spans.getFinishedSpanItems().stream()
                    .filter(s -> job.toString().equals(s.getAttributes().get(JobSpans.JOB_ID)))
                    .sorted(
                        (a, b) ->
                            Long.compare(
                                a.getAttributes().get(JobSpans.ATTEMPT),
                                b.getAttributes().get(JobSpans.ATTEMPT)))
                    .toList(),
            found -> found.size() >= n);
  }

  record Post(long id, long community) {}

  private Post postInCommunityOf(int members) {
    // Above the ids the feed tests use, in the same database.
    long community = 7_000_000_000L + ThreadLocalRandom.current().nextLong(1_000_000_000L);
    long post = community;
    long first = community + 1;
    db.exec("insert into communities (id, name) values (" + community + ", 'traced')");
    db.exec(
        String.format(
            "insert into community_members (community_id, user_id)"
                + " select %d, g from generate_series(%d, %d) g",
            community, first, first + members - 1));
    db.exec(
        "insert into posts (id, community_id, author_id, title, created_at) values ("
            + post
            + ", "
            + community
            + ", 1, 'Traced', now())");
    return new Post(post, community);
  }

  private static Handler capturing(List<ExtLogRecord> into) {
    return new Handler() {
      @Override
      public void publish(LogRecord record) {
        if (record instanceof ExtLogRecord ext) {
          // Copied now: the MDC is the logging thread's, and that thread moves on.
          ext.copyMdc();
          into.add(ext);
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
  }

  private static String hex(int bytes) {
    byte[] random = new byte[bytes];
    ThreadLocalRandom.current().nextBytes(random);
    return HexFormat.of().formatHex(random);
  }
}
