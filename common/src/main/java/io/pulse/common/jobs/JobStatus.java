package io.pulse.common.jobs;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The life of a job: {@code queued -> running -> succeeded | retrying -> ... -> dead}, and {@code
 * dead -> queued} through a replay. A job with a send time starts {@code scheduled}: it becomes
 * {@code queued} when the poller publishes it, or {@code cancelled} (final) before that. This table
 * is the only rulebook: every statement that changes a job's status guards itself with {@link
 * #sqlFrom}, so the database refuses what the table forbids (a late copy of a dead job cannot mark
 * it succeeded; only a replay brings it back).
 */
public enum JobStatus {
  SCHEDULED,
  QUEUED,
  RUNNING,
  RETRYING,
  SUCCEEDED,
  DEAD,
  CANCELLED;

  public String wire() {
    return name().toLowerCase();
  }

  public static JobStatus fromWire(String value) {
    return valueOf(value.toUpperCase());
  }

  /** Nothing happens to a job in a final state except what {@link #next} allows (a replay). */
  public boolean isFinal() {
    return this == SUCCEEDED || this == DEAD || this == CANCELLED;
  }

  /**
   * Whether a delivered message of a job in this state is dropped rather than run: a final job, and
   * a scheduled one (its message went out but the poller's commit did not; the poller publishes it
   * again when due, and the job must not run before its row says so).
   */
  public boolean skipsDelivery() {
    return isFinal() || this == SCHEDULED;
  }

  /**
   * Where a job may go from here. A job that failed and is delivered again stays {@code retrying}
   * ({@code retrying -> retrying}); a job runs straight from {@code queued} to {@code succeeded}
   * when the first statement of its transaction marks it.
   */
  public Set<JobStatus> next() {
    return switch (this) {
      case SCHEDULED -> EnumSet.of(QUEUED, CANCELLED);
      case QUEUED, RETRYING -> EnumSet.of(RUNNING, RETRYING, SUCCEEDED, DEAD);
      case RUNNING -> EnumSet.of(RETRYING, SUCCEEDED, DEAD);
      case SUCCEEDED, CANCELLED -> EnumSet.noneOf(JobStatus.class);
      case DEAD -> EnumSet.of(QUEUED);
    };
  }

  public boolean canMoveTo(JobStatus target) {
    return next().contains(target);
  }

  /** The states from which a job may move to {@code target}. */
  public static Set<JobStatus> allowedFrom(JobStatus target) {
    return Arrays.stream(values())
        .filter(from -> from.canMoveTo(target))
        .collect(Collectors.toCollection(() -> EnumSet.noneOf(JobStatus.class)));
  }

  /**
   * The SQL condition that lets a statement move a row to {@code target}: {@code <column> in
   * ('queued', ...)}, built from {@link #next}, so the statements and the table cannot disagree.
   */
  public static String sqlFrom(String column, JobStatus target) {
    Set<JobStatus> from = allowedFrom(target);
    if (from.isEmpty()) {
      return "false";
    }
    return column
        + " in ("
        + from.stream().map(s -> "'" + s.wire() + "'").collect(Collectors.joining(", "))
        + ")";
  }

  /**
   * The SQL condition for a statement that makes one particular move, {@code from -> to}: {@code
   * <column> = 'from'}. For moves that share a target with others (a replay and a due scheduled job
   * both reach {@code queued}) but must only ever start from their own state.
   *
   * @throws IllegalJobStateChangeException when the table forbids the move
   */
  public static String sqlMove(String column, JobStatus from, JobStatus to) {
    from.checkMoveTo(to);
    return column + " = '" + from.wire() + "'";
  }

  /** Checks one transition in Java, for code that decides before it writes. */
  public void checkMoveTo(JobStatus target) {
    if (!canMoveTo(target)) {
      throw new IllegalJobStateChangeException(this, target);
    }
  }

  /** A transition the table forbids. */
  public static final class IllegalJobStateChangeException extends IllegalStateException {
    public IllegalJobStateChangeException(JobStatus from, JobStatus to) {
      super("a job cannot move from " + from.wire() + " to " + to.wire());
    }
  }
}
