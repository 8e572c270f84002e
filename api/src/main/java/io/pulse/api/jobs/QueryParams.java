package io.pulse.api.jobs;

import io.pulse.api.problem.ProblemException;

/** Query parameters read strictly: a value that is not what the contract says is a 400. */
public final class QueryParams {
  public static final int DEFAULT_LIMIT = 20;
  public static final int MAX_LIMIT = 100;

  private QueryParams() {}

  /** {@code limit}: 1 to 100, 20 when absent. */
  public static int limit(String limit) {
    if (limit == null) {
      return DEFAULT_LIMIT;
    }
    // Plain ASCII digits only: Integer.parseInt would also read "+5" or other scripts' digits.
    if (limit.matches("[0-9]{1,3}")) {
      int value = Integer.parseInt(limit);
      if (value >= 1 && value <= MAX_LIMIT) {
        return value;
      }
    }
    throw ProblemException.badField("limit", "must be an integer from 1 to " + MAX_LIMIT);
  }

  public static boolean bool(String name, String value) {
    if (value == null || value.equals("false")) {
      return false;
    }
    if (value.equals("true")) {
      return true;
    }
    throw ProblemException.badField(name, "must be true or false");
  }
}
