package io.pulse.api;

import static io.pulse.api.ApiTestSupport.count;
import static io.pulse.api.ApiTestSupport.keyWithScopes;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pulse.common.jobs.JobCodec;
import io.pulse.common.jobs.JobIds;
import io.pulse.common.jobs.JobLedger;
import io.pulse.common.jobs.JobType;
import io.pulse.common.messaging.JobMessage;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * What the console shows of a job's history, written through the ledger the way the workers write
 * it: each failed attempt, the parent and follow-ups of a job, the oldest unfinished job, and how
 * many digests a run planned.
 */
@QuarkusTest
class ConsoleJobHistoryTest {
  @Inject EntityManager em;
  @Inject JobLedger ledger;

  @Test
  void aJobsPageShowsEachFailedAttemptItsParentAndItsFollowUps() {
    JobMessage parent = message(JobIds.next(), 1);
    ledger.retrying(parent, "java.io.IOException: first try failed", Instant.now());
    ledger.retrying(message(parent.jobId(), 2), "java.io.IOException: second try failed", null);
    ledger.dead(message(parent.jobId(), 3), "java.lang.IllegalStateException: gave up");
    JobMessage child = message(JobIds.next(), 1);
    JobMessage orphan = message(JobIds.next(), 1);
    QuarkusTransaction.requiringNew()
        .run(
            () ->
                ledger.insertFollowUps(
                    List.of(child, orphan), java.util.Arrays.asList(parent.jobId(), null)));
    assertEquals(
        3, count(em, "select count(*) from job_attempts where job_id = '" + parent.jobId() + "'"));

    ConsoleSession session = ConsoleSession.signIn(keyWithScopes("read"));
    String page =
        session
            .request()
            .get("/console/jobs/" + parent.jobId())
            .then()
            .statusCode(200)
            .body(containsString("first try failed"))
            .body(containsString("second try failed"))
            .body(containsString("gave up"))
            .body(containsString("/console/jobs/" + child.jobId()))
            .body(not(containsString(orphan.jobId().toString())))
            .extract()
            .asString();
    int first = page.indexOf("first try failed");
    int second = page.indexOf("second try failed");
    assertEquals(true, first < second, "attempts are listed oldest first");

    session
        .request()
        .get("/console/jobs/" + child.jobId())
        .then()
        .statusCode(200)
        .body(containsString("href=\"/console/jobs/" + parent.jobId() + "\""));
    session
        .request()
        .get("/console/jobs/" + orphan.jobId())
        .then()
        .statusCode(200)
        .body(containsString("accepted by the API"));
    session
        .request()
        .queryParam("parent", parent.jobId().toString())
        .get("/console/jobs")
        .then()
        .statusCode(200)
        .body(containsString(child.jobId().toString()))
        .body(not(containsString(orphan.jobId().toString())));
    session
        .request()
        .queryParam("parent", "not-a-job")
        .get("/console/jobs")
        .then()
        .statusCode(200)
        .body(containsString("parent: not a job id"));
  }

  @Test
  void theOverviewNamesTheOldestUnfinishedJobUntilItFinishes() {
    // The smallest possible time-ordered id: older than every other job the tests leave behind.
    UUID oldest =
        new UUID(
            JobIds.floorAt(Instant.ofEpochMilli(1)).getMostSignificantBits(),
            ThreadLocalRandom.current().nextLong() & 0x3FFF_FFFF_FFFF_FFFFL
                | 0x8000_0000_0000_0000L);
    JobMessage job = message(oldest, 1);
    QuarkusTransaction.requiringNew().run(() -> ledger.insertFollowUps(List.of(job)));
    ConsoleSession session = ConsoleSession.signIn(keyWithScopes("read"));
    try {
      session
          .request()
          .get("/console/overview/figures")
          .then()
          .statusCode(200)
          .body(containsString("/console/jobs/" + oldest));
      ledger.retrying(job, "java.io.IOException: still failing", Instant.now());
      session
          .request()
          .get("/console/overview/figures")
          .then()
          .statusCode(200)
          .body(containsString("/console/jobs/" + oldest))
          .body(containsString("retrying"));
      ledger.dead(message(oldest, 2), "java.io.IOException: out of attempts");
      session
          .request()
          .get("/console/overview/figures")
          .then()
          .statusCode(200)
          .body(not(containsString("/console/jobs/" + oldest)));
    } finally {
      QuarkusTransaction.requiringNew()
          .run(
              () ->
                  em.createNativeQuery("delete from jobs where id = ?1")
                      .setParameter(1, oldest)
                      .executeUpdate());
    }
  }

