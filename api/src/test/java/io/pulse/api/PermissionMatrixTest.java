package io.pulse.api;

import static io.pulse.api.ApiTestSupport.keyWithScopes;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.pulse.api.auth.ApiKey;
import io.pulse.api.auth.Scope;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Who may call what: every endpoint against every kind of caller (like quarkus-quickstarts'
 * security-jpa {@code JpaSecurityRealmTest}). A caller without a valid key gets 401, a key without
 * the endpoint's scope 403, any other caller gets past authorization (whatever the endpoint then
 * says about the request). The endpoint list is checked against the OpenAPI document, so a new
 * endpoint fails here until its row says who may call it.
 */
@QuarkusTest
class PermissionMatrixTest {
  /** An endpoint that needs no key. */
  static final String PUBLIC = "public";

  static final Map<String, String> REQUIRED = new LinkedHashMap<>();

  static {
    REQUIRED.put("POST /api/v1/notifications", Scope.JOBS_WRITE);
    REQUIRED.put("POST /api/v1/notifications/batch", Scope.JOBS_WRITE);
    REQUIRED.put("POST /api/v1/notifications/recall", Scope.JOBS_WRITE);
    REQUIRED.put("DELETE /api/v1/notifications/{jobId}", Scope.JOBS_WRITE);
    REQUIRED.put("GET /api/v1/users/{id}/notifications", Scope.READ);
    REQUIRED.put("POST /api/v1/users/{id}/notifications/read", Scope.JOBS_WRITE);
    REQUIRED.put("GET /api/v1/users/{id}/notifications/stream", Scope.READ);
    REQUIRED.put("POST /api/v1/users/{id}/stream-tokens", Scope.JOBS_WRITE);
    REQUIRED.put("PUT /api/v1/users/{id}", Scope.JOBS_WRITE);
    REQUIRED.put("PUT /api/v1/users/{id}/preferences", Scope.JOBS_WRITE);
    REQUIRED.put("GET /api/v1/users/{id}/preferences", Scope.READ);
    REQUIRED.put("POST /api/v1/users/{id}/push-subscriptions", Scope.JOBS_WRITE);
    REQUIRED.put("GET /api/v1/users/{id}/push-subscriptions", Scope.READ);
    REQUIRED.put("DELETE /api/v1/users/{id}/push-subscriptions", Scope.JOBS_WRITE);
    REQUIRED.put("DELETE /api/v1/users/{id}/push-subscriptions/{subscriptionId}", Scope.JOBS_WRITE);
    REQUIRED.put("PUT /api/v1/communities/{id}", Scope.JOBS_WRITE);
    REQUIRED.put("PUT /api/v1/communities/{id}/members/{userId}", Scope.JOBS_WRITE);
    REQUIRED.put("DELETE /api/v1/communities/{id}/members/{userId}", Scope.JOBS_WRITE);
    REQUIRED.put("POST /api/v1/posts", Scope.JOBS_WRITE);
    REQUIRED.put("DELETE /api/v1/posts/{id}", Scope.JOBS_WRITE);
    REQUIRED.put("GET /api/v1/users/{id}/feed", Scope.READ);
    REQUIRED.put("GET /api/v1/jobs/{id}", Scope.READ);
    REQUIRED.put("DELETE /api/v1/jobs/{id}", Scope.JOBS_WRITE);
    REQUIRED.put("POST /api/v1/admin/api-keys", Scope.ADMIN);
    REQUIRED.put("DELETE /api/v1/admin/api-keys/{id}", Scope.ADMIN);
    REQUIRED.put("PUT /api/v1/admin/api-keys/{id}/limits", Scope.ADMIN);
    REQUIRED.put("POST /api/v1/admin/api-keys/{id}/rotate", Scope.ADMIN);
    REQUIRED.put("GET /api/v1/admin/audit", Scope.ADMIN);
    REQUIRED.put("POST /api/v1/admin/digests/runs", Scope.ADMIN);
    REQUIRED.put("GET /api/v1/admin/queues", Scope.ADMIN);
    REQUIRED.put("GET /api/v1/admin/dead-letters", Scope.ADMIN);
    REQUIRED.put("POST /api/v1/admin/dead-letters/replay", Scope.ADMIN);
    REQUIRED.put("POST /api/v1/admin/feeds/{userId}/rebuild", Scope.ADMIN);
    REQUIRED.put("GET /api/v1/admin/users/{id}/notifications/{jobId}", Scope.ADMIN);
    REQUIRED.put("GET /digests/unsubscribe", PUBLIC);
    REQUIRED.put("POST /digests/unsubscribe", PUBLIC);
    REQUIRED.put("GET /unsubscribe", PUBLIC);
    REQUIRED.put("POST /unsubscribe", PUBLIC);
  }

