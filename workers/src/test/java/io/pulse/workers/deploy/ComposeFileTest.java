package io.pulse.workers.deploy;

import static io.pulse.workers.deploy.Yamls.list;
import static io.pulse.workers.deploy.Yamls.map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * deploy/compose agrees with the apps and with deploy/rabbitmq; the last tests break a copy to show
 * the checks catch it.
 */
class ComposeFileTest {
  private final ComposeFile compose = ComposeFile.load();

  @TestFactory
  Stream<DynamicTest> composeFilePassesEveryCheck() {
    Map<String, Supplier<List<String>>> checks = new LinkedHashMap<>();
    checks.put("apps run, listen and are health-checked as built", compose::checkApps);
    checks.put("environment variables are the apps' properties", compose::checkEnvironmentNames);
    checks.put("apps reach the compose broker and database", compose::checkBrokerAndDatabase);
    checks.put(".env.example sets every variable", compose::checkVariables);
    return Checks.eachFindsNothing(checks);
  }

  @Test
  void brokerRunsThePluginsTheRunbookUses() {
    String plugins = DeployFiles.read("deploy/rabbitmq/enabled_plugins");
    for (String plugin :
        List.of(
            "rabbitmq_management",
            "rabbitmq_prometheus",
            "rabbitmq_shovel",
            "rabbitmq_shovel_management")) {
      assertTrue(plugins.contains(plugin), plugin);
    }
    assertTrue(plugins.strip().endsWith("]."), "an Erlang term: " + plugins);
  }

  @Test
  void aWrongPublishedPortIsCaught() {
    map(compose.service("workers")).put("ports", List.of("8081:8080"));

    assertTrue(
        compose.checkApps().stream().anyMatch(p -> p.contains("workers container port is 8080")));
  }

  @Test
  void aWrongHealthcheckPathIsCaught() {
    List<Object> test = list(compose.service("api"), "healthcheck", "test");
    test.set(3, String.valueOf(test.get(3)).replace("/q/health/ready", "/health"));

    assertTrue(
        compose.checkApps().stream().anyMatch(p -> p.contains("api healthcheck path is /health")));
  }

  @Test
  void anEnvironmentVariableThatIsNoPropertyIsCaught() {
    map(compose.service("workers"), "environment").put("QUARKUS_MAILER_HOSTNAME", "mailpit");

    assertEquals(
        List.of(
            "QUARKUS_MAILER_HOSTNAME (workers in compose) sets no configuration property of workers"),
        compose.checkEnvironmentNames());
  }

  @Test
  void aVirtualHostTheDefinitionsDoNotMakeIsCaught() {
    map(compose.service("api"), "environment").put("PULSE_RABBITMQ_VIRTUAL_HOST", "/");

    assertTrue(
        compose.checkBrokerAndDatabase().stream()
            .anyMatch(p -> p.contains("api in compose: PULSE_RABBITMQ_VIRTUAL_HOST is /")));
  }
}
