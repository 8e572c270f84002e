package io.pulse.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One markdown table of results with its notes, and the results file around it: the same text is
 * printed and committed, so what a reviewer reads is what the run printed.
 */
final class ResultTable {
  private static final DateTimeFormatter FILE_NAME = DateTimeFormatter.ofPattern("yyyy-MM-dd-HHmm");
  private static final DateTimeFormatter TITLE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");

  private final List<String[]> rows = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  void row(String number, String scenario, String result, String details) {
    rows.add(new String[] {number, scenario, result, details});
  }

  void note(String text) {
    notes.add(text);
  }

  /** The table and its notes: what the run prints. */
  String table() {
    StringBuilder out = new StringBuilder();
    out.append("| # | scenario | result | details |\n");
    out.append("|---|---|---|---|\n");
    for (String[] row : rows) {
      out.append('|');
      for (String cell : row) {
        out.append(' ').append(cell(cell)).append(" |");
      }
      out.append('\n');
    }
    if (!notes.isEmpty()) {
      out.append('\n');
      for (String note : notes) {
        out.append("- ").append(note).append('\n');
      }
    }
    return out.toString();
  }

  /** The whole results file: table, then the machine and the settings it was measured with. */
  String document(LocalDateTime at, Map<String, String> machine, Map<String, String> settings) {
    return document(at, machine, settings, "");
  }

  /**
   * As {@link #document(LocalDateTime, Map, Map)}, with {@code earlierPass} (markdown: the table of
   * an earlier pass of the same run, on other JVM settings) after the table.
   */
  String document(
      LocalDateTime at,
      Map<String, String> machine,
      Map<String, String> settings,
      String earlierPass) {
    StringBuilder out = new StringBuilder();
    out.append("# Pulse benchmark ").append(TITLE.format(at)).append("\n\n");
    out.append(
        "Run with `deploy/bench.sh`; see bench/README.md for what each scenario measures.\n\n");
    out.append(table()).append('\n');
    if (!earlierPass.isBlank()) {
      out.append(earlierPass.strip()).append("\n\n");
    }
    out.append("## Machine\n\n");
    keyValues(out, machine);
    out.append("\n## Settings\n\n");
    keyValues(out, settings);
    return out.toString();
  }

  /**
   * Writes bench/results/yyyy-MM-dd-HHmm.md. Written to a .tmp first (ignored by git) and moved, so
   * an interrupted run never leaves half a results file that looks finished.
   */
  Path write(Path dir, LocalDateTime at, String document) throws IOException {
    Files.createDirectories(dir);
    String base = FILE_NAME.format(at);
    Path target = dir.resolve(base + ".md");
    for (int n = 2; Files.exists(target); n++) {
      target = dir.resolve(base + "-" + n + ".md");
    }
    Path tmp = dir.resolve(target.getFileName() + ".tmp");
    Files.writeString(tmp, document);
    return Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
  }

  private static void keyValues(StringBuilder out, Map<String, String> values) {
    out.append("| | |\n|---|---|\n");
    values.forEach(
        (k, v) -> out.append("| ").append(cell(k)).append(" | ").append(cell(v)).append(" |\n"));
  }

  /** A table cell: a pipe or a line break would end it early. */
  private static String cell(String text) {
    return String.valueOf(text).replace("|", "\\|").replaceAll("\\s*\\R\\s*", " ");
  }
}
