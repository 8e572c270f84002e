package io.pulse.api.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pulse.api.problem.ProblemException;
import io.pulse.common.messaging.RabbitConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Reads queue figures from the RabbitMQ management HTTP API, the one place that reports unacked
 * counts (a passive declare over AMQP only knows ready messages and consumers). The figures are the
 * broker's statistics, refreshed every {@code collect_statistics_interval} (5 s by default).
 */
@ApplicationScoped
public class BrokerManagement {
  private static final Logger LOG = Logger.getLogger(BrokerManagement.class);
  private static final String COLUMNS =
      "name,messages,messages_ready,messages_unacknowledged,consumers";

  /** One queue as the management API last sampled it; a figure not sampled yet is null. */
  public record QueueFigures(Long messages, Long ready, Long unacked, Long consumers) {}

  private final RabbitConfig rabbit;
  private final ObjectMapper json;
  private final HttpClient http;

  public BrokerManagement(RabbitConfig rabbit, ObjectMapper json) {
    this.rabbit = rabbit;
    this.json = json;
    this.http = HttpClient.newBuilder().connectTimeout(rabbit.management().timeout()).build();
  }

  /**
   * Every queue of the app's virtual host, by name.
   *
   * @throws ProblemException 503 when the management API cannot be reached or refuses the call
   */
  public Map<String, QueueFigures> queues() {
    URI uri = queuesUri();
    RabbitConfig.Management management = rabbit.management();
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .timeout(management.timeout())
            .header("Accept", "application/json")
            .header("Authorization", basic(management.username(), management.password()))
            .GET()
            .build();
    HttpResponse<byte[]> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw unavailable(uri + " is unreachable: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unavailable("interrupted while calling " + uri, e);
    }
    if (response.statusCode() != 200) {
      throw unavailable(
          uri
              + " answered "
              + response.statusCode()
              + " (check pulse.rabbitmq.management.username and password)",
          null);
    }
    try {
      return figures(json.readTree(response.body()));
    } catch (IOException e) {
      throw unavailable(uri + " answered something that is not a queue list: " + e, e);
    }
  }

  private URI queuesUri() {
    String base = rabbit.management().url().toString().replaceAll("/+$", "");
    String vhost = URLEncoder.encode(rabbit.virtualHost(), StandardCharsets.UTF_8);
    return URI.create(base + "/api/queues/" + vhost + "?columns=" + COLUMNS);
  }

  private static Map<String, QueueFigures> figures(JsonNode queues) throws IOException {
    if (!queues.isArray()) {
      throw new IOException("expected a JSON array");
    }
    Map<String, QueueFigures> byName = new HashMap<>();
    for (JsonNode queue : queues) {
      byName.put(
          queue.path("name").asText(),
          new QueueFigures(
              number(queue, "messages"),
              number(queue, "messages_ready"),
              number(queue, "messages_unacknowledged"),
              number(queue, "consumers")));
    }
    return byName;
  }

  private static Long number(JsonNode queue, String field) {
    JsonNode value = queue.get(field);
    return value == null || !value.isNumber() ? null : value.asLong();
  }

  private static String basic(String user, String password) {
    String pair = user + ":" + password;
    return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
  }

  private static ProblemException unavailable(String detail, Throwable cause) {
    LOG.warnf("queue overview unavailable: %s", detail);
    return ProblemException.unavailable(
        "broker-management-unavailable",
        "cannot read queue figures from the RabbitMQ management API: " + detail,
        cause);
  }
}
