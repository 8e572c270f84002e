package io.pulse.api.unsubscribe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pulse.common.digest.UnsubscribeScope;
import io.pulse.common.digest.UnsubscribeTokens;
import io.pulse.common.testing.Browsers;
import io.pulse.common.testing.PageFit;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.net.URL;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;

/**
 * The unsubscribe pages in headless Chromium, in Korean and English, at a phone's width (375 px)
 * and a desktop mail pane's (700 px): the confirmation, the page after the click (reached by
 * clicking, as a person does), a digest's confirmation and a refusal. None scrolls sideways; the
 * dark scheme gives the card a dark background. Screenshots: target/screenshots/unsubscribe-*.
 */
@QuarkusTest
class UnsubscribePagesBrowserTest {
  static long nextId = 730_000_000L + (System.currentTimeMillis() % 100_000) * 100;

  @TestHTTPResource("/unsubscribe")
  URL page;

  @Inject UnsubscribeTokens tokens;
  @Inject EntityManager em;

  @Test
  void everyPageFitsAPhoneAndAMailPaneInBothLanguages() {
    for (int width : new int[] {375, 700}) {
      WebDriver browser = Browsers.chromium(width, 900);
      try {
        for (String language : List.of("ko", "en")) {
          long user = user(language);
          String type =
              tokens.issue(user, Instant.now(), UnsubscribeScope.emailOf("comment.reply"));
          String name = "unsubscribe-" + language + "-" + width;

          open(browser, type, name + "-confirm");
          assertEquals(language, browser.findElement(By.tagName("html")).getAttribute("lang"));
          browser.findElement(By.id("unsubscribe")).click();
          assertEquals(
              "done", browser.findElement(By.tagName("h1")).getAttribute("data-state"));
          check(browser, name + "-done");

          open(browser, tokens.issue(user, Instant.now()), name + "-digest");
          // Used already: the refusal, with the offer of the rest.
          open(browser, type, name + "-used");
          assertEquals(
              "used", browser.findElement(By.tagName("h1")).getAttribute("data-reason"));

          PageFit.prefersDark(browser, true);
          open(browser, type, name + "-used-dark");
          assertEquals("rgb(27, 30, 37)", PageFit.background(browser, ".card"));
          PageFit.prefersDark(browser, false);
        }
      } finally {
        browser.quit();
      }
    }
  }

  private void open(WebDriver browser, String token, String name) {
    browser.get(page + "?token=" + token);
    check(browser, name);
  }

  private static void check(WebDriver browser, String name) {
    PageFit.assertFits(browser, name);
    Browsers.screenshot(browser, name);
  }

  private long user(String locale) {
    long id = nextId++;
    QuarkusTransaction.requiringNew()
        .run(
            () ->
                em.createNativeQuery(
                        "insert into users (id, handle, email, digest, locale)"
                            + " values (?1, ?2, ?3, 'daily', ?4)")
                    .setParameter(1, id)
                    .setParameter(2, "u" + id)
                    .setParameter(3, "u" + id + "@uni.example")
                    .setParameter(4, locale)
                    .executeUpdate());
    return id;
  }
}
