package io.pulse.common.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * One class owns the {@code jobs} table: reads every main source file of the apps and fails on a
 * statement about the table anywhere but {@link JobLedger}, and on a status spelled as a literal
 * inside it (statuses come from {@link JobStatus}, so the transition table is the one rulebook).
 */
class JobsTableOwnershipTest {
  private static final Pattern STATEMENT =
      Pattern.compile("(?i)\\b(from|into|update|join|table)\\s+jobs\\b(?!\\.)");
  private static final Path OWNER =
      Path.of("src/main/java/io/pulse/common/jobs/JobLedger.java").toAbsolutePath();

  @Test
  void onlyTheLedgerTalksToTheJobsTable() {
    List<String> elsewhere =
        sources()
            .filter(file -> !file.equals(OWNER))
            .flatMap(file -> statementsIn(file).map(s -> file.getFileName() + ": " + s))
            .toList();
    assertEquals(List.of(), elsewhere, "statements on the jobs table outside JobLedger");
    assertTrue(statementsIn(OWNER).count() >= 15, "the checker still finds the ledger's own");
  }

  @Test
  void theLedgerSpellsNoStatusByHand() throws IOException {
    String ledger = Files.readString(OWNER);
    for (JobStatus status : JobStatus.values()) {
      assertTrue(
          !ledger.contains("'" + status.wire() + "'"),
          "JobLedger writes '" + status.wire() + "' by hand; use JobStatus");
    }
  }

  private static Stream<Path> sources() {
    Path root = Path.of("..").toAbsolutePath().normalize();
    return Stream.of("common", "api", "workers")
        .map(module -> root.resolve(module).resolve("src/main/java"))
        .flatMap(JobsTableOwnershipTest::javaFiles)
        .map(Path::toAbsolutePath)
        .map(Path::normalize);
  }

  private static Stream<Path> javaFiles(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(f -> f.toString().endsWith(".java")).toList().stream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Stream<String> statementsIn(Path file) {
    try {
      Matcher m = STATEMENT.matcher(Files.readString(file));
      return m.results().map(r -> r.group());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
