package io.pulse.api;

import static io.pulse.api.ApiTestSupport.ADMIN_KEY;
import static io.pulse.api.ApiTestSupport.admin;
import static io.pulse.api.ApiTestSupport.broker;
import static io.pulse.api.ApiTestSupport.keyWithScopes;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import io.pulse.common.jobs.JobType;
import io.pulse.common.messaging.Topology;
import io.pulse.common.testing.Browsers;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The operator console in headless Chromium, as an operator uses it: sign in, watch a queue's depth
 * that the test put in the broker, find a dead job by its idempotency key and read its error, dry
 * run and replay it, sign out; a read key that may look but not replay; a title that tries to run a
 * script; and every page at a phone's width without sideways scrolling.
 */
@QuarkusTest
class ConsoleBrowserTest {
  static final String TYPE = JobType.FEED_REBUILD;

  @TestHTTPResource("/console")
  URL console;

  @Inject EntityManager em;

  WebDriver browser;
  WebDriverWait wait;
  DeadJobs dead;

  @BeforeEach
  void open() {
    dead = DeadJobs.clearing(em, broker(), TYPE);
    browser = Browsers.chromium(1280, 1000);
    wait = new WebDriverWait(browser, Duration.ofSeconds(30));
  }

  @AfterEach
  void close() {
    if (browser != null) {
      browser.quit();
    }
  }

  @Test
  void anOperatorWatchesAQueueFindsADeadJobAndReplaysIt() {
    String queue = Topology.workQueue(TYPE);
    broker().purge(queue);
    for (int i = 0; i < 3; i++) {
      broker()
          .publish(
              "",
              queue,
              new AMQP.BasicProperties.Builder().deliveryMode(2).build(),
              "{}".getBytes(StandardCharsets.UTF_8));
    }
    signIn(ADMIN_KEY);
    // The management API samples every 5 s and the page refreshes itself every 5 s.
    await()
        .atMost(Duration.ofSeconds(40))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> text("#queues tr[data-type='" + TYPE + "'] .ready"), "3"::equals);
    Browsers.screenshot(browser, "console-overview");

    UUID job = dead.deadWithMessage(TYPE, Instant.now());
    // The ledger's dead jobs next to the broker's dead letters, which the workers keep equal.
    browser.get(console.toString());
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> text("#queues tr[data-type='" + TYPE + "'] .dead-jobs"), "1"::equals);
    browser.get(console + "/jobs");
    browser.findElement(By.id("search-key")).sendKeys("key-" + job);
    click(By.id("search"));
    click(By.linkText(job.toString()));
    assertTrue(text("#job-error").contains("connection reset"), text("#job-error"));
    assertEquals("dead", text("#job-status"));
    Browsers.screenshot(browser, "console-dead-job");

    click(By.id("replay-job"));
    assertTrue(
        text("#dry-run").startsWith("1 dead job(s) would be queued again"), text("#dry-run"));
    click(By.id("confirm-replay"));
    assertEquals("1 moved, 0 skipped.", text("#replay-result"));
    assertEquals(
        "queued", ApiTestSupport.one(em, "select status from jobs where id = '" + job + "'"));

    click(By.id("sign-out"));
    wait.until(ExpectedConditions.urlContains("/console/sign-in"));
    browser.get(console.toString());
    wait.until(ExpectedConditions.urlContains("/console/sign-in"));
  }

  @Test
  void aReadKeyLooksButCannotReplay() {
    UUID job = dead.deadWithMessage(TYPE, Instant.now());
    signIn(keyWithScopes("read"));
    browser.get(console + "/dead-letters/replay?jobId=" + job);
    assertTrue(text("#dry-run").startsWith("1 dead job(s)"), text("#dry-run"));
    assertTrue(browser.findElements(By.id("confirm-replay")).isEmpty(), "no replay button");
    assertTrue(text("#replay-needs-admin").contains("admin"));
    browser.get(console + "/api-keys");
    assertTrue(browser.findElements(By.id("create-key")).isEmpty(), "no key form");
    assertEquals(
        "dead", ApiTestSupport.one(em, "select status from jobs where id = '" + job + "'"));
  }

  @Test
  void aTitleThatTriesToRunAScriptIsShownAsText() {
    String title = "<script>window.pwned = 1</script><img src=x onerror=\"window.pwned = 2\">";
    String jobId =
        admin()
            .body(Map.of("type", "comment.reply", "title", title, "recipientIds", List.of(1)))
            .post("/api/v1/notifications")
            .then()
            .statusCode(202)
            .extract()
            .path("jobId");
    signIn(ADMIN_KEY);
    browser.get(console + "/jobs/" + jobId);
    assertTrue(text("#payload").contains("<script>window.pwned = 1</script>"), text("#payload"));
    assertEquals(
        Boolean.TRUE,
        ((JavascriptExecutor) browser).executeScript("return window.pwned === undefined"),
        "nothing of the title ran");
  }

  @Test
  void everyPageFitsAPhoneWithoutSidewaysScrolling() {
    browser.quit();
    browser = Browsers.chromium(390, 844);
    // Headless Chromium keeps its window at least 500 px wide: emulate the phone's viewport.
    io.pulse.common.testing.PageFit.viewport(browser, 390, 844);
    wait = new WebDriverWait(browser, Duration.ofSeconds(30));
    UUID job = dead.deadWithMessage(TYPE, Instant.now());
    signIn(ADMIN_KEY);
    for (String page :
        List.of(
            "",
            "/jobs",
            "/jobs/" + job,
            "/dead-letters",
            "/dead-letters?type=" + TYPE + "&errorClass=java.io.IOException",
            "/users/1",
            "/digests",
            "/api-keys",
            "/sign-in")) {
      browser.get(console + page);
      assertEquals(
          390L,
          ((Number) ((JavascriptExecutor) browser).executeScript("return window.innerWidth"))
              .longValue(),
          "/console" + page + " laid out at 390 px (its viewport meta)");
      Object overflow =
          ((JavascriptExecutor) browser)
              .executeScript(
                  "return document.documentElement.scrollWidth - document.documentElement.clientWidth");
      assertEquals(0L, ((Number) overflow).longValue(), "sideways scroll on /console" + page);
    }
    browser.get(console.toString());
    Browsers.screenshot(browser, "console-overview-390");
  }

  private void signIn(String key) {
    browser.get(console + "/sign-in");
    browser.findElement(By.id("key")).sendKeys(key);
    click(By.id("sign-in"));
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("signed-in-as")));
  }

  private String text(String css) {
    return wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(css)))
        .getText()
        .trim();
  }

  private void click(By locator) {
    wait.until(ExpectedConditions.elementToBeClickable(locator)).click();
  }
}