  @Test
  void theDigestRunsPageShowsPlannedAndWhatIsStillUnfinished() {
    Instant start = Instant.parse("2026-11-30T15:00:00Z");
    long user = 950_000 + (System.nanoTime() % 40_000);
    QuarkusTransaction.requiringNew()
        .run(
            () -> {
              em.createNativeQuery("delete from digest_runs where period_start = ?1")
                  .setParameter(1, start.atOffset(ZoneOffset.UTC))
                  .executeUpdate();
              em.createNativeQuery(
                      "insert into digest_runs (period, period_start, planned) values"
                          + " ('weekly', ?1, 5)")
                  .setParameter(1, start.atOffset(ZoneOffset.UTC))
                  .executeUpdate();
              for (int i = 0; i < 2; i++) {
                em.createNativeQuery(
                        "insert into digests (user_id, period, period_start, status,"
                            + " notifications, posts) values (?1, 'weekly', ?2, ?3, 1, 0)")
                    .setParameter(1, user + i)
                    .setParameter(2, start.atOffset(ZoneOffset.UTC))
                    .setParameter(3, i == 0 ? "sent" : "empty")
                    .executeUpdate();
              }
            });
    String page =
        ConsoleSession.signIn(keyWithScopes("read"))
            .request()
            .get("/console/digests")
            .then()
            .statusCode(200)
            .extract()
            .asString();
    String row = page.substring(page.indexOf("<td>weekly</td><td>2026-11-30T15:00:00Z</td>"));
    row = row.substring(0, row.indexOf("</tr>"));
    // planned 5, sent 1, empty 1, failed 0, unfinished 3
    assertEquals(
        List.of("5", "1", "1", "0", "3"),
        java.util.regex.Pattern.compile("<td class=\"n\">(?:<a [^>]*>)?(\\d+)")
            .matcher(row)
            .results()
            .map(m -> m.group(1))
            .toList(),
        row);
  }

  @Test
  void deadLettersFilterByErrorClassAndFailureTime() {
    DeadJobs dead = new DeadJobs(em, ApiTestSupport.broker());
    String type = JobType.FEED_BACKFILL;
    Instant now = Instant.now();
    UUID reset = dead.deadInLedger(type, now, "java.io.IOException: connection reset", null);
    UUID refused = dead.deadInLedger(type, now, "java.lang.IllegalStateException: refused", null);
    UUID old =
        dead.deadInLedger(
            type, now.minus(java.time.Duration.ofDays(10)), "java.io.IOException: old", null);
    ConsoleSession session = ConsoleSession.signIn(keyWithScopes("read"));

    session
        .request()
        .queryParam("type", type)
        .get("/console/dead-letters")
        .then()
        .statusCode(200)
        .body(containsString("errorClass=java.io.IOException\" class=\"error-class\""))
        .body(containsString("errorClass=java.lang.IllegalStateException\" class=\"error-class\""));
    session
        .request()
        .queryParam("type", type)
        .queryParam("errorClass", "java.io.IOException")
        .get("/console/dead-letters")
        .then()
        .statusCode(200)
        .body(containsString(reset.toString()))
        .body(containsString(old.toString()))
        .body(not(containsString(refused.toString())));
    session
        .request()
        .queryParam("type", type)
        .queryParam("errorClass", "java.io.IOException")
        .queryParam("since", now.minus(java.time.Duration.ofDays(1)).toString())
        .get("/console/dead-letters")
        .then()
        .statusCode(200)
        .body(containsString(reset.toString()))
        .body(not(containsString(old.toString())));
    // A class name that is only a prefix of the real one matches nothing.
    session
        .request()
        .queryParam("type", type)
        .queryParam("errorClass", "java.io.IOExc")
        .get("/console/dead-letters")
        .then()
        .statusCode(200)
        .body(not(containsString(reset.toString())));
    for (String[] bad :
        new String[][] {
          {"errorClass", "not a class"},
          {"errorClass", "x'; drop table jobs"},
          {"since", "yesterday"}
        }) {
      session
          .request()
          .queryParam(bad[0], bad[1])
          .get("/console/dead-letters")
          .then()
          .statusCode(400)
          .body(containsString(bad[0]));
    }
  }

  private static JobMessage message(UUID id, int attempt) {
    return new JobMessage(
        id,
        JobType.FEED_REBUILD,
        attempt,
        "console-history-" + id,
        null,
        Instant.now(),
        JobCodec.encode(Map.of("userId", 1)));
  }
}
