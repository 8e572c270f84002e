package io.pulse.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pulse.api.problem.Problem;
import io.quarkus.test.junit.QuarkusTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The OpenAPI document is what an integrator reads first (Swagger UI renders it): every operation
 * says what it does and guarantees, carries a tag from the set users navigate by, names the key
 * scope it needs, and lists each status it can answer with the problem body for the failures. An
 * endpoint added without that fails here.
 */
@QuarkusTest
class OpenApiDocumentTest {
  static final Set<String> TAGS =
      Set.of("Notifications", "Feeds", "Users", "Digests", "Jobs", "Admin");
  static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch");

  private static JsonNode document;

  /** Fetched once, on first use: RestAssured knows the test port only once a test runs. */
  static JsonNode document() throws Exception {
    if (document == null) {
      String json =
          given()
              .queryParam("format", "json")
              .get("/q/openapi")
              .then()
              .statusCode(200)
              .extract()
              .asString();
      document = new ObjectMapper().readTree(json);
    }
    return document;
  }

  @Test
  void declaresTheBearerSchemeSwaggerUiAuthorizesWith() throws Exception {
    JsonNode scheme = document().at("/components/securitySchemes/apiKey");
    assertEquals("http", scheme.path("type").asText(), "scheme type: " + scheme);
    assertEquals("bearer", scheme.path("scheme").asText(), "scheme: " + scheme);
    assertTrue(scheme.path("description").asText().contains("jobs:write"), "names the scopes");
  }

  @Test
  void describesTheProblemBody() throws Exception {
    JsonNode problem = document().at("/components/schemas/Problem/properties");
    for (String field : List.of("type", "title", "status", "detail", "instance", "errors")) {
      assertTrue(problem.has(field), "the Problem schema has " + field + ": " + problem);
    }
  }

  @Test
  void declaresEachTagUsersNavigateBy() throws Exception {
    Set<String> declared = new TreeSet<>();
    document().path("tags").forEach(tag -> declared.add(tag.path("name").asText()));
    assertEquals(new TreeSet<>(TAGS), declared);
  }

  @TestFactory
  Stream<DynamicTest> everyOperationDeclaresItsContract() throws Exception {
    List<DynamicTest> tests = new ArrayList<>();
    document()
        .path("paths")
        .properties()
        .forEach(
            path ->
                path.getValue()
                    .properties()
                    .forEach(
                        op -> {
                          if (METHODS.contains(op.getKey())) {
                            String name = op.getKey().toUpperCase() + " " + path.getKey();
                            tests.add(dynamicTest(name, () -> check(name, op.getValue())));
                          }
                        }));
    assertFalse(tests.isEmpty(), "the document lists operations");
    return tests.stream();
  }

  private static void check(String name, JsonNode op) {
    // Without @Operation the document still has a summary: the method's name ("Get", "Put").
    String summary = op.path("summary").asText();
    assertTrue(summary.trim().contains(" "), name + ": a summary, not a method name: " + summary);
    assertFalse(summary.contains("\n"), name + ": a one-line summary");
    assertTrue(op.path("description").asText().length() >= 40, name + ": a description");
    Set<String> tags = new TreeSet<>();
    op.path("tags").forEach(tag -> tags.add(tag.asText()));
    assertTrue(
        tags.stream().anyMatch(TAGS::contains), name + ": a tag of " + TAGS + ", has " + tags);

    String scope = PermissionMatrixTest.REQUIRED.get(name);
    assertTrue(scope != null, name + ": has a row in PermissionMatrixTest.REQUIRED");
    JsonNode responses = op.path("responses");
    Set<String> codes = new TreeSet<>();
    responses.fieldNames().forEachRemaining(codes::add);
    assertTrue(codes.stream().anyMatch(c -> c.startsWith("2")), name + ": a 2xx, has " + codes);

    boolean takesInput = op.has("requestBody") || op.path("parameters").size() > 0;
    if (takesInput) {
      assertTrue(codes.contains("400"), name + ": 400 for bad input, has " + codes);
    }
    if (scope.equals(PermissionMatrixTest.PUBLIC)) {
      assertTrue(op.path("security").isEmpty(), name + ": public, so no security requirement");
      return;
    }
    JsonNode security = op.path("security");
    assertEquals(1, security.size(), name + ": one security requirement: " + security);
    JsonNode scopes = security.get(0).path("apiKey");
    assertEquals(1, scopes.size(), name + ": names its scope: " + security);
    assertEquals(scope, scopes.get(0).asText(), name + ": the scope @RolesAllowed names");
    assertTrue(codes.containsAll(List.of("401", "403")), name + ": 401 and 403, has " + codes);
    if (op.has("requestBody")) {
      assertTrue(codes.containsAll(List.of("413", "415")), name + ": 413 and 415, has " + codes);
      assertFalse(
          op.at("/requestBody/content/application~1json/examples").isEmpty(),
          name + ": a request example");
    }
    for (String code : codes) {
      JsonNode response = resolve(responses.path(code));
      if (code.startsWith("2") && response.has("content")) {
        // JSON mostly; the live stream's is text/event-stream.
        List<JsonNode> examples = new ArrayList<>();
        response.path("content").forEach(media -> examples.add(media.path("examples")));
        assertTrue(examples.stream().anyMatch(e -> !e.isEmpty()), name + ": an example of " + code);
      } else if (code.startsWith("4") || code.startsWith("5")) {
        assertTrue(
            response
                .at("/content/" + Problem.MEDIA_TYPE.replace("/", "~1") + "/schema/$ref")
                .asText()
                .endsWith("/Problem"),
            name + ": " + code + " is a problem body: " + response);
      }
    }
  }

  private static JsonNode resolve(JsonNode response) {
    String ref = response.path("$ref").asText();
    if (ref.isEmpty()) {
      return response;
    }
    return document.at(ref.substring(1));
  }
}
