package io.pulse.workers.e2e;

import io.pulse.common.testing.ManagementRequests;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

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

  /** An empty virtual host: queue arguments are fixed at declaration. */
  void resetVirtualHost(String vhost) throws Exception {
    String path = "/api/vhosts/" + encode(vhost);
    send("DELETE", path, null);
    send("PUT", path, "");
    send(
        "PUT",
        "/api/permissions/" + encode(vhost) + "/guest",
        "{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}");
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
