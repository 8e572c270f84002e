package io.pulse.common.messaging;

/** The broker could not take a message now: down, unreachable, refusing, or no confirm in time. */
public class BrokerUnavailableException extends PublishFailedException {
  public BrokerUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public BrokerUnavailableException rethrownHere() {
    return new BrokerUnavailableException(getMessage(), this);
  }
}
