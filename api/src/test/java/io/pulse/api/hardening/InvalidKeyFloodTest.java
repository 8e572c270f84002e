package io.pulse.api.hardening;

import static io.pulse.api.ApiTestSupport.as;
import static io.pulse.api.ApiTestSupport.keyWithScopes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.MeterRegistry;
import io.pulse.api.auth.Scope;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * 1,000 made-up keys from one address: after the first {@code failed-keys-per-address} (20 here)
 * the address gets 429 before any lookup, so the flood costs 20 queries of api_keys, not 1,000
 * (counted where the query runs, pulse.api.key.lookups). Every answer is a 4xx. A key this instance
 * already knows keeps working from the same address.
 */
@QuarkusTest
@TestProfile(InvalidKeyFloodTest.LowFailedKeyLimit.class)
class InvalidKeyFloodTest {
  public static class LowFailedKeyLimit implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("pulse.api.limits.failed-keys-per-address", "20");
    }
  }

  @Inject MeterRegistry registry;

  @Test
  void aFloodOfInvalidKeysIsRefusedWithoutDatabaseLoad() {
    String good = keyWithScopes(Scope.READ);
    as(good).get("/api/v1/users/1/notifications").then().statusCode(200);
    double before = lookups();
    long start = System.nanoTime();
    Map<Integer, Integer> statuses = new TreeMap<>();
    for (int i = 0; i < 1_000; i++) {
      int status = as("pk_" + UUID.randomUUID()).get("/api/v1/users/1/notifications").statusCode();
      statuses.merge(status, 1, Integer::sum);
    }
    double queries = lookups() - before;
    double minutes = (System.nanoTime() - start) / 60e9;
    // 20 at once, then 20 a minute as the window refills.
    double allowed = 20 + 20 * minutes + 1;
    String figures = statuses + " in " + minutes + " min, " + queries + " api_keys queries";
    assertEquals(1_000, statuses.getOrDefault(401, 0) + statuses.getOrDefault(429, 0), figures);
    assertTrue(statuses.get(401) <= allowed, figures);
    assertTrue(statuses.get(429) >= 1_000 - allowed, figures);
    assertEquals(statuses.get(401), (int) queries, "one query per 401 only: " + figures);
    as("pk_" + UUID.randomUUID())
        .get("/api/v1/users/1/notifications")
        .then()
        .statusCode(429)
        .header("Retry-After", org.hamcrest.Matchers.notNullValue());
    as(good).get("/api/v1/users/1/notifications").then().statusCode(200);
  }

  private double lookups() {
    return registry.get("pulse.api.key.lookups").counter().count();
  }
}
