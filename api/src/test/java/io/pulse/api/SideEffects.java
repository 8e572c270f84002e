package io.pulse.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pulse.common.jobs.JobType;
import io.pulse.common.messaging.RabbitConfig;
import io.pulse.common.messaging.Topology;
import io.pulse.common.testing.BrokerProbe;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.persistence.EntityManager;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What "nothing was written" is measured on: the row count and content of every table and the depth
 * of every {@code pulse.*} queue, taken before and after a request that must be refused.
 */
public final class SideEffects {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  /** Row count and content of every table, and the depth of every pulse.* queue. */
  public record State(Map<String, String> tables, Map<String, Long> queues) {
    /** The state less these tables and queues: for a request that may write there only. */
    public State without(String... tablesOrQueues) {
      Map<String, String> rows = new TreeMap<>(tables);
      Map<String, Long> depths = new TreeMap<>(queues);
      for (String name : tablesOrQueues) {
        rows.remove(name);
        depths.remove(name);
      }
      return new State(rows, depths);
    }
  }

  private final EntityManager em;
  private final RabbitConfig rabbit;
  private final BrokerProbe broker;
  private final List<String> tables;
  private final List<String> queues;

  /** Lists the tables and queues once: what later states are taken over. */
  public SideEffects(EntityManager em, RabbitConfig rabbit, BrokerProbe broker) {
    this.em = em;
    this.rabbit = rabbit;
    this.broker = broker;
    this.tables = listTables();
    this.queues = listQueues();
  }

  public List<String> tables() {
    return tables;
  }

  /** The state now. */
  public State now() {
    Map<String, String> rows = new TreeMap<>();
    for (String table : tables) {
      // published_at is the one column a background task sets after the fact (PublishedMarks).
      String sql =
          "select count(*) || ' rows, md5 ' || coalesce(md5(string_agg(r, ',' order by r)), '-')"
              + " from (select (to_jsonb(t) - 'published_at')::text r from \""
              + table
              + "\" t) x";
      rows.put(
          table,
          QuarkusTransaction.requiringNew()
              .call(() -> (String) em.createNativeQuery(sql).getSingleResult()));
    }
    Map<String, Long> depths = new TreeMap<>();
    for (String queue : queues) {
      depths.put(queue, broker.depth(queue));
    }
    return new State(rows, depths);
  }

  /**
   * The state once every job accepted before the table (the fixtures', and other test classes') has
   * its publish confirmed: after that no sweeper publishes anything on its own.
   */
  public State settled() {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                ApiTestSupport.count(
                        em,
                        "select count(*) from jobs where status = 'queued' and published_at is null")
                    == 0);
    return now();
  }

  /** Fails naming every table and queue that changed; a failed answer rides along. */
  public static void assertUnchanged(State before, State after, String what, Throwable fault) {
    List<String> changed = new ArrayList<>();
    before
        .tables()
        .forEach(
            (table, rows) -> {
              if (!rows.equals(after.tables().get(table))) {
                changed.add(table + ": " + rows + " -> " + after.tables().get(table));
              }
            });
    before
        .queues()
        .forEach(
            (queue, depth) -> {
              if (!depth.equals(after.queues().get(queue))) {
                changed.add(
                    queue + ": " + depth + " -> " + after.queues().get(queue) + " messages");
              }
            });
    if (!changed.isEmpty()) {
      AssertionError wrote = new AssertionError(what + " wrote: " + changed);
      if (fault != null) {
        wrote.addSuppressed(fault);
      }
      throw wrote;
    }
  }

  private List<String> listTables() {
    @SuppressWarnings("unchecked")
    List<String> names =
        QuarkusTransaction.requiringNew()
            .call(
                () ->
                    em.createNativeQuery(
                            "select table_name from information_schema.tables where table_schema"
                                + " = 'public' and table_type = 'BASE TABLE' and table_name <>"
                                + " 'flyway_schema_history'"
                                // The rate limiter's and the quota's buckets: every keyed
                                // request takes a token.
                                + " and table_name <> 'rate_limit_buckets'"
                                + " and table_name <> 'job_quota_buckets' order by table_name")
                        .getResultList());
    return names;
  }

  /** Every pulse.* queue of the test's virtual host, as the management API lists them. */
  private List<String> listQueues() {
    URI uri =
        URI.create(
            rabbit.management().url().get(0)
                + "/api/queues/"
                + URLEncoder.encode(rabbit.virtualHost(), UTF_8)
                + "?columns=name,exclusive");
    String login = rabbit.management().username() + ":" + rabbit.management().password();
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .header(
                "Authorization",
                "Basic " + Base64.getEncoder().encodeToString(login.getBytes(UTF_8)))
            .timeout(Duration.ofSeconds(10))
            .build();
    List<String> names = new ArrayList<>();
    try {
      HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
      assertEquals(200, response.statusCode(), "management API: " + response.body());
      for (JsonNode queue : MAPPER.readTree(response.body())) {
        String name = queue.get("name").asText();
        // An API instance's own events queue (exclusive) is another connection's to read.
        if (name.startsWith("pulse.") && !queue.path("exclusive").asBoolean()) {
          names.add(name);
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("management API not reachable at " + uri, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    for (String type : JobType.ALL) {
      assertTrue(
          names.contains(Topology.workQueue(type)),
          "queue " + Topology.workQueue(type) + " missing from " + names);
    }
    return names;
  }
}
