package io.pulse.workers.deploy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pulse.common.messaging.Topology;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The places outside the code that name job types, checked against the registry (JobType.ALL). Each
 * check takes the registry and the text it reads, so a test can feed it a doctored copy.
 */
final class JobTypeDrift {
  /** Types only test code registers: their handlers live under src/test. */
  static final String TEST_PREFIX = "test.";

  static final String README = "README.md";
  static final String MIGRATIONS = "common/src/main/resources/db/migration";
  private static final Pattern TYPE_KEY =
      Pattern.compile("^(?:%([^.]+)\\.)?pulse\\.jobs\\.types\\.\"([^\"]+)\"\\.");

  private JobTypeDrift() {}

  /** The README's "Job types" table lists every registered type, and no other. */
  static List<String> readme(Collection<String> types, String readme) {
    List<String> problems = new ArrayList<>();
    int start = readme.indexOf("\n### Job types\n");
    if (start < 0) {
      return List.of(README + " has no \"### Job types\" section");
    }
    int end = readme.indexOf("\n#", start + 1);
    Set<String> listed = new TreeSet<>();
    Matcher row =
        Pattern.compile("(?m)^\\| `([^`]+)` \\|")
            .matcher(readme.substring(start, end < 0 ? readme.length() : end));
    while (row.find()) {
      if (!listed.add(row.group(1))) {
        problems.add(README + " lists job type " + row.group(1) + " twice");
      }
    }
    differences(problems, README + " \"Job types\" table", types, listed);
    return problems;
  }

  /**
   * {@code pulse.jobs.types."<type>".*} keys name registered types; test-only types only in the
   * %test profile. A misspelt type would be ignored without a word.
   */
  static List<String> configKeys(Collection<String> types, Map<String, String> filesText) {
    List<String> problems = new ArrayList<>();
    filesText.forEach(
        (file, text) -> {
          for (String key : properties(text).stringPropertyNames()) {
            Matcher m = TYPE_KEY.matcher(key);
            if (!m.find() || types.contains(m.group(2))) {
              continue;
            }
            if (!("test".equals(m.group(1)) && m.group(2).startsWith(TEST_PREFIX))) {
              problems.add(file + ": " + key + " configures " + m.group(2) + ", no job type");
            }
          }
        });
    return problems;
  }

  /**
   * No migration names a job type: a check constraint listing them would be a second registry (and
   * a migration per new type). The ledger's type column is free text on purpose.
   */
  static List<String> migrations(Collection<String> types, Map<String, String> filesText) {
    List<String> problems = new ArrayList<>();
    filesText.forEach(
        (file, sql) ->
            types.stream()
                .filter(t -> sql.contains("'" + t + "'"))
                .forEach(t -> problems.add(file + " names job type " + t)));
    return problems;
  }

  /**
   * Each definitions file binds a work queue (from pulse.jobs) and a dead-letter queue (from
   * pulse.dead) for every registered type, and for no other: a pointed message next to
   * RabbitDefinitionsTest's whole-file comparison.
   */
  static List<String> definitions(Collection<String> types, Map<String, String> filesText) {
    List<String> problems = new ArrayList<>();
    filesText.forEach(
        (file, json) -> {
          Map<String, Set<String>> bound = new TreeMap<>();
          try {
            new ObjectMapper()
                .readTree(json)
                .path("bindings")
                .forEach(
                    b ->
                        bound
                            .computeIfAbsent(b.path("source").asText(), s -> new TreeSet<>())
                            .add(b.path("routing_key").asText()));
          } catch (IOException e) {
            problems.add(file + " is not JSON: " + e.getMessage());
            return;
          }
          for (String exchange : List.of(Topology.JOBS_EXCHANGE, Topology.DEAD_EXCHANGE)) {
            differences(
                problems,
                file + " bindings of " + exchange,
                types,
                bound.getOrDefault(exchange, Set.of()));
          }
        });
    return problems;
  }

  static Map<String, String> definitionsFiles() {
    Map<String, String> files = new TreeMap<>();
    RabbitDefinitions.FILES.forEach(f -> files.put(f, DeployFiles.read(f)));
    return files;
  }

  /** The committed app and shared properties files, by path. */
  static Map<String, String> propertiesFiles() {
    Map<String, String> files = new TreeMap<>();
    for (String file :
        List.of(
            DeployFiles.COMMON_PROPERTIES,
            DeployFiles.appProperties("api"),
            DeployFiles.appProperties("workers"))) {
      files.put(file, DeployFiles.read(file));
    }
    return files;
  }

  static Map<String, String> migrationFiles() {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> sql = Files.list(DeployFiles.path(MIGRATIONS))) {
      sql.map(f -> MIGRATIONS + "/" + f.getFileName())
          .forEach(f -> files.put(f, DeployFiles.read(f)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }

  static void differences(
      List<String> problems, String where, Collection<String> registered, Set<String> found) {
    Set<String> missing = new TreeSet<>(registered);
    missing.removeAll(found);
    Set<String> unknown = new TreeSet<>(found);
    unknown.removeAll(registered);
    if (!missing.isEmpty()) {
      problems.add(where + " misses registered job type(s) " + missing);
    }
    if (!unknown.isEmpty()) {
      problems.add(where + " names unregistered job type(s) " + unknown);
    }
  }

  private static Properties properties(String text) {
    Properties p = new Properties();
    try {
      p.load(new StringReader(text));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p;
  }
}
