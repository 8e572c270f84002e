package io.pulse.api.live;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A test's EventSource: opens a stream, collects its events on a thread of its own until closed.
 */
final class SseClient implements AutoCloseable {
  /** One dispatched event, or a comment line ({@code comment} set, nothing else). */
  record Event(String id, String name, String data, String comment) {}

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  final int status;
  final String errorBody;
  private final InputStream body;
  private final List<Event> events = new CopyOnWriteArrayList<>();

  private SseClient(int status, String errorBody, InputStream body) {
    this.status = status;
    this.errorBody = errorBody;
    this.body = body;
  }

  static SseClient open(URI uri, Map<String, String> headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET();
    headers.forEach(request::header);
    try {
      HttpResponse<InputStream> response =
          HTTP.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
      if (response.statusCode() != 200) {
        try (InputStream in = response.body()) {
          return new SseClient(
              response.statusCode(), new String(in.readAllBytes(), StandardCharsets.UTF_8), null);
        }
      }
      SseClient client = new SseClient(200, null, response.body());
      Thread reader = new Thread(client::read, "sse-test-client");
      reader.setDaemon(true);
      reader.start();
      return client;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  List<Event> events() {
    return List.copyOf(events);
  }

  List<Event> named(String name) {
    return events.stream().filter(e -> name.equals(e.name())).toList();
  }

  private void read() {
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
      String id = null;
      String name = null;
      List<String> data = new ArrayList<>();
      String line;
      while ((line = lines.readLine()) != null) {
        if (line.isEmpty()) {
          if (!data.isEmpty() || name != null) {
            events.add(new Event(id, name, String.join("\n", data), null));
          }
          id = null;
          name = null;
          data = new ArrayList<>();
        } else if (line.startsWith(":")) {
          events.add(new Event(null, null, null, line.substring(1).trim()));
        } else {
          int colon = line.indexOf(':');
          String field = colon < 0 ? line : line.substring(0, colon);
          String value = colon < 0 ? "" : line.substring(colon + 1).stripLeading();
          switch (field) {
            case "id" -> id = value;
            case "event" -> name = value;
            case "data" -> data.add(value);
            default -> {}
          }
        }
      }
    } catch (IOException e) {
      // closed by the test or by the server
    }
  }

  @Override
  public void close() {
    if (body != null) {
      try {
        body.close();
      } catch (IOException e) {
        // already gone
      }
    }
  }
}
