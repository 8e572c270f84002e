package io.pulse.common.messaging;

/**
 * A message the broker did not confirm. The two kinds call for different answers, so callers tell
 * them apart by type: {@link BrokerUnavailableException} passes (retry later, 503), {@link
 * UnroutableMessageException} is a topology bug that no retry cures (500).
 */
public abstract class PublishFailedException extends RuntimeException {
  protected PublishFailedException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * The same failure thrown again on the calling thread, with this one as its cause: a failure that
   * completed a future elsewhere keeps that thread's stack, which says nothing of the caller.
   */
  public abstract PublishFailedException rethrownHere();
}
