package io.pulse.workers.jobs;

import com.fasterxml.jackson.core.JacksonException;
import jakarta.validation.ConstraintViolationException;

/**
 * Retryable or permanent. Permanent: our own {@link PermanentJobException}, a payload that does not
 * parse or validate. Everything else (I/O, timeouts, lock conflicts, a database that is restarting)
 * is worth another try.
 */
public final class FailureClassifier {
  private FailureClassifier() {}

  public static boolean isPermanent(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof PermanentJobException
          || t instanceof JacksonException
          || t instanceof ConstraintViolationException) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  /** "Class: message" of the failure and its causes, bounded so it fits a header and a column. */
  public static String describe(Throwable failure, int maxChars) {
    StringBuilder text = new StringBuilder();
    for (Throwable t = failure; t != null && text.length() < maxChars; t = t.getCause()) {
      if (!text.isEmpty()) {
        text.append(" <- caused by ");
      }
      text.append(t.getClass().getName());
      if (t.getMessage() != null) {
        text.append(": ").append(t.getMessage());
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return text.length() > maxChars ? text.substring(0, maxChars) : text.toString();
  }
}
