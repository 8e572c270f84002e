package io.pulse.api;

import static io.pulse.api.ApiTestSupport.ADMIN_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The other side of MalformedRequestsTest's Content-Type cases: how real clients spell JSON is
 * still taken (media types and charset names are case-insensitive, the charset may be quoted).
 */
@QuarkusTest
class JsonMediaTypeTest {
  private static final HttpClient CLIENT = HttpClient.newHttpClient();
  private static final long USER = 61_000_000L + System.currentTimeMillis() % 100_000;

  @TestHTTPResource("/api/v1/users/")
  URI users;

  @ParameterizedTest
  @ValueSource(
      strings = {
        "application/json",
        "application/json; charset=UTF-8",
        "application/json;charset=utf-8",
        "Application/JSON; Charset=\"UTF-8\""
      })
  void jsonInUtf8IsTakenHoweverItIsSpelled(String type) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(users.resolve(String.valueOf(USER)))
            .header("Authorization", "Bearer " + ADMIN_KEY)
            .header("Content-Type", type)
            .PUT(HttpRequest.BodyPublishers.ofString("{\"handle\":\"media" + USER + "\"}"))
            .build();
    HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), type + ": " + response.body());
  }
}
