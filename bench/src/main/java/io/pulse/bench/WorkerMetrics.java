package io.pulse.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The workers' timer of a job's transaction, claim to commit ({@code pulse_jobs_handler_seconds}),
 * read from their Prometheus endpoint. The ledger's {@code finished_at} is taken when that
 * transaction begins, so this mean is what the ledger figure leaves out.
 *
 * <p>Not {@code pulse_jobs_latency_seconds}: its clock starts at the message's AMQP timestamp,
 * which carries whole seconds only, so it reads on average half a second high.
 */
final class WorkerMetrics {
  private static final String METRIC = "pulse_jobs_handler_seconds";
  private static final String TYPE = "type=\"notification.dispatch\"";

  private WorkerMetrics() {}

  /** A timer's running sum and count; the difference of two readings is a mean over a window. */
  record Mean(double sumSeconds, double count) {
    Mean minus(Mean earlier) {
      return new Mean(sumSeconds - earlier.sumSeconds, count - earlier.count);
    }

    double millis() {
      return count <= 0 ? Double.NaN : 1000 * sumSeconds / count;
    }
  }

  /** The current reading; NaN when the endpoint cannot be read, so the figure shows "unknown". */
  static Mean transaction(int port) {
    try {
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      HttpRequest request =
          HttpRequest.newBuilder(
                  URI.create("http://" + BenchSettings.HOST + ":" + port + "/q/metrics"))
              .timeout(Duration.ofSeconds(10))
              .build();
      String body = http.send(request, HttpResponse.BodyHandlers.ofString()).body();
      return new Mean(value(body, METRIC + "_sum"), value(body, METRIC + "_count"));
    } catch (Exception e) {
      return new Mean(Double.NaN, Double.NaN);
    }
  }

  /** The sample of one series, e.g. {@code pulse_jobs_handler_seconds_sum{type="..."} 12.5}. */
  private static double value(String exposition, String series) {
    for (String line : exposition.split("\n")) {
      if (line.startsWith(series + "{") && line.contains(TYPE)) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return 0; // no job of the type finished yet: the timer is not registered
  }
}
