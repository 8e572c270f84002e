package io.pulse.workers.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.pulse.common.jobs.JobMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * deploy/k8s/grafana/pulse-dashboard.json and the check that its queries ask for metrics that
 * exist, with labels they have: the apps' as JobMetrics exports them through Micrometer's
 * Prometheus registry (the one behind /q/metrics), RabbitMQ's as its Prometheus plugin names them.
 */
final class GrafanaDashboard {
  static final String FILE = "deploy/k8s/grafana/pulse-dashboard.json";

  /**
   * The per-queue metrics of rabbitmq_prometheus on /metrics/per-object (its queue_coarse_metrics
   * and queue_consumer_count families), each labelled with vhost and queue.
   */
  static final Map<String, Set<String>> RABBITMQ_METRICS =
      Map.of(
          "rabbitmq_queue_messages_ready", Set.of("vhost", "queue"),
          "rabbitmq_queue_messages_unacked", Set.of("vhost", "queue"),
          "rabbitmq_queue_messages", Set.of("vhost", "queue"),
          "rabbitmq_queue_consumers", Set.of("vhost", "queue"));

  private static final Pattern METRIC =
      Pattern.compile("\\b((?:pulse|rabbitmq)_[a-z_]+)\\b(?:\\{([^}]*)})?");
  private static final Pattern MATCHER = Pattern.compile("(\\w+)\\s*(=~|!~|!=|=)\\s*\"([^\"]*)\"");
  private static final Pattern BY = Pattern.compile("by \\(([^)]*)\\)");

  final JsonNode dashboard;

  private GrafanaDashboard(String json) {
    try {
      dashboard = new ObjectMapper().readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static GrafanaDashboard load() {
    return new GrafanaDashboard(DeployFiles.read(FILE));
  }

  static GrafanaDashboard of(String json) {
    return new GrafanaDashboard(json);
  }

  List<String> expressions() {
    List<String> expressions = new ArrayList<>();
    dashboard.findValues("expr").forEach(e -> expressions.add(e.asText()));
    return expressions;
  }

  /** Metric name to label names, as /q/metrics shows JobMetrics' meters. */
  static Map<String, Set<String>> appMetrics() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    JobMetrics metrics = new JobMetrics(registry);
    metrics.enqueued("t");
    metrics.completed("t", "succeeded");
    metrics.handlerTime("t", Duration.ofMillis(5));
    metrics.endToEnd("t", Duration.ofMillis(5));
    Map<String, Set<String>> names = new TreeMap<>();
    for (String line : registry.scrape().split("\n")) {
      if (line.startsWith("pulse_")) {
        Matcher m = Pattern.compile("^(\\w+)(?:\\{([^}]*)})?").matcher(line);
        if (m.find()) {
          Set<String> labels = names.computeIfAbsent(m.group(1), k -> new TreeSet<>());
          if (m.group(2) != null) {
            Matcher label = MATCHER.matcher(m.group(2));
            while (label.find()) {
              labels.add(label.group(1));
            }
          }
        }
      }
    }
    return names;
  }

  /**
   * Every metric a query names exists with every label it filters or groups on; RabbitMQ queries
   * stay in the Pulse virtual host.
   */
  List<String> check() {
    Map<String, Set<String>> known = new TreeMap<>(appMetrics());
    known.putAll(RABBITMQ_METRICS);
    List<String> problems = new ArrayList<>();
    List<String> expressions = expressions();
    if (expressions.isEmpty()) {
      problems.add("the dashboard has no queries");
    }
    for (String expr : expressions) {
      Matcher metric = METRIC.matcher(expr);
      List<Set<String>> labelSets = new ArrayList<>();
      while (metric.find()) {
        Set<String> labels = known.get(metric.group(1));
        if (labels == null) {
          problems.add(metric.group(1) + " is not a metric the apps or RabbitMQ export: " + expr);
          continue;
        }
        labelSets.add(labels);
        Matcher matcher = MATCHER.matcher(metric.group(2) == null ? "" : metric.group(2));
        while (matcher.find()) {
          if (!labels.contains(matcher.group(1))) {
            problems.add(metric.group(1) + " has no label " + matcher.group(1) + ": " + expr);
          }
          if (matcher.group(1).equals("vhost")
              && !matcher.group(3).equals(RabbitDefinitions.VHOST)) {
            problems.add(
                "vhost is " + matcher.group(3) + ", not " + RabbitDefinitions.VHOST + ": " + expr);
          }
        }
      }
      Matcher by = BY.matcher(expr);
      while (by.find()) {
        for (String label : Arrays.stream(by.group(1).split(",")).map(String::trim).toList()) {
          if (labelSets.stream().anyMatch(l -> !l.contains(label) && !label.equals("le"))) {
            problems.add("grouping by " + label + ", which a metric lacks: " + expr);
          }
        }
      }
    }
    return problems;
  }
}
