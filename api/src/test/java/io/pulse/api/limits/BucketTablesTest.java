package io.pulse.api.limits;

import static io.pulse.api.ApiTestSupport.as;
import static io.pulse.api.ApiTestSupport.count;
import static io.pulse.api.ApiTestSupport.one;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.junit.jupiter.api.Test;

/**
 * Where the buckets live (V18): request rates in the unlogged {@code rate_limit_buckets}, whose
 * commits wait for no WAL flush; daily quotas in the logged {@code job_quota_buckets}, which a
 * database crash does not reset.
 */
@QuarkusTest
class BucketTablesTest {
  @Inject EntityManager em;

  @Test
  void rateBucketsAreUnloggedAndQuotaBucketsAreLogged() {
    assertEquals("u", persistence("rate_limit_buckets"));
    assertEquals("p", persistence("job_quota_buckets"));
  }

  @Test
  void aKeysRateAndItsQuotaGoToTheirOwnTables() {
    Response created =
        RateLimitTest.createKey("\"requestsPerSecond\":5,\"burst\":5,\"dailyJobQuota\":7");
    String key = created.then().statusCode(201).extract().path("key");
    String id = created.path("id");
    as(key)
        .body(RateLimitTest.notification("tables-" + System.nanoTime()))
        .post("/api/v1/notifications")
        .then()
        .statusCode(202)
        .header("RateLimit-Remaining", "4");
    assertEquals(
        1, count(em, "select count(*) from rate_limit_buckets where id = 'rate:" + id + ":5/5'"));
    assertEquals(
        1,
        count(em, "select count(*) from job_quota_buckets where id like 'quota:" + id + ":7:%'"));
    assertEquals(
        0, count(em, "select count(*) from rate_limit_buckets where id like 'quota:" + id + ":%'"));
  }

  private String persistence(String table) {
    return one(em, "select relpersistence from pg_class where relname = '" + table + "'");
  }
}
