package io.pulse.api.admin;

import io.pulse.api.jobs.KeysetPage;
import io.pulse.api.jobs.QueryParams;
import io.pulse.api.problem.ProblemException;
import io.pulse.common.jobs.Job;
import io.pulse.common.jobs.JobLedger;
import io.pulse.common.jobs.JobLedger.DeadRow;
import io.pulse.common.jobs.JobStatus;
import io.pulse.common.jobs.JobType;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.TreeSet;

/** Dead jobs, newest failure first, a keyset page at a time: the admin API's and the console's. */
@ApplicationScoped
public class DeadLetterPages {
  private final JobLedger ledger;

  public DeadLetterPages(JobLedger ledger) {
    this.ledger = ledger;
  }

  /**
   * One page; {@code type}, {@code limit} and {@code cursor} as the query string gave them.
   *
   * @throws ProblemException 400 naming a bad type, limit or cursor
   */
  public DeadLetterPage page(String type, String limit, String cursor) {
    return page(type, null, null, limit, cursor);
  }

  /**
   * As {@link #page(String, String, String)}, narrowed to one error class and to failures since a
   * time when those are given (the console's filters).
   */
  public DeadLetterPage page(
      String type, String errorClass, Instant failedSince, String limit, String cursor) {
    String only = type == null ? null : knownType(type);
    int size = QueryParams.limit(limit);
    DeadLetterCursor after = DeadLetterCursor.decode(cursor);
    KeysetPage<DeadRow> page =
        KeysetPage.of(
            ledger.deadPage(
                only,
                errorClass,
                failedSince,
                after == null ? null : after.failedAt(),
                after == null ? null : after.jobId(),
                KeysetPage.fetch(size)),
            size);
    return new DeadLetterPage(
        page.map(DeadLetter::of),
        page.next(last -> new DeadLetterCursor(last.failedAt(), last.id()).encode()));
  }

  /** What a replay would take: how many jobs (up to its limit), and some of them. */
  public record DryRun(int count, boolean more, List<DeadLetter> sample) {}

  static final int SAMPLE = 10;

  /**
   * A dry run of replaying {@code type}'s dead jobs, {@code limit} at most: nothing is locked or
   * moved, so a replay right after may find a few more or fewer.
   */
  public DryRun dryRun(String type, int limit) {
    List<DeadRow> rows = ledger.deadPage(knownType(type), null, null, limit + 1);
    List<DeadLetter> sample = rows.stream().limit(SAMPLE).map(DeadLetter::of).toList();
    return new DryRun(Math.min(rows.size(), limit), rows.size() > limit, sample);
  }

  /** A dry run of replaying one job: one if it is dead now, else none (a replay would skip it). */
  public DryRun dryRun(Job job) {
    if (job == null || job.jobStatus() != JobStatus.DEAD) {
      return new DryRun(0, false, List.of());
    }
    LastError error = LastError.parse(job.lastError);
    return new DryRun(
        1,
        false,
        List.of(
            new DeadLetter(
                job.id,
                job.type,
                error.errorClass(),
                error.message(),
                job.attempts,
                job.updatedAt.toInstant())));
  }

  /** The type, if the registry knows it; else a 400 listing the known ones. */
  public static String knownType(String type) {
    if (!JobType.ALL.contains(type)) {
      throw ProblemException.badField(
          "type", "unknown job type '" + type + "'; known: " + new TreeSet<>(JobType.ALL));
    }
    return type;
  }
}
