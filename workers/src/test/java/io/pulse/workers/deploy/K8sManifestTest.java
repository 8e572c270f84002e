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
 * deploy/k8s agrees with the apps (ports, health and metrics paths, images, configuration names)
 * and with itself (every Secret, ConfigMap, Service, budget and scaler points at something that
 * exists). The last tests break a copy of the manifests to show the checks catch it.
 */
class K8sManifestTest {
  private final K8sManifests manifests = K8sManifests.load();

  /** Each check, run on the committed manifests, finds nothing. */
  @TestFactory
  Stream<DynamicTest> committedManifestsPassEveryCheck() {
    Map<String, Supplier<List<String>>> checks = new LinkedHashMap<>();
    checks.put("kustomization applies every manifest", manifests::checkKustomization);
    checks.put(
        "Deployments listen and are probed where the apps serve", manifests::checkDeployments);
    checks.put("every Secret and ConfigMap reference resolves", manifests::checkReferences);
    checks.put(
        "Services, budgets, scalers and monitors select what exists", manifests::checkSelectors);
    checks.put("environment variables are the apps' properties", manifests::checkEnvironmentNames);
    checks.put(
        "apps reach the broker and database the operators make", manifests::checkBrokerAndDatabase);
    checks.put("KEDA scales the workers on the work queues", manifests::checkKeda);
    checks.put("the heap out of each memory limit is the heap measured", manifests::checkMemory);
    return Checks.eachFindsNothing(checks);
  }

  // ------------------------------------------------------------ the checks can fail

  @Test
  void aWrongContainerPortIsCaught() {
    Map<String, Object> container = firstContainer(manifests.deploymentOf(PulseApp.API));
    Object probed = map(container, "readinessProbe", "httpGet").get("port");
    list(container, "ports").stream()
        .filter(p -> probed.equals(map(p).get("name")))
        .forEach(p -> map(p).put("containerPort", 9090));

    List<String> problems = manifests.checkDeployments();

    assertTrue(
        problems.stream().anyMatch(p -> p.contains("containerPort is 9090")), problems.toString());
    assertTrue(
        problems.stream().anyMatch(p -> p.contains("readinessProbe port is 9090")),
        problems.toString());
  }

  /** The API serves metrics on its management port only: a scrape of its public port is caught. */
  @Test
  void aMetricsScrapeOfThePublicPortIsCaught() {
    map(list(manifests.named("Service", "pulse-api-management"), "spec", "ports").get(0))
        .put("targetPort", "http");

    List<String> problems = manifests.checkSelectors();

    assertTrue(
        problems.stream().anyMatch(p -> p.contains("port for api is 8080, the app says 9000")),
        problems.toString());
  }

  @Test
  void aWrongProbePathIsCaught() {
    Map<String, Object> container = firstContainer(manifests.deploymentOf(PulseApp.WORKERS));
    map(container, "livenessProbe", "httpGet").put("path", "/health");

    assertTrue(
        manifests.checkDeployments().stream()
            .anyMatch(p -> p.contains("livenessProbe path is /health")));
  }

  @Test
  void anEnvironmentVariableThatIsNoPropertyIsCaught() {
    map(manifests.named("ConfigMap", "pulse-config"), "data").put("PULSE_RABBIT_HOST", "x");

    assertEquals(
        List.of(
            "PULSE_RABBIT_HOST (api in deploy/k8s) sets no configuration property of api",
            "PULSE_RABBIT_HOST (workers in deploy/k8s) sets no configuration property of workers"),
        manifests.checkEnvironmentNames());
  }

  @Test
  void aMissingSecretKeyIsCaught() {
    map(manifests.named("Secret", "pulse-db"), "stringData").remove("password");

    assertTrue(
        manifests.checkReferences().stream()
            .anyMatch(p -> p.contains("reads key password of Secret pulse-db")));
  }

  @Test
  void aServiceSelectingNoPodsIsCaught() {
    map(manifests.named("Service", "pulse-api"), "spec", "selector")
        .put("app.kubernetes.io/name", "api");

    assertTrue(
        manifests.checkSelectors().stream()
            .anyMatch(p -> p.contains("Service pulse-api selects no")));
  }

  @Test
  void kedaOnADeadLetterQueueIsCaught() {
    Map<String, Object> trigger =
        map(list(manifests.named("ScaledObject", "pulse-workers"), "spec", "triggers").get(0));
    map(trigger, "metadata").put("queueName", "^pulse\\..*$");

    assertTrue(manifests.checkKeda().stream().anyMatch(p -> p.contains("not work queues only")));
  }

  /** A job type added to the registry but not to the trigger would never scale the workers. */
  @Test
  void kedaMissingAWorkQueueIsCaught() {
    Map<String, Object> trigger =
        map(list(manifests.named("ScaledObject", "pulse-workers"), "spec", "triggers").get(0));
    Map<String, Object> metadata = map(trigger, "metadata");
    metadata.put("queueName", String.valueOf(metadata.get("queueName")).replace("|retract", ""));

    assertTrue(
        manifests.checkKeda().stream()
            .anyMatch(
                p ->
                    p.contains("not every work queue")
                        && p.contains(K8sManifests.workQueuesPattern())),
        manifests.checkKeda().toString());
  }

  @Test
  void anAppPasswordRabbitMqDoesNotImportIsCaught() {
    map(manifests.named("Secret", "pulse-rabbitmq"), "stringData").put("password", "other");

    assertTrue(
        manifests.checkBrokerAndDatabase().stream()
            .anyMatch(p -> p.contains("RabbitMQ login pulse is not a user")));
  }

  /** A limit cut below what the JVM's share of it needs for the measured heap is caught. */
  @Test
  void aMemoryLimitTooSmallForTheHeapIsCaught() {
    Map<String, Object> resources =
        map(firstContainer(manifests.deploymentOf(PulseApp.API)), "resources");
    map(resources, "limits").put("memory", "200Mi");
    map(resources, "requests").put("memory", "200Mi");

    assertTrue(
        manifests.checkMemory().stream()
            .anyMatch(p -> p.contains("200Mi at 30% is a heap of 60 MiB")),
        manifests.checkMemory().toString());
  }

  private static Map<String, Object> firstContainer(Map<String, Object> deployment) {
    return map(list(deployment, "spec", "template", "spec", "containers").get(0));
  }
}
