package io.pulse.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pulse.common.testing.Browsers;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * What an integrator does first, in a real browser: open Swagger UI, authorize with an API key (the
 * bearer scheme the document declares) and send one request. Swagger UI is built into dev and test
 * only, so this runs in the test profile against its bootstrap admin key.
 */
@QuarkusTest
class SwaggerUiBrowserTest {
  static final String ADMIN_KEY = "test-admin-key";
  static final String PATH = "/api/v1/admin/dead-letters";

  @TestHTTPResource("/q/swagger-ui/")
  URL swaggerUi;

  WebDriver browser;
  WebDriverWait wait;

  @BeforeEach
  void openBrowser() {
    browser = Browsers.chromium(1280, 1600);
    wait = new WebDriverWait(browser, Duration.ofSeconds(30));
  }

  @AfterEach
  void closeBrowser() {
    if (browser != null) {
      browser.quit();
    }
  }

  @Test
  void authorizesWithAnApiKeyAndSendsARequest() throws Exception {
    browser.get(swaggerUi.toString());
    click(By.cssSelector(".auth-wrapper .btn.authorize"));

    WebElement key =
        wait.until(
            ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector(".modal-ux .auth-container input")));
    key.sendKeys(ADMIN_KEY);
    click(By.cssSelector(".modal-ux .auth-btn-wrapper .btn.authorize"));
    click(By.cssSelector(".modal-ux .auth-btn-wrapper .btn-done"));
    wait.until(ExpectedConditions.invisibilityOfElementLocated(By.cssSelector(".modal-ux")));

    String operation = "//div[contains(@class,'opblock-get')][.//*[@data-path='" + PATH + "']]";
    click(By.xpath(operation + "//*[contains(@class,'opblock-summary')]"));
    click(By.xpath(operation + "//button[contains(@class,'try-out__btn')]"));
    click(By.xpath(operation + "//button[contains(@class,'execute')]"));

    WebElement status =
        wait.until(
            ExpectedConditions.visibilityOfElementLocated(
                By.xpath(
                    operation
                        + "//table[contains(@class,'live-responses-table')]"
                        + "/tbody/tr/td[contains(@class,'response-col_status')]")));
    ((JavascriptExecutor) browser)
        .executeScript("arguments[0].scrollIntoView({block: 'center'})", status);
    Browsers.screenshot(browser, "swagger-ui-authorized");

    assertEquals("200", status.getText().trim(), "the status Swagger UI shows");
    String curl =
        browser.findElement(By.xpath(operation + "//*[contains(@class,'curl-command')]")).getText();
    assertTrue(curl.contains("Authorization: Bearer " + ADMIN_KEY), "the key was sent: " + curl);
    String body =
        browser
            .findElement(
                By.xpath(
                    operation
                        + "//table[contains(@class,'live-responses-table')]"
                        + "/tbody/tr/td[contains(@class,'response-col_description')]"))
            .getText();
    assertTrue(body.contains("\"items\""), "the page of dead letters: " + body);
  }

  private void click(By locator) {
    wait.until(ExpectedConditions.elementToBeClickable(locator)).click();
  }
}
