package io.pulse.api.jobs;

import io.pulse.api.problem.ProblemException;
import java.util.UUID;

/** Path ids, checked: platform ids are positive 64-bit integers, job ids are UUIDs. */
public final class Ids {
  private Ids() {}

  public static long positive(String name, String value) {
    try {
      long id = Long.parseLong(value);
      if (id > 0) {
        return id;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw ProblemException.badField(name, "must be a positive 64-bit integer, got '" + value + "'");
  }

  public static UUID uuid(String name, String value) {
    try {
      return UUID.fromString(value);
    } catch (IllegalArgumentException e) {
      throw ProblemException.badField(name, "must be a UUID, got '" + value + "'");
    }
  }
}
