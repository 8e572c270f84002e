package io.pulse.workers.notification;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A real HTTP receiver for webhook tests. It checks every request's signature the way a receiver
 * following the README would (its own HMAC code, not ours), and answers from a script per user:
 * each entry a status code, or "timeout" to hold the answer past the sender's read timeout.
 */
final class WebhookReceiver implements AutoCloseable {
  record Received(String userId, String idempotencyKey, boolean signatureValid, String body) {}

  final List<Received> received = new CopyOnWriteArrayList<>();
  private final Map<String, List<String>> scripts = new ConcurrentHashMap<>();
  private final HttpServer server;
  private final String secret;
  private final CountDownLatch closing = new CountDownLatch(1);

  WebhookReceiver(int port, String secret) throws IOException {
    this.secret = secret;
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
    String timestamp = exchange.getRequestHeaders().getFirst("Pulse-Timestamp");
    String signature = exchange.getRequestHeaders().getFirst("Pulse-Signature");
    boolean valid = signature != null && signature.equals("v1=" + hmac(timestamp + "." + body));
    String userId = body.replaceAll(".*\"userId\":(\\d+).*", "$1");
    received.add(
        new Received(
            userId, exchange.getRequestHeaders().getFirst("Idempotency-Key"), valid, body));
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

  private String hmac(String text) {
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
