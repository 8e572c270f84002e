package io.pulse.workers.e2e;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pulse.common.testing.Browsers;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The packaged api and workers as two separate processes, as they run in production, against the
 * real services: a notification posted to the API reaches the recipient's inbox, and stopping the
 * workers in the middle of a burst loses and duplicates nothing.
 */
class EndToEndIT {
  // Where the run goes: the test profile's database and virtual host unless the build moves them
  // (the same _TEST_ variables that move the @QuarkusTest suites, so parallel builds stay apart).
  static final int API_PORT = Integer.parseInt(setting("pulse.e2e.api-port", "18080"));
  static final int WORKERS_PORT = Integer.parseInt(setting("pulse.e2e.workers-port", "18081"));
  // The packaged API answers health on its management interface, not on API_PORT.
  static final int API_MANAGEMENT_PORT =
      Integer.parseInt(setting("pulse.e2e.api-management-port", "18090"));
  static final String DB_URL =
      setting("_TEST_QUARKUS_DATASOURCE_JDBC_URL", "jdbc:postgresql://127.0.0.1:5432/pulse_test");

  /**
   * A virtual host of its own, reset at the start, whose queues the packaged apps declare with the
   * production delivery limit (10). On the test profile's vhost (limit 3) a forced close of the
   * workers' connection could dead-letter a job that never ran: the quorum queue hands a returned
   * message to the next consumer of the same closing connection, and each return counts (4 dispatch
   * consumers, 4 returns: seen once in CI).
   */
  static final String VHOST = setting("_TEST_PULSE_RABBITMQ_VIRTUAL_HOST", "pulse-test") + "-e2e";

  /** The production delivery limit, which the apps and the cluster test declare the queues with. */
  static final int DELIVERY_LIMIT = 10;

  static final String KEY = "e2e-admin-key";
  static Process api;
  static Process workers;

  @BeforeAll
  static void start() throws Exception {
    new Management(15672).resetVirtualHost(VHOST);
    api = launch("api", API_PORT);
    workers = launch("workers", WORKERS_PORT);
    awaitReady(API_MANAGEMENT_PORT);
    awaitReady(WORKERS_PORT);
  }

  @AfterAll
  static void stop() throws Exception {
    stopApps(api, workers);
  }

