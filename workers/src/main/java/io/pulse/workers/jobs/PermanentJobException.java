package io.pulse.workers.jobs;

/** A failure no retry can fix (bad payload, unknown recipient, a 4xx): straight to the DLQ. */
public class PermanentJobException extends RuntimeException {
  public PermanentJobException(String message) {
    super(message);
  }

  public PermanentJobException(String message, Throwable cause) {
    super(message, cause);
  }
}
