package io.pulse.workers.deploy;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The repository's files as the deploy tests read them: paths, properties, the project version. */
final class DeployFiles {
  static final Path ROOT = findRoot();

  private DeployFiles() {}

  /** Maven runs the tests in the module directory; the deploy files live one level up. */
  private static Path findRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("deploy"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("no deploy/ directory above " + Path.of("").toAbsolutePath());
    }
    return dir;
  }

  static Path path(String relative) {
    return ROOT.resolve(relative);
  }

  static String read(String relative) {
    try {
      return Files.readString(path(relative));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Properties properties(String relative) {
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(path(relative))) {
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p;
  }

  /** The shared settings both apps read (lower priority than each app's own file). */
  static final String COMMON_PROPERTIES =
      "common/src/main/resources/META-INF/microprofile-config.properties";

  static String appProperties(String app) {
    return app + "/src/main/resources/application.properties";
  }

  /**
   * What an app runs with in production: the shared file overlaid with the app's own, {@code
   * %prod.} entries winning and other profiles' dropped. Keys keep their quotes ({@code
   * types."a.b".x}).
   */
  static TreeMap<String, String> prodProperties(String app) {
    TreeMap<String, String> merged = new TreeMap<>();
    for (String prefix : new String[] {"", "%prod."}) {
      for (String file : new String[] {COMMON_PROPERTIES, appProperties(app)}) {
        Properties p = properties(file);
        for (String key : p.stringPropertyNames()) {
          boolean plain = prefix.isEmpty() && !key.startsWith("%");
          if (plain || (!prefix.isEmpty() && key.startsWith(prefix))) {
            merged.put(key.substring(prefix.length()), p.getProperty(key));
          }
        }
      }
    }
    return merged;
  }

  /** Every property name an app's files mention, in any profile ({@code %dev.x} counts as x). */
  static TreeMap<String, String> allPropertyNames(String app) {
    TreeMap<String, String> names = new TreeMap<>();
    for (String file : new String[] {COMMON_PROPERTIES, appProperties(app)}) {
      for (String key : properties(file).stringPropertyNames()) {
        names.put(key.replaceFirst("^%[^.]+\\.", ""), file);
      }
    }
    return names;
  }

  /** The root pom's version: what {@code ${quarkus.application.version}} resolves to. */
  static String projectVersion() {
    Matcher m =
        Pattern.compile("</modelVersion>.*?<version>([^<]+)</version>", Pattern.DOTALL)
            .matcher(read("pom.xml"));
    if (!m.find()) {
      throw new IllegalStateException("no <version> in pom.xml");
    }
    return m.group(1);
  }
}
