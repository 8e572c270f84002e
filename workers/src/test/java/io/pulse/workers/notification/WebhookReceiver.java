package io.pulse.workers.notification;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A real HTTP receiver for webhook tests. It checks every request's signature the way a receiver
 * following the README would (its own parsing and HMAC code, not ours): the header's {@code t=} is
 * the signed timestamp, and a request is valid when any {@code v1=} matches any secret the receiver
 * knows. It answers from a script per user: each entry a status code, or "timeout" to hold the
 * answer past the sender's read timeout.
 */
final class WebhookReceiver implements AutoCloseable {
  /**
   * One request: {@code timestamp} is its signature's {@code t=}, {@code signatures} its {@code
   * v1=} values, {@code verifiedWith} the secrets this receiver knows that one of them matches.
   */
  record Received(
      String userId,
      String idempotencyKey,
      String body,
      String timestamp,
      List<String> signatures,
      Set<String> verifiedWith) {
    boolean signatureValid() {
      return !verifiedWith.isEmpty();
    }
  }

  final List<Received> received = new CopyOnWriteArrayList<>();
  private final Map<String, List<String>> scripts = new ConcurrentHashMap<>();
  private final HttpServer server;
  private final List<String> secrets;
  private final CountDownLatch closing = new CountDownLatch(1);

  /** A receiver on {@code port} that accepts signatures made with any of {@code secrets}. */
  WebhookReceiver(int port, String... secrets) throws IOException {
    this.secrets = List.of(secrets);
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
    server.createContext("/hooks/pulse", this::handle);
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.start();
  }

  /** Answers for one user's deliveries, in order; the last one repeats. */
  void script(long userId, String... answers) {
    scripts.put(Long.toString(userId), new CopyOnWriteArrayList<>(List.of(answers)));
  }

  List<Received> forUser(long userId) {
    return received.stream().filter(r -> r.userId().equals(Long.toString(userId))).toList();
  }

  private void handle(HttpExchange exchange) throws IOException {
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    String header = exchange.getRequestHeaders().getFirst("Pulse-Signature");
    String timestamp = null;
    List<String> signatures = new ArrayList<>();
    for (String field : header == null ? new String[0] : header.split(",")) {
      if (field.startsWith("t=")) {
        timestamp = field.substring(2);
      } else if (field.startsWith("v1=")) {
        signatures.add(field.substring(3));
      }
    }
    Set<String> verifiedWith = new HashSet<>();
    if (timestamp != null
        && timestamp.equals(exchange.getRequestHeaders().getFirst("Pulse-Timestamp"))) {
      for (String secret : secrets) {
        if (signatures.contains(hmac(secret, timestamp + "." + body))) {
          verifiedWith.add(secret);
        }
      }
    }
    boolean valid = !verifiedWith.isEmpty();
    String userId = body.replaceAll(".*\"userId\":(\\d+).*", "$1");
    received.add(
        new Received(
            userId,
            exchange.getRequestHeaders().getFirst("Idempotency-Key"),
            body,
            timestamp,
            signatures,
            verifiedWith));
    List<String> script = scripts.getOrDefault(userId, List.of("200"));
    String answer = script.size() > 1 ? script.remove(0) : script.get(0);
    if (answer.equals("timeout")) {
      sleepPastTimeout();
      answer = "200";
    }
    int status = valid ? Integer.parseInt(answer) : 401;
    byte[] reply = ("{\"status\":" + status + "}").getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, reply.length);
    exchange.getResponseBody().write(reply);
    exchange.close();
  }

  /** Holds the answer past the sender's 1 s read timeout (or until the receiver closes). */
  private void sleepPastTimeout() {
    try {
      closing.await(1_500, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String hmac(String secret, String text) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      StringBuilder hex = new StringBuilder();
      for (byte b : mac.doFinal(text.getBytes(StandardCharsets.UTF_8))) {
        hex.append(String.format("%02x", b));
      }
      return hex.toString();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    closing.countDown();
    server.stop(0);
  }
}
