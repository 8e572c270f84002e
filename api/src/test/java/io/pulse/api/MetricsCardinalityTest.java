package io.pulse.api;

import static io.pulse.api.ApiTestSupport.admin;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, finding 7: a request refused before it is matched to a resource (wrong media type, body
 * too large, no key) must not add its raw path to http.server.requests. Otherwise anyone can fill
 * Micrometer's 100 URI tags without a key, and after that no new endpoint is measured.
 */
@QuarkusTest
class MetricsCardinalityTest {
  private static final Pattern SERVER_COUNT =
      Pattern.compile("^http_server_requests_seconds_count\\{(.*)} (\\S+)$", Pattern.MULTILINE);
  private static final Pattern URI = Pattern.compile("uri=\"([^\"]*)\"");

  private final long base = 60_000_000L + (System.currentTimeMillis() % 100_000) * 1_000;

  @Test
  void refusedRequestsWithDistinctPathsShareOneUriTag() {
    for (int i = 0; i < 150; i++) {
      String path = "/api/v1/users/" + (base + i);
      if (i % 2 == 0) {
        given().contentType("text/plain").body("{}").put(path).then().statusCode(415);
      } else {
        given().get(path + "/feed").then().statusCode(401);
      }
    }
    Set<String> uris = uris(metrics());
    List<String> raw = uris.stream().filter(u -> u.matches(".*/[0-9]+(/.*)?")).toList();
    assertEquals(List.of(), raw, "raw paths among the uri tags");
    assertTrue(uris.size() < 60, uris.size() + " uri tags: " + uris);

    String template = "/api/v1/users/{id}";
    double before = count(metrics(), "PUT", template, "200");
    admin()
        .body(
            "{\"handle\":\"m"
                + base
                + "\",\"email\":\"m@uni.example\",\"timeZone\":\"UTC\",\"digest\":\"off\"}")
        .put("/api/v1/users/" + (base + 999))
        .then()
        .statusCode(200);
    assertEquals(before + 1, count(metrics(), "PUT", template, "200"), "the request is measured");
  }

  private static String metrics() {
    return given()
        .accept("text/plain")
        .get("/q/metrics")
        .then()
        .statusCode(200)
        .extract()
        .asString();
  }

  private static Set<String> uris(String metrics) {
    Set<String> uris = new TreeSet<>();
    Matcher line = SERVER_COUNT.matcher(metrics);
    while (line.find()) {
      Matcher uri = URI.matcher(line.group(1));
      if (uri.find()) {
        uris.add(uri.group(1));
      }
    }
    return uris;
  }

  private static double count(String metrics, String method, String uri, String status) {
    double total = 0;
    Matcher line = SERVER_COUNT.matcher(metrics);
    while (line.find()) {
      String tags = line.group(1);
      if (tags.contains("method=\"" + method + "\"")
          && tags.contains("uri=\"" + uri + "\"")
          && tags.contains("status=\"" + status + "\"")) {
        total += Double.parseDouble(line.group(2));
      }
    }
    return total;
  }
}
