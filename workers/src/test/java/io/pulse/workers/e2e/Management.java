package io.pulse.workers.e2e;

import io.pulse.common.testing.ManagementRequests;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.awaitility.Awaitility;

/** The management API of deploy/cluster.sh's nodes, each call to the first one that answers. */
final class Management {
  private final int[] ports;

  /** {@code ports}: the management ports to try, in order. */
  Management(int... ports) {
    this.ports = ports;
  }

  String get(String path) throws Exception {
    return send("GET", path, null);
  }

  /**
   * An empty virtual host: queue arguments are fixed at declaration. Waits first for every queue
   * the node recovered at boot to have a running leader: a quorum queue deleted while its node
   * still started its dead-letter worker crashed that worker (RabbitMQ 3.10), and enough such
   * crashes took down the node's supervisor of those workers, after which every quorum queue
   * declared on it failed with INTERNAL_ERROR (a CI run of SingleNodeFaultsIT).
   */
  void resetVirtualHost(String vhost) throws Exception {
    awaitQueuesRunning(vhost);
    deleteVirtualHost(vhost);
    String path = "/api/vhosts/" + encode(vhost);
    send("PUT", path, "");
    send(
        "PUT",
        "/api/permissions/" + encode(vhost) + "/guest",
        "{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}");
  }

  /**
   * Removes the virtual host and its queues, so a node stopped afterwards has none of them to
   * recover at its next boot.
   */
  void deleteVirtualHost(String vhost) throws Exception {
    send("DELETE", "/api/vhosts/" + encode(vhost), null);
  }

  private void awaitQueuesRunning(String vhost) {
    String path = "/api/queues/" + encode(vhost) + "?columns=name,state";
    Awaitility.await("every queue of " + vhost + " running")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> allRunning(get(path)));
  }

  /**
   * Whether every queue in a {@code /api/queues} answer is up: {@code running} (classic) or {@code
   * live} (quorum, with a leader). None, or no such virtual host: true.
   */
  private static boolean allRunning(String queues) {
    return count(queues, "\"name\":")
        == count(queues, "\"state\":\"running\"") + count(queues, "\"state\":\"live\"");
  }

  private static int count(String text, String part) {
    int n = 0;
    for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length())) {
      n++;
    }
    return n;
  }

  String send(String method, String path, String body) throws Exception {
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    Exception last = null;
    for (int port : ports) {
      HttpRequest.Builder request =
          ManagementRequests.request(method, "http://127.0.0.1:" + port + path, body);
      try {
        HttpResponse<String> response =
            http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 500) {
          throw new IllegalStateException(path + " answered " + response.statusCode());
        }
        return response.body();
      } catch (Exception e) {
        last = e;
      }
    }
    throw new IllegalStateException("no management API answered " + path, last);
  }

  static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
