package io.pulse.api;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import io.pulse.api.auth.ApiKey;
import io.pulse.common.testing.BrokerProbe;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.UUID;
import java.util.function.Predicate;

/** Requests as a caller with a given key, and counts that show nothing was written. */
public final class ApiTestSupport {
  public static final String ADMIN_KEY = "test-admin-key";

  private static BrokerProbe broker;

  private ApiTestSupport() {}

  /**
   * One broker probe for the test JVM, on the running test's virtual host (it reads the config, so
   * it is made on first use, inside a test); closed when the JVM exits.
   */
  public static synchronized BrokerProbe broker() {
    if (broker == null) {
      broker = new BrokerProbe();
      Runtime.getRuntime().addShutdownHook(new Thread(broker::close));
    }
    return broker;
  }

  public static RequestSpecification as(String key) {
    return given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON);
  }

  public static RequestSpecification admin() {
    return as(ADMIN_KEY);
  }

  /** Stores a key with just these scopes and returns its secret. */
  /**
   * The admin queue overview once it shows what {@code wanted} waits for: the management API
   * samples queue figures every few seconds, and a figure not sampled yet is null.
   */
  public static JsonPath queueOverviewWhen(Predicate<JsonPath> wanted) {
    return await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> admin().get("/api/v1/admin/queues").then().statusCode(200).extract().jsonPath(),
            wanted::test);
  }

  public static String keyWithScopes(String... scopes) {
    String secret = ApiKey.newSecret();
    QuarkusTransaction.requiringNew()
        .run(
            () -> {
              ApiKey key = new ApiKey();
              key.id = UUID.randomUUID();
              key.name = "test " + String.join(",", scopes);
              key.keyHash = ApiKey.hash(secret);
              key.scopes = scopes;
              key.createdAt = OffsetDateTime.now();
              key.persist();
            });
    return secret;
  }

  /** Revokes a key in the database, as another instance or an operator would. */
  public static void revokeInDatabase(String secret) {
    QuarkusTransaction.requiringNew()
        .run(
            () ->
                ApiKey.update(
                    "revokedAt = ?1 where keyHash = ?2",
                    OffsetDateTime.now(),
                    ApiKey.hash(secret)));
  }

  public static long count(EntityManager em, String sql) {
    return QuarkusTransaction.requiringNew()
        .call(() -> ((Number) em.createNativeQuery(sql).getSingleResult()).longValue());
  }

  /** The first column of the one row {@code sql} returns, as text. */
  public static String one(EntityManager em, String sql) {
    return QuarkusTransaction.requiringNew()
        .call(() -> String.valueOf(em.createNativeQuery(sql).getSingleResult()));
  }

  /**
   * How many jobs of {@code type} the ledger holds whose payload names {@code id} as {@code field}.
   */
  public static long jobsAbout(EntityManager em, String type, String field, long id) {
    return count(
        em,
        "select count(*) from jobs where type = '"
            + type
            + "' and payload->>'"
            + field
            + "' = '"
            + id
            + "'");
  }
}
