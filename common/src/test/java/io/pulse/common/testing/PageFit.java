package io.pulse.common.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chromium.HasCdp;

/**
 * What a page or a mail must do at a given width: scroll only downwards. Nothing may be wider than
 * the window or stick out of it on the right, which is what makes a phone show a sideways scrollbar
 * or shrink the text.
 */
public final class PageFit {
  private PageFit() {}

  /** The document and each element that is laid out, against the window's inner width. */
  private static final String MEASURE =
      """
      const width = window.innerWidth;
      const wide = [];
      for (const e of document.querySelectorAll('body *')) {
        const r = e.getBoundingClientRect();
        if (r.width > 0 && (r.width > width + 0.5 || r.right > width + 0.5)) {
          wide.push(e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')
              + ' ' + Math.round(r.left) + '..' + Math.round(r.right));
        }
      }
      return [width, document.documentElement.scrollWidth, wide];
      """;

  /**
   * A viewport of exactly this size. Headless Chromium keeps its window at least 500 px wide
   * whatever {@code --window-size} says, so a phone is emulated (as DevTools' device mode does: a
   * mobile viewport, where a page without a viewport meta is laid out 980 px wide and shrunk).
   */
  public static void viewport(WebDriver browser, int width, int height) {
    ((HasCdp) browser)
        .executeCdpCommand(
            "Emulation.setDeviceMetricsOverride",
            Map.of(
                "width", width, "height", height, "deviceScaleFactor", 1, "mobile", width < 500));
  }

  /** The page is laid out at {@code expected} px (its viewport meta works) and fits in it. */
  public static void assertFits(WebDriver browser, String what, int expected) {
    List<?> measured = (List<?>) ((JavascriptExecutor) browser).executeScript(MEASURE);
    long width = ((Number) measured.get(0)).longValue();
    long scrollWidth = ((Number) measured.get(1)).longValue();
    assertEquals(expected, width, what + ": laid out at another width (no viewport meta?)");
    assertTrue(
        scrollWidth <= width,
        what + ": the document is " + scrollWidth + " px wide in a " + width + " px window");
    assertEquals(List.of(), measured.get(2), what + ": elements wider than " + width + " px");
  }

  /** Renders what follows as a reader who chose the dark (or light) scheme sees it. */
  public static void prefersDark(WebDriver browser, boolean dark) {
    ((HasCdp) browser)
        .executeCdpCommand(
            "Emulation.setEmulatedMedia",
            Map.of(
                "features",
                List.of(Map.of("name", "prefers-color-scheme", "value", dark ? "dark" : "light"))));
  }

  /** The computed background colour of the first element matching the selector. */
  public static String background(WebDriver browser, String selector) {
    return (String)
        ((JavascriptExecutor) browser)
            .executeScript(
                "return getComputedStyle(document.querySelector(arguments[0])).backgroundColor",
                selector);
  }
}
