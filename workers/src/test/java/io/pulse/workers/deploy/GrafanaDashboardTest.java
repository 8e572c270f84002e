package io.pulse.workers.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class GrafanaDashboardTest {

  @Test
  void dashboardQueriesRealMetricsAndLabels() {
    GrafanaDashboard dashboard = GrafanaDashboard.load();

    assertEquals(List.of(), dashboard.check());
    // Every kind of JobMetrics meter has a panel.
    for (String metric : GrafanaDashboard.appMetrics().keySet()) {
      if (metric.endsWith("_total") || metric.endsWith("_bucket")) {
        assertTrue(
            dashboard.expressions().stream().anyMatch(e -> e.contains(metric)), metric + " unused");
      }
    }
  }

  @Test
  void appsExportTheMetricNamesTheReadmeGives() {
    assertTrue(
        GrafanaDashboard.appMetrics()
            .keySet()
            .containsAll(
                List.of(
                    "pulse_jobs_enqueued_total",
                    "pulse_jobs_completed_total",
                    "pulse_jobs_handler_seconds_bucket",
                    "pulse_jobs_latency_seconds_bucket")),
        GrafanaDashboard.appMetrics().toString());
  }

  @Test
  void aMetricTheAppsDoNotExportIsCaught() {
    assertTrue(
        problemsAfterReplacing("pulse_jobs_enqueued_total", "pulse_jobs_enqueued_count").stream()
            .anyMatch(p -> p.startsWith("pulse_jobs_enqueued_count is not a metric")));
  }

  @Test
  void aLabelTheMetricLacksIsCaught() {
    assertTrue(
        problemsAfterReplacing("outcome=\\\"dead\\\"", "status=\\\"dead\\\"").stream()
            .anyMatch(p -> p.startsWith("pulse_jobs_completed_total has no label status")));
  }

  /** The check's findings on the committed dashboard with one piece of text replaced. */
  private static List<String> problemsAfterReplacing(String text, String replacement) {
    String json = DeployFiles.read(GrafanaDashboard.FILE);
    assertTrue(json.contains(text), text);
    return GrafanaDashboard.of(json.replace(text, replacement)).check();
  }
}
