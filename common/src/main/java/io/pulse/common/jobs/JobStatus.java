package io.pulse.common.jobs;

import java.util.EnumSet;
import java.util.Set;

/**
 * The life of a job: {@code queued -> running -> succeeded | retrying -> ... -> dead}. Storage and
 * the API read these states; only the transitions listed here are legal.
 */
public enum JobStatus {
  QUEUED,
  RUNNING,
  RETRYING,
  SUCCEEDED,
  DEAD;

  public String wire() {
    return name().toLowerCase();
  }

  public static JobStatus fromWire(String value) {
    return valueOf(value.toUpperCase());
  }

  public boolean isFinal() {
    return this == SUCCEEDED || this == DEAD;
  }

  /** Where a job may go from here. A dead job goes back to queued only through a replay. */
  public Set<JobStatus> next() {
    return switch (this) {
      case QUEUED, RETRYING -> EnumSet.of(RUNNING, RETRYING, SUCCEEDED, DEAD);
      case RUNNING -> EnumSet.of(RETRYING, SUCCEEDED, DEAD);
      case SUCCEEDED -> EnumSet.noneOf(JobStatus.class);
      case DEAD -> EnumSet.of(QUEUED);
    };
  }

  public boolean canMoveTo(JobStatus target) {
    return next().contains(target);
  }
}
