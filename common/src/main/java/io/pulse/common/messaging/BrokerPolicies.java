package io.pulse.common.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@link Topology.Policy} through the management API: policies are not part of AMQP, so
 * declaring the topology over a channel cannot set them. Tries each configured management URL in
 * turn (one per cluster node), as the API's queue overview does.
 */
public final class BrokerPolicies {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RabbitConfig config;
  private final HttpClient http;

  public BrokerPolicies(RabbitConfig config) {
    this.config = config;
    this.http = HttpClient.newBuilder().connectTimeout(config.management().timeout()).build();
  }

  /**
   * Sets the policy on the configured virtual host unless it is there already as given (a write of
   * an unchanged policy still makes every matching queue re-read it).
   *
   * @return true when this call wrote it
   * @throws IOException when no management URL answered, or one refused (names each)
   */
  public boolean apply(Topology.Policy policy) throws IOException {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("pattern", policy.pattern());
    body.put("apply-to", policy.applyTo());
    body.put("priority", policy.priority());
    body.put("definition", policy.definition());
    List<String> failures = new ArrayList<>();
    for (URI base : config.management().url()) {
      String url =
          base.toString().replaceAll("/+$", "")
              + "/api/policies/"
              + URLEncoder.encode(config.virtualHost(), StandardCharsets.UTF_8)
              + "/"
              + URLEncoder.encode(policy.name(), StandardCharsets.UTF_8);
      try {
        HttpResponse<String> current = send(request(url).GET());
        if (current.statusCode() == 200 && same(current.body(), body)) {
          return false;
        }
        HttpResponse<String> put =
            send(
                request(url)
                    .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
        if (put.statusCode() / 100 == 2) {
          return true;
        }
        failures.add(url + " answered " + put.statusCode() + " " + put.body());
      } catch (IOException e) {
        failures.add(url + ": " + e.getMessage());
      }
    }
    throw new IOException("could not set policy " + policy.name() + ": " + failures);
  }

  private static boolean same(String current, Map<String, Object> wanted) throws IOException {
    @SuppressWarnings("unchecked")
    Map<String, Object> found = JSON.readValue(current, Map.class);
    return JSON.valueToTree(wanted.get("definition"))
            .equals(JSON.valueToTree(found.get("definition")))
        && String.valueOf(wanted.get("pattern")).equals(String.valueOf(found.get("pattern")))
        && String.valueOf(wanted.get("apply-to")).equals(String.valueOf(found.get("apply-to")))
        && String.valueOf(wanted.get("priority")).equals(String.valueOf(found.get("priority")));
  }

  private HttpRequest.Builder request(String url) {
    String credentials = config.management().username() + ":" + config.management().password();
    return HttpRequest.newBuilder(URI.create(url))
        .timeout(config.management().timeout())
        .header(
            "Authorization",
            "Basic "
                + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)))
        .header("Content-Type", "application/json");
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws IOException {
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }
}
