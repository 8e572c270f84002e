package io.pulse.api.console;

import io.pulse.api.problem.Problem;
import io.pulse.api.problem.ProblemException;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Every state-changing console form posts its session's CSRF token back. The session cookie is
 * SameSite=Strict as well; the token also covers browsers that ignore that.
 */
final class ConsoleCsrf {
  private ConsoleCsrf() {}

  /** Refuses (403) unless {@code posted} is the token of the caller's session. */
  static void require(SecurityIdentity identity, String posted) {
    String expected = identity.getAttribute(ConsoleSessionIdentityProvider.CSRF);
    if (!matches(expected, posted)) {
      throw refused();
    }
  }

  static boolean matches(String expected, String posted) {
    return expected != null
        && posted != null
        // In constant time, so timing does not reveal a prefix of the token.
        && MessageDigest.isEqual(
            expected.getBytes(StandardCharsets.UTF_8), posted.getBytes(StandardCharsets.UTF_8));
  }

  static ProblemException refused() {
    return new ProblemException(
        Problem.of(
            Response.Status.FORBIDDEN,
            "csrf",
            "the form's CSRF token is missing or does not match the signed-in console;"
                + " reload the page and try again"));
  }
}
