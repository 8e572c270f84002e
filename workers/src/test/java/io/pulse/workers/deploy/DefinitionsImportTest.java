package io.pulse.workers.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.pulse.common.jobs.JobType;
import io.pulse.common.messaging.Topology;
import io.pulse.common.testing.ManagementRequests;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The committed definitions file and the apps' own declaration agree on the real broker, whichever
 * comes first: the definitions loaded at boot and the apps declaring on start-up, or a platform
 * already running when an operator imports the file. Loaded first, a disagreement makes the apps'
 * declaration fail with PRECONDITION_FAILED. Imported second, it fails nothing: the broker keeps a
 * queue that exists as it is, whatever the file says, so the test compares the queues' arguments
 * with the file's.
 */
class DefinitionsImportTest {
  /** This test's own virtual host, recreated for every test. */
  static final String VHOST = "pulse-test-b";

  /** Not the production delivery limit: a definitions file that disagrees with the apps. */
  private static final int DIFFERENT_LIMIT =
      RabbitDefinitions.productionTopology("workers").deliveryLimit() + 1;

  private static final String MANAGEMENT = "http://127.0.0.1:15672/api/";
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeEach
  void freshVirtualHost() {
    String vhost = "vhosts/" + encoded(VHOST);
    int deleted = call("DELETE", vhost, null).statusCode();
    assertTrue(deleted == 204 || deleted == 404, "delete " + VHOST + ": " + deleted);
    expectSuccess(call("PUT", vhost, "{}"), "create " + VHOST);
    expectSuccess(
        call(
            "PUT",
            "permissions/" + encoded(VHOST) + "/guest",
            "{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}"),
        "grant guest on " + VHOST);
  }

  @Test
  void definitionsLoadedFirstThenTheAppsDeclare() throws Exception {
    ObjectNode definitions = committedDefinitions();
    importDefinitions(definitions);

    declareAsTheAppsDo(); // throws on PRECONDITION_FAILED

    assertEquals(argumentsByQueue(definitions), queuesInBroker());
  }

  @Test
  void theAppsDeclareFirstThenDefinitionsLoad() throws Exception {
    declareAsTheAppsDo();

    ObjectNode definitions = committedDefinitions();
    importDefinitions(definitions);

    assertEquals(argumentsByQueue(definitions), queuesInBroker());
  }

  @Test
  void definitionsThatDisagreeFailTheAppsWhenLoadedFirst() {
    // The first check can fail: one argument off, and the apps' declaration is refused.
    importDefinitions(withDispatchDeliveryLimit(DIFFERENT_LIMIT));

    IOException refused = assertThrows(IOException.class, this::declareAsTheAppsDo);
    String reason = String.valueOf(refused.getCause());
    assertTrue(reason.contains("PRECONDITION_FAILED"), reason);
    assertTrue(reason.contains("x-delivery-limit"), reason);
  }

  @Test
  void definitionsThatDisagreeDifferFromTheBrokerWhenLoadedSecond() throws Exception {
    // The second check can fail too: the import is accepted but changes no existing queue.
    declareAsTheAppsDo();
    ObjectNode definitions = withDispatchDeliveryLimit(DIFFERENT_LIMIT);

    importDefinitions(definitions);

    Map<String, JsonNode> inBroker = queuesInBroker();
    assertNotEquals(argumentsByQueue(definitions), inBroker);
    String dispatch = Topology.workQueue(JobType.NOTIFICATION_DISPATCH);
    int declared = RabbitDefinitions.productionTopology("workers").deliveryLimit();
    assertEquals(declared, inBroker.get(dispatch).get("x-delivery-limit").asInt());
  }

  private static ObjectNode withDispatchDeliveryLimit(int limit) {
    ObjectNode definitions = committedDefinitions();
    String queue = Topology.workQueue(JobType.NOTIFICATION_DISPATCH);
    for (JsonNode q : definitions.get("queues")) {
      if (q.get("name").asText().equals(queue)) {
        ((ObjectNode) q.get("arguments")).put("x-delivery-limit", limit);
      }
    }
    return definitions;
  }

  /** deploy/rabbitmq/definitions.json as committed, moved to this test's virtual host. */
  private static ObjectNode committedDefinitions() {
    try {
      ObjectNode definitions =
          (ObjectNode) JSON.readTree(DeployFiles.read(RabbitDefinitions.FILES.get(0)));
      for (JsonNode v : definitions.get("vhosts")) {
        ((ObjectNode) v).put("name", VHOST);
      }
      for (String kind : new String[] {"exchanges", "queues", "bindings"}) {
        definitions.get(kind).forEach(item -> ((ObjectNode) item).put("vhost", VHOST));
      }
      return definitions;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private void importDefinitions(ObjectNode definitions) {
    expectSuccess(
        call("POST", "definitions/" + encoded(VHOST), definitions.toString()),
        "import definitions into " + VHOST);
  }

  /** Exactly the apps' start-up declaration: Topology.declare with the production settings. */
  private void declareAsTheAppsDo() throws IOException, TimeoutException {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setHost("127.0.0.1");
    factory.setVirtualHost(VHOST);
    try (Connection connection = factory.newConnection("definitions import test")) {
      Channel channel = connection.createChannel();
      RabbitDefinitions.productionTopology("workers").declare(channel, JobType.ALL);
    }
  }

  private static Map<String, JsonNode> argumentsByQueue(JsonNode definitions) {
    Map<String, JsonNode> queues = new TreeMap<>();
    definitions.get("queues").forEach(q -> queues.put(q.get("name").asText(), q.get("arguments")));
    return queues;
  }

  private Map<String, JsonNode> queuesInBroker() throws IOException {
    HttpResponse<String> response =
        call("GET", "queues/" + encoded(VHOST) + "?columns=name,arguments", null);
    expectSuccess(response, "list queues of " + VHOST);
    return argumentsByQueue(JSON.createObjectNode().set("queues", JSON.readTree(response.body())));
  }

  private HttpResponse<String> call(String method, String path, String body) {
    HttpRequest.Builder request =
        ManagementRequests.request(method, MANAGEMENT + path, body).timeout(Duration.ofSeconds(30));
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(
          "RabbitMQ management API not reachable at " + MANAGEMENT + "; run deploy/services.sh", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void expectSuccess(HttpResponse<String> response, String what) {
    assertTrue(
        response.statusCode() / 100 == 2,
        what + ": HTTP " + response.statusCode() + " " + response.body());
  }

  private static String encoded(String name) {
    return URLEncoder.encode(name, StandardCharsets.UTF_8);
  }
}