  /** SIGTERM to each app still running, and up to 40 s for its graceful shutdown. */
  static void stopApps(Process... apps) throws InterruptedException {
    for (Process p : apps) {
      if (p != null && p.isAlive()) {
        p.destroy();
        p.waitFor(40, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void aNotificationPostedToTheApiReachesTheInbox() {
    call()
        .body("{\"handle\":\"e2e\",\"email\":\"e2e@uni.example\"}")
        .put("/api/v1/users/7001")
        .then()
        .statusCode(200);
    String job =
        notify(
            "{\"type\":\"community.post\",\"recipientIds\":[7001,7002],\"title\":\"End to end\","
                + "\"body\":\"hello\",\"link\":\"/posts/1\",\"actorId\":5}");
    awaitStatus(job, "succeeded", Duration.ofSeconds(30));
    call()
        .get("/api/v1/users/7001/notifications")
        .then()
        .statusCode(200)
        .body("items[0].title", equalTo("End to end"))
        .body("items[0].read", equalTo(false));
  }

  @Test
  void aDeadJobReplayedFromTheConsoleRunsOnceOnAWorker() throws Exception {
    String title = "poison-" + System.nanoTime();
    // The fault: the database refuses this notification's inbox row, so every attempt fails
    // (retryable) until the job is dead; dropping the trigger is the operator's fix.
    String trigger = refuseInboxRowsTitled(title);
    try {
      String job =
          notify(
              "{\"type\":\"community.post\",\"recipientIds\":[7101],\"title\":\"" + title + "\"}");
      awaitStatus(job, "dead", Duration.ofSeconds(60));
      call()
          .get("/api/v1/admin/dead-letters?type=notification.dispatch")
          .then()
          .statusCode(200)
          .body(
              "items.find { it.jobId == '" + job + "' }.errorMessage",
              org.hamcrest.Matchers.containsString("refused by the test"));
      exec("drop trigger " + trigger + " on notifications");

      // The operator's way: the console's dry run and replay, in a real browser, which go
      // through the admin API's replay; then a real worker runs the job.
      replayInTheConsole(job);
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  call()
                      .get("/api/v1/jobs/" + job)
                      .then()
                      .body("status", equalTo("succeeded"))
                      .body("attempts", equalTo(1)));
      String replay = "{\"jobIds\":[\"" + job + "\"]}";
      call()
          .body(replay)
          .post("/api/v1/admin/dead-letters/replay")
          .then()
          .statusCode(200)
          .body("replayed", org.hamcrest.Matchers.empty())
          .body("skipped[0].reason", org.hamcrest.Matchers.containsString("succeeded"));
      assertEquals(
          1,
          count("select count(*) from notifications where title = '" + title + "'"),
          "the replayed job wrote its inbox row once");
    } finally {
      exec("drop trigger if exists " + trigger + " on notifications");
    }
  }

  @Test
  void stoppingTheApiEndsItsOpenStreamsCleanlyAndPromptly() throws Exception {
    String token =
        call()
            .post("/api/v1/users/7100/stream-tokens")
            .then()
            .statusCode(200)
            .extract()
            .path("token");
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<java.util.stream.Stream<String>> stream =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://127.0.0.1:"
                            + API_PORT
                            + "/api/v1/users/7100/notifications/stream?token="
                            + token))
                .build(),
            HttpResponse.BodyHandlers.ofLines());
    assertEquals(200, stream.statusCode());
    // Read the stream to its end on another thread: the unread count comes first, on connect.
    java.util.concurrent.BlockingQueue<String> lines =
        new java.util.concurrent.LinkedBlockingQueue<>();
    java.util.concurrent.CompletableFuture<Long> ended =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () -> stream.body().peek(lines::add).count());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> lines.stream().anyMatch(l -> l.contains("unread")));

    long stopping = System.nanoTime();
    api.destroy(); // SIGTERM, as an orchestrator sends it
    // The stream ends with the response's own end, not a cut connection (which fails the read),
    // and the API does not sit out its shutdown timeout waiting for the open stream.
    ended.get(8, TimeUnit.SECONDS);
    assertTrue(api.waitFor(8, TimeUnit.SECONDS), "the API stops without waiting out its timeout");
    long tookMillis = (System.nanoTime() - stopping) / 1_000_000;
    System.out.printf("stream ended cleanly; API stopped %d ms after SIGTERM%n", tookMillis);

    api = launch("api", API_PORT);
    awaitReady(API_MANAGEMENT_PORT);
  }

  @Test
  void stoppingTheWorkersMidBurstLosesAndDuplicatesNothing() throws Exception {
    int jobs = 400;
    int recipients = 500;
    String ids =
        LongStream.rangeClosed(1, recipients)
            .map(i -> 80_000L + i)
            .mapToObj(Long::toString)
            .collect(Collectors.joining(","));
    // Queue the burst while no worker runs, so the stop below lands in the middle of it.
    workers.destroy();
    assertTrue(workers.waitFor(45, TimeUnit.SECONDS));
    List<String> jobIds = new ArrayList<>();
    for (int i = 0; i < jobs; i++) {
      jobIds.add(
          call()
              .body(
                  "{\"type\":\"community.post\",\"recipientIds\":["
                      + ids
                      + "],\"title\":\"burst "
                      + i
                      + "\"}")
              .post("/api/v1/notifications")
              .then()
              .statusCode(202)
              .extract()
              .path("jobId"));
    }
    String inList = jobIds.stream().map(id -> "'" + id + "'").collect(Collectors.joining(","));

    workers = launch("workers", WORKERS_PORT);
    // Stop the workers (SIGTERM, as an orchestrator does) once some jobs are done.
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () ->
                count(
                        "select count(*) from jobs where status = 'succeeded' and id in ("
                            + inList
                            + ")")
                    > 0);
    workers.destroy();
    assertTrue(workers.waitFor(45, TimeUnit.SECONDS), "workers stop within the shutdown timeout");
    long doneAtStop =
        count("select count(*) from jobs where status = 'succeeded' and id in (" + inList + ")");

    workers = launch("workers", WORKERS_PORT);
    awaitReady(WORKERS_PORT);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                count(
                        "select count(*) from jobs where status = 'succeeded' and id in ("
                            + inList
                            + ")")
                    == jobs);

    long rows = count("select count(*) from notifications where job_id in (" + inList + ")");
    long duplicates =
        count(
            "select count(*) from (select user_id, job_id from notifications where job_id in ("
                + inList
                + ") group by user_id, job_id having count(*) > 1) d");
    System.out.printf(
        "burst: %d jobs, %d done when the workers stopped, %d rows, %d duplicates%n",
        jobs, doneAtStop, rows, duplicates);
    assertEquals((long) jobs * recipients, rows, "every recipient of every job, once");
    assertEquals(0, duplicates);
  }

  @Test
  void aWorkerKilledMidFanOutStillGivesEveryMemberExactlyOneEntry() throws Exception {
    long community = 9_100_000L + System.currentTimeMillis() % 100_000;
    long first = community * 100;
    int members = 20_000;
    exec(
        "insert into users (id, handle, last_active_at) select g, 'm' || g, now() from generate_series("
            + first
            + ", "
            + (first + members - 1)
            + ") g on conflict do nothing");
    call()
        .body("{\"name\":\"Big club\"}")
        .put("/api/v1/communities/" + community)
        .then()
        .statusCode(200);
    exec(
        "insert into community_members (community_id, user_id) select "
            + community
            + ", g from generate_series("
            + first
            + ", "
            + (first + members - 1)
            + ") g");

    workers.destroy();
    assertTrue(workers.waitFor(45, TimeUnit.SECONDS));
    long post = community;
    call()
        .body(
            "{\"postId\":"
                + post
                + ",\"communityId\":"
                + community
                + ",\"authorId\":5,\"title\":\"Meetup\","
                + "\"createdAt\":\""
                + java.time.Instant.now()
                + "\"}")
        .post("/api/v1/posts")
        .then()
        .statusCode(202);

    workers = launch("workers", WORKERS_PORT);
    String chunks =
        "select count(*) from jobs where type = 'feed.fanout.chunk' and status = 'succeeded'"
            + " and payload->>'postId' = '"
            + post
            + "'";
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> count(chunks) > 0);
    workers.destroyForcibly(); // SIGKILL: no graceful stop, in-flight chunks die with the process
    assertTrue(workers.waitFor(10, TimeUnit.SECONDS));
    long entriesAtKill = count("select count(*) from feed_entries where post_id = " + post);

    workers = launch("workers", WORKERS_PORT);
    awaitReady(WORKERS_PORT);
    await().atMost(Duration.ofSeconds(90)).until(() -> count(chunks) == members / 500);
    long entries = count("select count(*) from feed_entries where post_id = " + post);
    long membersWithEntry =
        count(
            "select count(*) from community_members m join feed_entries f"
                + " on f.user_id = m.user_id and f.post_id = "
                + post
                + " where m.community_id = "
                + community);
    System.out.printf(
        "fan-out: %d members, %d entries when the worker was killed, %d after restart%n",
        members, entriesAtKill, entries);
    assertEquals(members, entries);
    assertEquals(members, membersWithEntry);
  }

  @Test
  void closingEveryBrokerConnectionMidBurstLosesAndDuplicatesNothing() throws Exception {
    Burst burst = Burst.send("conn", 300, 90_000L, EndToEndIT::closeAllBrokerConnections);
    // Every request the API took (202, or 503 after its ledger row was written) must end succeeded.
    long ledger = burst.awaitAllSucceeded(Duration.ofSeconds(90));
    long inbox = burst.inbox();
    System.out.printf(
        "connections closed: %d requests, %d accepted, %d refused (503), %d ledger rows,"
            + " %d inbox rows%n",
        burst.sent(), burst.accepted(), burst.refused(), ledger, inbox);
    assertTrue(ledger >= burst.accepted(), "every accepted job is in the ledger");
    assertEquals(ledger, inbox, "one inbox row per job: nothing lost, nothing twice");
    assertEquals(0, burst.duplicates());
  }

  /** Force-closes every connection of the test virtual host through the management API. */
  static void closeAllBrokerConnections() {
    try {
      HttpClient http = HttpClient.newHttpClient();
      String auth =
          "Basic " + java.util.Base64.getEncoder().encodeToString("guest:guest".getBytes());
      HttpResponse<String> list =
          http.send(
              HttpRequest.newBuilder(
                      URI.create(
                          "http://127.0.0.1:15672/api/vhosts/"
                              + java.net.URLEncoder.encode(
                                  VHOST, java.nio.charset.StandardCharsets.UTF_8)
                              + "/connections"))
                  .header("Authorization", auth)
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      java.util.regex.Matcher names =
          java.util.regex.Pattern.compile("\"name\":\"([^\"]+)\"").matcher(list.body());
      int closed = 0;
      while (names.find()) {
        String name =
            java.net.URLEncoder.encode(names.group(1), java.nio.charset.StandardCharsets.UTF_8)
                .replace("+", "%20");
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:15672/api/connections/" + name))
                .header("Authorization", auth)
                .header("X-Reason", "fault injection")
                .DELETE()
                .build(),
            HttpResponse.BodyHandlers.discarding());
        closed++;
      }
      System.out.println("closed " + closed + " broker connections");
    } catch (Exception e) {
      throw new IllegalStateException("could not close broker connections", e);
    }
  }

  // --- processes ---------------------------------------------------------------------------

  /**
   * Starts the packaged app on {@code port}; {@code overrides} are further {@code -Dname=value}
   * options, which win over the defaults here (the last of two equal -D options counts).
   */
  static Process launch(String app, int port, String... overrides) throws IOException {
    Path moduleDir = Path.of(System.getProperty("user.dir"));
    Path jar = moduleDir.resolveSibling(app).resolve("target/quarkus-app/quarkus-run.jar");
    if (!Files.exists(jar)) {
      throw new IllegalStateException(
          jar + " is missing: run the full build (mvnw verify) from the root");
    }
    List<String> command =
        new ArrayList<>(
            List.of(
                System.getProperty("java.home") + "/bin/java",
                "-Dquarkus.http.port=" + port,
                // the API's; the workers have no management interface and ignore it
                "-Dquarkus.management.port=" + API_MANAGEMENT_PORT,
                "-Dquarkus.management.host=127.0.0.1",
                "-Dquarkus.datasource.jdbc.url=" + DB_URL,
                "-Dpulse.rabbitmq.virtual-host=" + VHOST,
                // short tiers, so retries finish within a test; the production delivery limit
                "-Dpulse.rabbitmq.retry-tiers=100ms,300ms,1s",
                "-Dpulse.rabbitmq.delivery-limit=" + DELIVERY_LIMIT,
                "-Dpulse.api.bootstrap-key=" + KEY,
                // the run's load is not what the per-key rate limit is tested with
                "-Dpulse.api.limits.requests-per-second=1000000",
                "-Dpulse.api.limits.burst=1000000",
                "-Dpulse.digests.unsubscribe-secret=e2e-unsubscribe-secret",
                "-Dpulse.api.stream.token-secret=e2e-stream-token-secret",
                "-Dpulse.sweeper.grace=2s",
                // confirms recorded well inside that grace
                "-Dpulse.ledger.mark-published-after=500ms",
                "-Dpulse.feed.chunk-size=500"));
    command.addAll(List.of(overrides));
    command.addAll(List.of("-jar", jar.toString()));
    File log = moduleDir.resolve("target/e2e-" + app + "-" + port + ".log").toFile();
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log))
        .start();
  }

  static void awaitReady(int port) {
    HttpClient http = HttpClient.newHttpClient();
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(250))
        .ignoreExceptions()
        .until(
            () -> {
              HttpResponse<String> response =
                  http.send(
                      HttpRequest.newBuilder(
                              URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                          .build(),
                      HttpResponse.BodyHandlers.ofString());
              return response.statusCode() == 200;
            });
  }

  /**
   * Signs in to the packaged API's console, opens the dead job, dry-runs and confirms its replay,
   * and checks the result page; a screenshot of each step goes to target/screenshots.
   */
  static void replayInTheConsole(String job) {
    WebDriver browser = Browsers.chromium(1280, 1000);
    try {
      WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
      String console = "http://127.0.0.1:" + API_PORT + "/console";
      browser.get(console + "/sign-in");
      browser.findElement(By.id("key")).sendKeys(KEY);
      browser.findElement(By.id("sign-in")).click();
      wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("signed-in-as")));
      browser.get(console + "/jobs/" + job);
      assertEquals("dead", text(wait, "#job-status"));
      assertTrue(
          text(wait, "#job-error").contains("refused by the test"), text(wait, "#job-error"));
      Browsers.screenshot(browser, "e2e-console-dead-job");
      wait.until(ExpectedConditions.elementToBeClickable(By.id("replay-job"))).click();
      assertTrue(
          text(wait, "#dry-run").startsWith("1 dead job(s) would be queued again"),
          text(wait, "#dry-run"));
      wait.until(ExpectedConditions.elementToBeClickable(By.id("confirm-replay"))).click();
      assertEquals("1 moved, 0 skipped.", text(wait, "#replay-result"));
      Browsers.screenshot(browser, "e2e-console-replayed");
    } finally {
      browser.quit();
    }
  }

  private static String text(WebDriverWait wait, String css) {
    return wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(css)))
        .getText()
        .trim();
  }

  /** Posts a notification, answered 202; returns its job id. */
  static String notify(String body) {
    return call()
        .body(body)
        .post("/api/v1/notifications")
        .then()
        .statusCode(202)
        .extract()
        .path("jobId");
  }

  static void awaitStatus(String job, String status, Duration atMost) {
    await()
        .atMost(atMost)
        .untilAsserted(
            () -> call().get("/api/v1/jobs/" + job).then().body("status", equalTo(status)));
  }

  /** A system property, else an environment variable of that name, else the default. */
  static String setting(String name, String fallback) {
    String value = System.getProperty(name, System.getenv(name));
    return value == null || value.isBlank() ? fallback : value;
  }

  static RequestSpecification call() {
    return call(API_PORT);
  }

  static RequestSpecification call(int apiPort) {
    return given()
        .baseUri("http://127.0.0.1")
        .port(apiPort)
        .header("Authorization", "Bearer " + KEY)
        .contentType(ContentType.JSON);
  }

  /**
   * A trigger that makes the database refuse inbox rows of this title, so every attempt of their
   * job fails (retryable); returns its name, for {@code drop trigger <name> on notifications}.
   */
  static String refuseInboxRowsTitled(String title) throws SQLException {
    String trigger = "e2e_refuse_" + title.replace('-', '_');
    exec(
        "create or replace function e2e_refuse_row() returns trigger language plpgsql as"
            + " $$ begin raise exception 'refused by the test: %', new.title; end $$");
    exec(
        "create trigger "
            + trigger
            + " before insert on notifications for each row when (new.title = '"
            + title
            + "') execute function e2e_refuse_row()");
    return trigger;
  }

  static void exec(String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(DB_URL, "pulse", "pulse")) {
      c.createStatement().executeUpdate(sql);
    }
  }

  static long count(String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(DB_URL, "pulse", "pulse");
        ResultSet rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
