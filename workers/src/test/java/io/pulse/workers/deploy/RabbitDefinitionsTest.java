package io.pulse.workers.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.pulse.common.jobs.JobType;
import io.pulse.common.messaging.Topology;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The committed definitions files are exactly what the apps declare. When Topology or its
 * production settings change, regenerate them with
 *
 * <pre>
 * ./mvnw -B -pl workers -am verify -DskipITs -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dtest=RabbitDefinitionsTest -Dpulse.write-definitions=true
 * </pre>
 */
class RabbitDefinitionsTest {

  @Test
  void committedDefinitionsAreWhatTheAppsDeclare() throws IOException {
    String expected = RabbitDefinitions.render(RabbitDefinitions.production());
    if (Boolean.getBoolean("pulse.write-definitions")) {
      for (String file : RabbitDefinitions.FILES) {
        Files.writeString(DeployFiles.path(file), expected);
      }
    }
    for (String file : RabbitDefinitions.FILES) {
      assertEquals(
          expected,
          DeployFiles.read(file),
          file
              + " is not what Topology declares with the production settings; regenerate it"
              + " (see RabbitDefinitionsTest)");
    }
  }

  @Test
  void apiAndWorkersDeclareTheSameQueues() {
    // Both apps declare at start-up; if their settings differed, the second one to start would
    // fail with PRECONDITION_FAILED.
    assertEquals(
        RabbitDefinitions.of(RabbitDefinitions.productionTopology("api"), "v"),
        RabbitDefinitions.of(RabbitDefinitions.productionTopology("workers"), "v"));
  }

  @Test
  void definitionsHoldEveryQueueWithItsProductionArguments() {
    Topology topology = RabbitDefinitions.productionTopology("workers");
    Map<String, JsonNode> queues = new HashMap<>();
    RabbitDefinitions.production()
        .get("queues")
        .forEach(q -> queues.put(q.get("name").asText(), q));

    assertEquals(2 * JobType.ALL.size() + topology.retryTiers().size(), queues.size());
    for (String type : JobType.ALL) {
      JsonNode work = queues.get(Topology.workQueue(type)).get("arguments");
      assertEquals("quorum", work.get("x-queue-type").asText(), type);
      assertEquals(10, work.get("x-delivery-limit").asInt(), "RabbitConfig's default, " + type);
      assertEquals(Topology.DEAD_EXCHANGE, work.get("x-dead-letter-exchange").asText(), type);
      JsonNode dead = queues.get(Topology.deadLetterQueue(type)).get("arguments");
      assertEquals("quorum", dead.get("x-queue-type").asText(), type);
    }
    for (Duration tier : topology.retryTiers()) {
      JsonNode retry = queues.get(Topology.retryQueue(tier)).get("arguments");
      assertEquals(tier.toMillis(), retry.get("x-message-ttl").asLong(), tier.toString());
      assertEquals(Topology.JOBS_EXCHANGE, retry.get("x-dead-letter-exchange").asText());
    }
    assertEquals(
        "1s,5s,30s,2m,10m,1h",
        String.join(",", topology.retryTiers().stream().map(Topology::tierName).toList()),
        "the production tiers (RabbitConfig's default)");
  }
}