  /**
   * Query parameters that make an admitted caller's request end: the stream would stay open, so the
   * matrix asks it with a bad {@code lastEventId}, which is checked after authorization (400).
   */
  static final Map<String, String> QUERY =
      Map.of("GET /api/v1/users/{id}/notifications/stream", "lastEventId=not-a-number");

  /** Health, metrics and the document itself: not REST resources, so not in the document. */
  static final List<String> OPERATOR_ENDPOINTS =
      List.of("GET /q/health", "GET /q/metrics", "GET /q/openapi");

  /**
   * Ids no fixture uses: an admitted caller gets a 4xx about the request (an empty body is invalid,
   * an unknown id not found), so the matrix writes nothing.
   */
  static final String ID = "987654321012";

  @Test
  void everyEndpointOfTheOpenApiDocumentIsInTheMatrix() {
    Map<String, Map<String, Object>> paths =
        given()
            .queryParam("format", "json")
            .get("/q/openapi")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath()
            .getMap("paths");
    Set<String> documented = new TreeSet<>();
    Set<String> methods = Set.of("get", "put", "post", "delete", "patch", "head", "options");
    paths.forEach(
        (path, operations) ->
            operations.keySet().stream()
                .filter(methods::contains)
                .forEach(method -> documented.add(method.toUpperCase() + " " + path)));
    assertEquals(new TreeSet<>(REQUIRED.keySet()), documented, "endpoints vs. the matrix");
  }

  @TestFactory
  Stream<DynamicTest> everyCallerGetsWhatItsKeyAllows() {
    List<Caller> callers = callers();
    Map<String, String> endpoints = new LinkedHashMap<>(REQUIRED);
    OPERATOR_ENDPOINTS.forEach(endpoint -> endpoints.put(endpoint, PUBLIC));
    return endpoints.entrySet().stream()
        .flatMap(
            endpoint ->
                callers.stream()
                    .map(
                        caller ->
                            dynamicTest(
                                endpoint.getKey() + " as " + caller.name(),
                                () -> check(endpoint.getKey(), endpoint.getValue(), caller))));
  }

  /** A kind of caller: its Authorization header (null: none) and its key's scope (null: none). */
  record Caller(String name, String authorization, String scope) {}

  private static List<Caller> callers() {
    return List.of(
        new Caller("no key", null, null),
        new Caller("unknown key", "Bearer " + ApiKey.newSecret(), null),
        new Caller("revoked key", "Bearer " + revokedKey(), null),
        scoped(Scope.READ),
        scoped(Scope.JOBS_WRITE),
        scoped(Scope.ADMIN));
  }

  private static Caller scoped(String scope) {
    return new Caller(scope + " key", "Bearer " + keyWithScopes(scope), scope);
  }

  private static String revokedKey() {
    String key = keyWithScopes(Scope.ADMIN);
    ApiTestSupport.revokeInDatabase(key);
    return key;
  }

  private static void check(String endpoint, String required, Caller caller) {
    String method = endpoint.substring(0, endpoint.indexOf(' '));
    String path = endpoint.substring(endpoint.indexOf(' ') + 1).replaceAll("\\{[^}]+}", ID);
    if (QUERY.containsKey(endpoint)) {
      path += "?" + QUERY.get(endpoint);
    }
    RequestSpecification request = given().contentType("application/json");
    if (caller.authorization() != null) {
      request = request.header("Authorization", caller.authorization());
    }
    if (method.equals("POST") || method.equals("PUT")) {
      request = request.body("{}");
    }
    Response response = request.request(method, path);
    int status = response.statusCode();
    String seen = status + " " + response.asString();
    if (required.equals(PUBLIC)
        || required.equals(caller.scope())
        || Scope.ADMIN.equals(caller.scope())) {
      assertTrue(status != 401 && status != 403, "an allowed caller got " + seen);
    } else if (caller.scope() == null) {
      assertEquals(401, status, seen);
      assertEquals("Bearer", response.header("WWW-Authenticate"), "the 401 challenge");
    } else {
      assertEquals(403, status, seen);
      assertTrue(
          response.jsonPath().getString("detail").contains("'" + required + "'"),
          "the 403 names the scope: " + seen);
    }
  }
}
