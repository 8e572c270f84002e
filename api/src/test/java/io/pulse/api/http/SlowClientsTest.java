package io.pulse.api.http;

import static io.pulse.api.ApiTestSupport.admin;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Clients that open a request and then send it a byte at a time, without or with an API key. They
 * must cost the API sockets, never its worker threads: while hundreds of them hang on, health and a
 * normal enqueue still answer at once, and each slow body ends with a 408 or a closed connection.
 */
@QuarkusTest
class SlowClientsTest {
  /** More than the 200 worker threads Quarkus has on a small machine. */
  private static final int SOCKETS = 210;

  private static final Duration HELD = Duration.ofSeconds(20);

  @TestHTTPResource("/")
  URI root;

  private final List<SlowClient> clients = new ArrayList<>();
  private final ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void closeAll() {
    trickle.shutdownNow();
    clients.forEach(SlowClient::close);
  }

  @BeforeEach
  void warmUp() {
    // The first calls of a fresh application are slow for reasons of their own (class loading,
    // the JIT, the first broker channel); what is timed here is the application under attack.
    health();
    enqueue();
  }

  @Test
  void slowBodiesWithoutAKeyOrWithOneHoldNoThread() throws Exception {
    for (int i = 0; i < SOCKETS; i++) {
      // Keyless: the unsubscribe form, declared within its limit and never sent.
      clients.add(
          open(
              "POST /digests/unsubscribe HTTP/1.1\r\nHost: x\r\n"
                  + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 4000\r\n\r\nt"));
      // With a write key: a notification declared a little under the API's limit, sent a byte a
      // second.
      clients.add(
          open(
              "POST /api/v1/notifications HTTP/1.1\r\nHost: x\r\n"
                  + "Authorization: Bearer test-admin-key\r\n"
                  + "Content-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{"));
    }
    // A client stops sending once answered: writing on after the server closed would reset the
    // connection and could drop the answer before the test reads it.
    trickle.scheduleAtFixedRate(
        () -> clients.stream().filter(c -> c.arrived().isEmpty()).forEach(c -> c.send(" ")),
        1,
        1,
        TimeUnit.SECONDS);

    stayResponsiveFor(HELD);

    for (SlowClient client : clients) {
      String answer = client.finish();
      assertTrue(
          answer.startsWith("HTTP/1.1 408") && answer.contains("pulse.api.body-read-timeout"),
          "a slow body ends with a 408 problem, got: " + answer);
      assertTrue(client.closed, "the server closed the connection after its 408");
    }
  }

  @Test
  void slowHeadersHoldNoThread() throws Exception {
    for (int i = 0; i < SOCKETS; i++) {
      clients.add(open("POST /api/v1/notifications HTTP/1.1\r\nHost: x\r\nX-Slow: "));
    }
    trickle.scheduleAtFixedRate(() -> clients.forEach(c -> c.send("a")), 1, 1, TimeUnit.SECONDS);
    stayResponsiveFor(HELD);
  }

  @Test
  void aDeclaredBodyOverTheFormLimitIsRefusedBeforeItIsRead() throws Exception {
    SlowClient client =
        open(
            "POST /digests/unsubscribe HTTP/1.1\r\nHost: x\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\nt");
    clients.add(client);
    Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> client.arrived().startsWith("HTTP/1.1 413"));
    assertTrue(client.finish().contains("pulse.api.max-form-bytes"), client.arrived());
    assertTrue(client.closed, "the server closed the connection after its 413");
  }

  /**
   * Every half second, health and an enqueue each answer within a second, for this long. The clock
   * starts once health first answers that fast: taking in a few hundred sockets at once is work of
   * its own for a loaded 2-core machine. Before the fix it never did, as every worker thread stayed
   * blocked on a slow body.
   */
  private void stayResponsiveFor(Duration held) throws InterruptedException {
    Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .ignoreExceptions()
        .untilAsserted(() -> probe(SlowClientsTest::health));
    long end = System.nanoTime() + held.toNanos();
    int probes = 0;
    while (System.nanoTime() < end) {
      probe(() -> RestAssured.given().get("/q/health/ready").then().statusCode(200));
      probe(
          () ->
              admin()
                  .body(
                      "{\"type\":\"comment.reply\",\"recipientIds\":[1],\"title\":\"t\",\"body\":\"b\"}")
                  .post("/api/v1/notifications")
                  .then()
                  .statusCode(202));
      probes++;
      TimeUnit.MILLISECONDS.sleep(500);
    }
    assertTrue(probes >= 10, "probed " + probes + " times");
  }

  private static void health() {
    RestAssured.given().get("/q/health/ready").then().statusCode(200);
  }

  private static void enqueue() {
    admin()
        .body("{\"type\":\"comment.reply\",\"recipientIds\":[1],\"title\":\"t\",\"body\":\"b\"}")
        .post("/api/v1/notifications")
        .then()
        .statusCode(202);
  }

  private static void probe(Runnable call) {
    RestAssured.config =
        RestAssured.config()
            .httpClient(
                RestAssured.config()
                    .getHttpClientConfig()
                    .setParam("http.socket.timeout", 1000)
                    .setParam("http.connection.timeout", 1000));
    long start = System.nanoTime();
    call.run();
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertTrue(ms < 1000, "answered in " + ms + " ms");
  }

  private SlowClient open(String start) throws IOException {
    SlowClient client = new SlowClient(new Socket(root.getHost(), root.getPort()));
    client.send(start);
    return client;
  }

  /** A socket that sends what it is told and remembers the first bytes of the answer. */
  private static final class SlowClient {
    private final Socket socket;
    private final StringBuilder answer = new StringBuilder();
    private volatile boolean closed;

    SlowClient(Socket socket) throws IOException {
      this.socket = socket;
    }

    synchronized void send(String text) {
      if (closed) {
        return;
      }
      try {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
      } catch (IOException e) {
        // The server closed it: that is one of the two endings a slow client may get.
        closed = true;
      }
    }

    /** What has arrived so far, without waiting; "" if nothing. */
    synchronized String arrived() {
      try {
        InputStream in = socket.getInputStream();
        if (in.available() > 0) {
          read(in);
        }
      } catch (IOException e) {
        closed = true;
      }
      return answer.toString();
    }

    /** Everything the server sends until it closes the connection or goes quiet for 2 s. */
    synchronized String finish() {
      try {
        socket.setSoTimeout(2000);
        InputStream in = socket.getInputStream();
        while (!closed) {
          read(in);
        }
      } catch (SocketTimeoutException e) {
        // Still open, and quiet.
      } catch (IOException e) {
        closed = true;
      }
      return answer.toString();
    }

    private void read(InputStream in) throws IOException {
      byte[] buffer = new byte[2048];
      int n = in.read(buffer);
      if (n < 0) {
        closed = true;
      } else {
        answer.append(new String(buffer, 0, n, StandardCharsets.US_ASCII));
      }
    }

    void close() {
      try {
        socket.close();
      } catch (IOException e) {
        // Already gone.
      }
    }
  }
}
