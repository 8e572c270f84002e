package io.pulse.workers.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Set;
import java.util.TreeSet;

/** The logins a RabbitMQ definitions file creates: users with a password and rights on a vhost. */
final class RabbitLogins {
  private RabbitLogins() {}

  static String login(String user, String password, String vhost) {
    return user + ":" + password + "@" + vhost;
  }

  /** "user:password@vhost" for each user the file creates with a permission on that vhost. */
  static Set<String> of(String definitions) {
    Set<String> logins = new TreeSet<>();
    if (definitions == null) {
      return logins;
    }
    try {
      JsonNode root = new ObjectMapper().readTree(definitions);
      for (JsonNode user : root.path("users")) {
        for (JsonNode permission : root.path("permissions")) {
          if (permission.path("user").asText().equals(user.path("name").asText())) {
            logins.add(
                login(
                    user.path("name").asText(),
                    user.path("password").asText(),
                    permission.path("vhost").asText()));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return logins;
  }
}
