package io.pulse.common.jobs;

/** The database did not take a ledger write: nothing was accepted, the caller may retry. */
public class JobLedgerException extends RuntimeException {
  public JobLedgerException(String message) {
    super(message);
  }

  public JobLedgerException(String message, Throwable cause) {
    super(message, cause);
  }
}
