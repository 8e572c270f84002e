package io.pulse.api;

import static io.pulse.api.ApiTestSupport.as;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.pulse.api.auth.Scope;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every admin endpoint: a key without the admin scope is 403, no key 401. */
@QuarkusTest
class AdminScopeTest {

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "GET | /api/v1/admin/queues | ",
        "POST | /api/v1/admin/feeds/1/rebuild | ",
        "GET | /api/v1/admin/dead-letters | ",
        "POST | /api/v1/admin/dead-letters/replay | {\"type\":\"digest.build\",\"limit\":1}",
        "POST | /api/v1/admin/api-keys | {\"name\":\"x\",\"scopes\":[\"read\"]}",
        "DELETE | /api/v1/admin/api-keys/00000000-0000-0000-0000-000000000001 | ",
      })
  void aKeyWithoutTheAdminScopeIsForbidden(String method, String path, String body) {
    String writerAndReader = ApiTestSupport.keyWithScopes(Scope.JOBS_WRITE, Scope.READ);
    call(as(writerAndReader), method, path, body)
        .then()
        .statusCode(403)
        .contentType("application/problem+json")
        .body("status", equalTo(403))
        .body("detail", containsString("admin"));
    call(given().contentType("application/json"), method, path, body).then().statusCode(401);
  }

  private static Response call(
      RequestSpecification request, String method, String path, String body) {
    if (body != null) {
      request = request.body(body);
    }
    return request.request(method, path);
  }
}
