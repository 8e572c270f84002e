package io.pulse.common.testing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jboss.logmanager.formatters.PatternFormatter;

/**
 * Everything the application logs while it is open, formatted as the console would (message and
 * stack trace, with the MDC), down to DEBUG for the categories given: what a test greps for
 * secrets. Closing it detaches it and restores those categories' levels.
 */
public final class CapturedLog implements AutoCloseable {
  private final StringBuffer text = new StringBuffer();
  private final Handler handler;
  private final Map<Logger, Level> levels = new HashMap<>();
  // Held so that the JUL loggers whose level is changed are not collected meanwhile.
  private final List<Logger> verbose = new ArrayList<>();

  public CapturedLog(String... debugCategories) {
    PatternFormatter formatter = new PatternFormatter("%-5p [%c] %X %s%e%n");
    handler =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            text.append(formatter.format(record));
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    handler.setLevel(Level.ALL);
    for (String category : debugCategories) {
      Logger logger = Logger.getLogger(category);
      levels.put(logger, logger.getLevel());
      logger.setLevel(Level.FINE);
      verbose.add(logger);
    }
    Logger.getLogger("").addHandler(handler);
  }

  public String text() {
    return text.toString();
  }

  /** The secrets (of {@code secrets}) that the captured text holds; empty when none leaked. */
  public List<String> leaked(List<String> secrets) {
    String all = text();
    return secrets.stream().filter(all::contains).toList();
  }

  @Override
  public void close() {
    Logger.getLogger("").removeHandler(handler);
    levels.forEach(Logger::setLevel);
  }
}
