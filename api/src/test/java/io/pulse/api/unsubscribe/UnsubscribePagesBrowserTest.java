package io.pulse.api.unsubscribe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pulse.common.digest.UnsubscribeScope;
import io.pulse.common.digest.UnsubscribeTokens;
import io.pulse.common.testing.Browsers;
import io.pulse.common.testing.PageFit;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The unsubscribe pages in headless Chromium, in Korean and English, at a phone's width (375 px)
 * and a desktop mail pane's (700 px): the confirmation, the page after the click (reached by
 * clicking, as a person does), a digest's confirmation and a refusal. None scrolls sideways; the
 * dark scheme gives the card a dark background. Screenshots: target/screenshots/unsubscribe-*.
 */
@QuarkusTest
class UnsubscribePagesBrowserTest {
  @TestHTTPResource("/unsubscribe")
  URL page;

  @Inject UnsubscribeTokens tokens;
  @Inject EntityManager em;

  /** The viewport's width in this round. */
  int width;

  @Test
  void everyPageFitsAPhoneAndAMailPaneInBothLanguages() {
    for (int each : new int[] {375, 700}) {
      width = each;
      WebDriver browser = Browsers.chromium(Math.max(width, 500), 900);
      try {
        PageFit.viewport(browser, width, 800);
        for (String language : List.of("ko", "en")) {
          long user = NotificationUnsubscribeTest.user(em, language);
          String type =
              tokens.issue(user, Instant.now(), UnsubscribeScope.emailOf("comment.reply"));
          String name = "unsubscribe-" + language + "-" + width;

          open(browser, type, name + "-confirm");
          assertEquals(language, browser.findElement(By.tagName("html")).getAttribute("lang"));
          browser.findElement(By.id("unsubscribe")).click();
          new WebDriverWait(browser, Duration.ofSeconds(30))
              .ignoring(StaleElementReferenceException.class)
              .until(ExpectedConditions.attributeToBe(By.tagName("h1"), "data-state", "done"));
          check(browser, name + "-done");

          open(browser, tokens.issue(user, Instant.now()), name + "-digest");
          // Used already: the refusal, with the offer of the rest.
          open(browser, type, name + "-used");
          assertEquals("used", browser.findElement(By.tagName("h1")).getAttribute("data-reason"));

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

  private void check(WebDriver browser, String name) {
    PageFit.assertFits(browser, name, width);
    Browsers.screenshot(browser, name);
  }
}
