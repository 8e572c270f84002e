package io.pulse.common.testing;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Base64;

/** Requests to a RabbitMQ management API as guest, the user the tests' brokers all have. */
public final class ManagementRequests {
  private ManagementRequests() {}

  /** {@code method} {@code url} with a JSON {@code body}, or none when it is null. */
  public static HttpRequest.Builder request(String method, String url, String body) {
    return HttpRequest.newBuilder(URI.create(url))
        .header(
            "Authorization",
            "Basic " + Base64.getEncoder().encodeToString("guest:guest".getBytes()))
        .header("Content-Type", "application/json")
        .method(
            method,
            body == null
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
  }
}
