package io.pulse.common.messaging;

/**
 * The broker returned a mandatory message: no queue is bound for its routing key. A missing queue
 * is a topology bug (deleted by hand, a job type never declared), not a passing outage, so callers
 * do not answer "retry later". The publisher declares its topology again after a return, so the
 * sweeper's next attempt usually finds the queue back.
 */
public class UnroutableMessageException extends PublishFailedException {
  public UnroutableMessageException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public UnroutableMessageException rethrownHere() {
    return new UnroutableMessageException(getMessage(), this);
  }
}
