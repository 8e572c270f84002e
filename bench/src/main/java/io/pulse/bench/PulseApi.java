package io.pulse.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The calls the benchmarks make: {@code POST /api/v1/notifications}, one job or a batch. */
final class PulseApi {
  private static final Pattern JOB_ID = Pattern.compile("\"jobId\"\\s*:\\s*\"([0-9a-fA-F-]{36})\"");

  private final HttpClient http;
  private final URI notifications;
  private final URI batch;
  private final String authorization;

  PulseApi(int port, String apiKey) {
    // HTTP/1.1 keep-alive, one connection per busy client thread, as a backend's pool would hold.
    // The client's default (HTTP/2) would try an h2c upgrade on each new cleartext connection.
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    this.notifications =
        URI.create("http://" + BenchSettings.HOST + ":" + port + "/api/v1/notifications");
    this.batch =
        URI.create("http://" + BenchSettings.HOST + ":" + port + "/api/v1/notifications/batch");
    this.authorization = "Bearer " + apiKey;
  }

  /**
   * A light job: one recipient, a one-letter title, and a type whose only default channel is
   * in_app, so the dispatch writes one inbox row and leaves no email or webhook jobs behind (the
   * API refuses types that are not configured). Recipients rotate over 10,000 ids, none with a user
   * row or preferences, so inbox inserts spread over many users as real traffic does.
   */
  UUID notify(long sequence) throws IOException, InterruptedException {
    long recipient = 1_000_000 + sequence % 10_000;
    String body =
        "{\"type\":\"community.post\",\"recipientIds\":[" + recipient + "],\"title\":\"t\"}";
    HttpRequest request =
        HttpRequest.newBuilder(notifications)
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", authorization)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 202) {
      throw new IOException("HTTP " + response.statusCode() + ": " + abbreviate(response.body()));
    }
    Matcher id = JOB_ID.matcher(response.body());
    if (!id.find()) {
      throw new IOException("202 without a jobId: " + abbreviate(response.body()));
    }
    return UUID.fromString(id.group(1));
  }

  /**
   * {@code POST /api/v1/notifications/batch}: {@code size} of the same light jobs in one request.
   */
  List<UUID> notifyBatch(long firstSequence, int size) throws IOException, InterruptedException {
    return notifyBatch(firstSequence, size, null);
  }

  /** The same batch, each job scheduled for {@code sendAt} when it is not null. */
  List<UUID> notifyBatch(long firstSequence, int size, Instant sendAt)
      throws IOException, InterruptedException {
    String scheduled = sendAt == null ? "" : ",\"sendAt\":\"" + sendAt + "\"";
    StringBuilder body = new StringBuilder("[");
    for (int i = 0; i < size; i++) {
      long recipient = 1_000_000 + (firstSequence + i) % 10_000;
      body.append(i == 0 ? "" : ",")
          .append("{\"type\":\"community.post\",\"recipientIds\":[")
          .append(recipient)
          .append("],\"title\":\"t\"")
          .append(scheduled)
          .append("}");
    }
    return postBatch(body.append("]").toString(), size);
  }

  /** {@code POST /api/v1/notifications/batch} of a JSON array of {@code size} notifications. */
  List<UUID> postBatch(String array, int size) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(batch)
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", authorization)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(array))
            .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 202) {
      throw new IOException("HTTP " + response.statusCode() + ": " + abbreviate(response.body()));
    }
    List<UUID> ids = new ArrayList<>(size);
    Matcher id = JOB_ID.matcher(response.body());
    while (id.find()) {
      ids.add(UUID.fromString(id.group(1)));
    }
    if (ids.size() != size) {
      throw new IOException("202 with " + ids.size() + " job ids for " + size + " jobs");
    }
    return ids;
  }

  private static String abbreviate(String text) {
    return text.length() <= 300 ? text : text.substring(0, 300) + "...";
  }
}
