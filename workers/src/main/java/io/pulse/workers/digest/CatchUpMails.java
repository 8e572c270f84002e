package io.pulse.workers.digest;

import io.pulse.common.digest.DigestConfig;
import io.pulse.common.digest.DigestJob;
import io.pulse.common.digest.DigestPlanner;
import io.pulse.common.jobs.JobLedger;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;

/**
 * For a user with digests off, what the daily budget held back goes out as one catch-up mail at the
 * next digest hour on their clock. It is a {@code digest.build} of period {@code catchup}, written
 * as a scheduled job in the transaction of the delivery that was held back; its id comes from
 * (user, send time), so every delivery held back before that morning asks for the same job and the
 * ledger keeps one.
 */
@ApplicationScoped
public class CatchUpMails {
  private final JobLedger ledger;
  private final DigestConfig config;

  public CatchUpMails(JobLedger ledger, DigestConfig config) {
    this.ledger = ledger;
    this.config = config;
  }

  /** Makes sure the user's next catch-up mail is scheduled. */
  public void schedule(long userId, ZoneId zone, Instant now) {
    Instant at = nextSendHour(now, zone, config.sendHour());
    DigestJob job = new DigestJob(userId, DigestJob.CATCH_UP, at);
    // No parent: one catch-up mail serves every email the budget held back that day.
    ledger.insertScheduledFollowUps(
        List.of(new JobLedger.Deferred(DigestPlanner.message(job), at, null)));
  }

  /**
   * The first digest hour on the user's clock after {@code now}; one a daylight-saving jump skips
   * moves past the gap.
   */
  static Instant nextSendHour(Instant now, ZoneId zone, int sendHour) {
    LocalDate day = now.atZone(zone).toLocalDate();
    Instant at = ZonedDateTime.of(day, LocalTime.of(sendHour, 0), zone).toInstant();
    if (!at.isAfter(now)) {
      at = ZonedDateTime.of(day.plusDays(1), LocalTime.of(sendHour, 0), zone).toInstant();
    }
    return at;
  }
}
