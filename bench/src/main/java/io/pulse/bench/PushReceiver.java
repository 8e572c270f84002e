package io.pulse.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The push service of the push scenario, on 127.0.0.1: it answers 201 at once and counts, so the
 * figure is the sender's. It checks what is cheap to check on every request (a {@code vapid}
 * authorization with the expected key, the aes128gcm coding, a body of the right size); the
 * signature and the decryption are checked byte for byte by the workers' PushDeliveryTest.
 */
final class PushReceiver implements AutoCloseable {
  final AtomicLong received = new AtomicLong();
  final AtomicLong malformed = new AtomicLong();
  private final HttpServer server;
  private final ExecutorService threads = Executors.newFixedThreadPool(4);
  private final String expectedKey;

  PushReceiver(String vapidPublicKey) throws IOException {
    this.expectedKey = ", k=" + vapidPublicKey;
    server = HttpServer.create(new InetSocketAddress(BenchSettings.HOST, 0), 1024);
    server.createContext("/push/", this::handle);
    server.setExecutor(threads);
    server.start();
  }

  String origin() {
    return "http://" + BenchSettings.HOST + ":" + server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    byte[] body = exchange.getRequestBody().readAllBytes();
    String authorization = exchange.getRequestHeaders().getFirst("Authorization");
    boolean wellFormed =
        authorization != null
            && authorization.startsWith("vapid t=")
            && authorization.endsWith(expectedKey)
            && "aes128gcm".equals(exchange.getRequestHeaders().getFirst("Content-Encoding"))
            // salt, record size, key id length and key, then at least the delimiter and tag
            && body.length > 86 + 17;
    if (!wellFormed) {
      malformed.incrementAndGet();
    }
    received.incrementAndGet();
    exchange.sendResponseHeaders(wellFormed ? 201 : 400, -1);
    exchange.close();
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
