package io.pulse.workers.jobs;

import java.time.Duration;
import java.util.Optional;

/**
 * A retryable failure whose other side said when to come back (HTTP {@code Retry-After} on a 429 or
 * 503): {@link FailureRouter} waits at least that long, rounding up to a delay tier, instead of the
 * backoff alone, which could knock again too soon and be throttled longer.
 */
public class RetryLaterException extends RuntimeException {
  private final Duration wait;

  public RetryLaterException(String message, Duration wait) {
    super(message + " (retry after " + wait.toSeconds() + " s)");
    this.wait = wait;
  }

  public Duration waitAtLeast() {
    return wait;
  }

  /** The wait asked for anywhere in the cause chain, if any. */
  public static Optional<Duration> requestedWait(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof RetryLaterException later) {
        return Optional.of(later.wait);
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return Optional.empty();
  }
}
