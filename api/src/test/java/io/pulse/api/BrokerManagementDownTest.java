package io.pulse.api;

import static io.pulse.api.ApiTestSupport.admin;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The queue overview with management APIs nobody listens on: a 503 that says where it looked. */
@QuarkusTest
@TestProfile(BrokerManagementDownTest.NothingListening.class)
class BrokerManagementDownTest {
  static final String NOWHERE = "http://127.0.0.1:9";
  static final String NOWHERE_EITHER = "http://127.0.0.1:10";

  public static class NothingListening implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "pulse.rabbitmq.management.url",
          NOWHERE + "," + NOWHERE_EITHER,
          "pulse.rabbitmq.management.timeout",
          "2s");
    }
  }

  @Test
  void anUnreachableManagementApiIs503WithAProblemBody() {
    admin()
        .get("/api/v1/admin/queues")
        .then()
        .statusCode(503)
        .contentType("application/problem+json")
        .header("Retry-After", notNullValue())
        .body("status", equalTo(503))
        .body("type", endsWith("/broker-management-unavailable"))
        .body("detail", containsString(NOWHERE + " did not answer"))
        .body("detail", containsString(NOWHERE_EITHER + " did not answer"))
        .body("instance", equalTo("/api/v1/admin/queues"));
  }
}
