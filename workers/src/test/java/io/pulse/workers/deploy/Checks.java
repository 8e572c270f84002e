package io.pulse.workers.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;

/** What the deployment checks share: comparing, and running each check as a test. */
final class Checks {
  private Checks() {}

  static void expect(List<String> problems, String what, Object expected, Object actual) {
    if (!String.valueOf(expected).equals(String.valueOf(actual))) {
      problems.add(what + " is " + actual + ", the app says " + expected);
    }
  }

  /** One test per named check, each passing when the check finds no problem. */
  static Stream<DynamicTest> eachFindsNothing(Map<String, Supplier<List<String>>> checks) {
    return checks.entrySet().stream()
        .map(
            c ->
                DynamicTest.dynamicTest(
                    c.getKey(), () -> assertEquals(List.of(), c.getValue().get())));
  }

  /**
   * An app's environment reaches the broker in the definitions' virtual host with a login the
   * broker imports ("user:password@vhost", see RabbitLogins), and the database with its owner.
   */
  static void appConnections(
      List<String> problems,
      String at,
      Map<String, String> env,
      Set<String> brokerLogins,
      String jdbcUrl,
      String dbUser,
      String dbPassword) {
    expect(
        problems,
        at + "PULSE_RABBITMQ_VIRTUAL_HOST",
        RabbitDefinitions.VHOST,
        env.get("PULSE_RABBITMQ_VIRTUAL_HOST"));
    String user = env.get("PULSE_RABBITMQ_USERNAME");
    String login =
        RabbitLogins.login(user, env.get("PULSE_RABBITMQ_PASSWORD"), RabbitDefinitions.VHOST);
    if (!brokerLogins.contains(login)) {
      problems.add(
          at
              + "RabbitMQ login "
              + user
              + " is not a user (with that password and rights on "
              + RabbitDefinitions.VHOST
              + ") that the broker imports");
    }
    expect(
        problems,
        at + "QUARKUS_DATASOURCE_JDBC_URL",
        jdbcUrl,
        env.get("QUARKUS_DATASOURCE_JDBC_URL"));
    expect(
        problems,
        at + "QUARKUS_DATASOURCE_USERNAME",
        dbUser,
        env.get("QUARKUS_DATASOURCE_USERNAME"));
    expect(
        problems,
        at + "QUARKUS_DATASOURCE_PASSWORD",
        dbPassword,
        env.get("QUARKUS_DATASOURCE_PASSWORD"));
  }
}
