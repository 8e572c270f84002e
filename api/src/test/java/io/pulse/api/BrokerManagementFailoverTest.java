package io.pulse.api;

import static io.pulse.api.ApiTestSupport.queueOverviewWhen;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pulse.common.jobs.JobType;
import io.pulse.common.messaging.Topology;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The queue overview with three management URLs, as for a cluster: the first refuses connections,
 * the second accepts them and never answers, the third is the real broker's. The overview still
 * shows the broker's figures.
 */
@QuarkusTest
@TestProfile(BrokerManagementFailoverTest.FirstNodesDown.class)
class BrokerManagementFailoverTest {
  static final String TYPE = JobType.NOTIFICATION_EMAIL;

  public static class FirstNodesDown implements QuarkusTestProfile {
    /** Accepts connections (the kernel's backlog does) and never reads or answers them. */
    static final ServerSocket SILENT = silent();

    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "pulse.rabbitmq.management.url",
          BrokerManagementDownTest.NOWHERE
              + ",http://127.0.0.1:"
              + SILENT.getLocalPort()
              + ",http://127.0.0.1:15672",
          "pulse.rabbitmq.management.timeout",
          "1s");
    }

    private static ServerSocket silent() {
      try {
        return new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  @Test
  void theOverviewComesFromTheFirstNodeThatAnswers() {
    JsonPath overview = queueOverviewWhen(o -> o.get(path("ready")) instanceof Number);

    assertEquals(Topology.workQueue(TYPE), overview.get(path("queue")));
    assertEquals(0, ((Number) overview.get(path("unacked"))).intValue(), overview.prettify());
  }

  private static String path(String field) {
    return "queues.find { it.type == '" + TYPE + "' }." + field;
  }
}
