package io.pulse.api.admin;

import io.pulse.api.problem.ProblemException;
import io.pulse.common.messaging.RabbitConfig;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Reads queue figures from the RabbitMQ management HTTP API, the one place that reports unacked
 * counts (a passive declare over AMQP only knows ready messages and consumers). The figures are the
 * broker's statistics, refreshed every {@code collect_statistics_interval} (5 s by default).
 *
 * <p>With several management URLs (one per cluster node, any of which reports the whole cluster) a
 * call goes to the node that answered last, and on to the next when that one does not answer.
 */
@ApplicationScoped
public class BrokerManagement {
  private static final Logger LOG = Logger.getLogger(BrokerManagement.class);

  /** One queue as the management API last sampled it; a figure not sampled yet is null. */
  public record QueueFigures(Long messages, Long ready, Long unacked, Long consumers) {}

  private record Node(URI url, ManagementApi api) {}

  private final RabbitConfig rabbit;
  private final List<Node> nodes;
  private final AtomicInteger answeredLast = new AtomicInteger();

  public BrokerManagement(RabbitConfig rabbit) {
    this.rabbit = rabbit;
    Duration timeout = rabbit.management().timeout();
    this.nodes =
        rabbit.management().url().stream().map(url -> new Node(url, client(url, timeout))).toList();
  }

  private static ManagementApi client(URI url, Duration timeout) {
    return QuarkusRestClientBuilder.newBuilder()
        .baseUri(url)
        .connectTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .readTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .build(ManagementApi.class);
  }

  /**
   * Every queue of the app's virtual host, by name.
   *
   * @throws ProblemException 503 when no management URL answers, naming what each one did
   */
  public Map<String, QueueFigures> queues() {
    String vhost = ManagementApi.pathSegment(rabbit.virtualHost());
    int first = answeredLast.get();
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      int index = (first + i) % nodes.size();
      Node node = nodes.get(index);
      try {
        List<ManagementApi.Queue> queues = node.api().queues(vhost, ManagementApi.QUEUE_COLUMNS);
        answeredLast.set(index);
        return figures(queues);
      } catch (WebApplicationException e) {
        failures.add(
            node.url()
                + " answered "
                + e.getResponse().getStatus()
                + " (check pulse.rabbitmq.management.username and password)");
      } catch (ProcessingException e) {
        failures.add(node.url() + " did not answer: " + e.getMessage());
      }
      if (i + 1 < nodes.size()) {
        LOG.warnf("management API %s; trying the next URL", failures.get(i));
      }
    }
    throw unavailable(String.join("; ", failures));
  }

  private static Map<String, QueueFigures> figures(List<ManagementApi.Queue> queues) {
    Map<String, QueueFigures> byName = new HashMap<>();
    for (ManagementApi.Queue queue : queues) {
      byName.put(
          queue.name(),
          new QueueFigures(queue.messages(), queue.ready(), queue.unacked(), queue.consumers()));
    }
    return byName;
  }

  private static ProblemException unavailable(String detail) {
    LOG.warnf("queue overview unavailable: %s", detail);
    return ProblemException.unavailable(
        "broker-management-unavailable",
        "cannot read queue figures from the RabbitMQ management API: " + detail,
        null);
  }
}
