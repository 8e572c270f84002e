package io.pulse.api.hardening;

import static io.pulse.api.ApiTestSupport.ADMIN_KEY;
import static io.pulse.api.ApiTestSupport.admin;
import static io.pulse.api.ApiTestSupport.as;
import static io.pulse.api.ApiTestSupport.keyWithScopes;
import static io.pulse.api.ApiTestSupport.one;
import static io.pulse.api.JsonBodies.with;
import static io.pulse.api.SideEffects.assertUnchanged;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pulse.api.RawHttp;
import io.pulse.api.SideEffects;
import io.pulse.api.auth.Scope;
import io.pulse.common.jobs.JobType;
import io.pulse.common.messaging.RabbitConfig;
import io.pulse.common.messaging.Topology;
import io.pulse.common.testing.BrokerProbe;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.net.URI;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Attacks on the running API, each written byte for byte on a socket (an HTTP client would refuse
 * or clean most of them up): header injection through {@code Idempotency-Key} and {@code
 * traceparent}, oversized and repeated headers, path traversal in ids, SQL metacharacters in every
 * field that has a shape. Each must end in the expected 4xx, never a 5xx, and change no row and no
 * queue. (Malformed bodies, 10,000-deep JSON and bad values of every field are {@code
 * MalformedRequestsTest}'s; a flood of made-up keys is {@link InvalidKeyFloodTest}'s; slow clients
 * are {@code SlowClientsTest}'s.)
 */
@QuarkusTest
class AttacksTest {
  static final String V1 = "/api/v1";
  static final ObjectMapper MAPPER = new ObjectMapper();
  static BrokerProbe broker;

  @Inject EntityManager em;
  @Inject RabbitConfig rabbit;

  @TestHTTPResource("/")
  URI root;

  String writer;
  String victimKeyId;

  @AfterAll
  static void disconnect() {
    if (broker != null) {
      broker.close();
    }
  }

  /** An attack: what is sent, and the 4xx it must get. */
  record Attack(String name, byte[] request, int status) {}

  @TestFactory
  Stream<DynamicTest> everyAttackEndsInA4xxAndWritesNothing() {
    broker = new BrokerProbe(rabbit.virtualHost());
    writer = keyWithScopes(Scope.JOBS_WRITE, Scope.READ);
    victimKeyId =
        admin()
            .body("{\"name\":\"victim\",\"scopes\":[\"read\"]}")
            .post(V1 + "/admin/api-keys")
            .then()
            .statusCode(201)
            .extract()
            .path("id");
    SideEffects effects = new SideEffects(em, rabbit, broker);
    effects.settled();
    List<Attack> attacks = new ArrayList<>();
    attacks.addAll(headerInjections());
    attacks.addAll(oversizedAndRepeatedHeaders());
    attacks.addAll(pathTraversals());
    attacks.addAll(sqlMetacharacters());
    return attacks.stream()
        .map(
            attack ->
                dynamicTest(
                    attack.name(),
                    () -> {
                      SideEffects.State before = effects.now();
                      RawHttp.Answer answer = RawHttp.exchange(root, attack.request());
                      String seen = answer.status() + ": " + answer.abbreviated();
                      assertTrue(answer.status() < 500, "a server error: " + seen);
                      assertEquals(attack.status(), answer.status(), seen);
                      assertUnchanged(before, effects.now(), attack.name(), null);
                    }));
  }

  /**
   * In free text (a notification's title, body and link, a post's title and excerpt) SQL
   * metacharacters are text a user may write: the request is accepted, the job and the post hold
   * the text byte for byte, and no other table or queue changes.
   */
  @Test
  void sqlMetacharactersInFreeTextAreStoredAsText() throws Exception {
    if (broker == null) {
      broker = new BrokerProbe(rabbit.virtualHost());
    }
    String key = keyWithScopes(Scope.JOBS_WRITE);
    long community = 800_000_000L + System.nanoTime() % 100_000_000L;
    admin()
        .body("{\"name\":\"Chess\"}")
        .put(V1 + "/communities/" + community)
        .then()
        .statusCode(200);
    SideEffects effects = new SideEffects(em, rabbit, broker);
    SideEffects.State before = effects.settled();
    String sql = "'); DROP TABLE jobs; -- \" OR \"\"=\" /* */ ; DELETE FROM api_keys WHERE ''='";
    ObjectNode notification = MAPPER.createObjectNode().put("type", "mention").put("title", sql);
    notification.putArray("recipientIds").add(1);
    notification.put("body", sql).put("link", "/posts/9?q=" + sql);
    String job =
        as(key)
            .body(notification.toString())
            .post(V1 + "/notifications")
            .then()
            .statusCode(202)
            .extract()
            .path("jobId");
    JsonNode stored = MAPPER.readTree(one(em, "select payload from jobs where id = '" + job + "'"));
    assertEquals(sql, stored.path("title").asText());
    assertEquals(sql, stored.path("body").asText());
    assertEquals("/posts/9?q=" + sql, stored.path("link").asText());

    long postId = community;
    ObjectNode post =
        MAPPER
            .createObjectNode()
            .put("postId", postId)
            .put("communityId", community)
            .put("authorId", 5)
            .put("title", sql)
            .put("excerpt", sql)
            .put("createdAt", OffsetDateTime.now(ZoneOffset.UTC).toString());
    as(key).body(post.toString()).post(V1 + "/posts").then().statusCode(202);
    assertEquals(sql, one(em, "select title from posts where id = " + postId));
    assertEquals(sql, one(em, "select excerpt from posts where id = " + postId));

    String[] written = {
      "jobs",
      "posts",
      Topology.workQueue(JobType.NOTIFICATION_DISPATCH),
      Topology.workQueue(JobType.FEED_FANOUT)
    };
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertUnchanged(
                    before.without(written),
                    effects.now().without(written),
                    "free text with SQL in it",
                    null));
  }

  // ---------------------------------------------------------------------------------------------

  List<Attack> headerInjections() {
    List<Attack> c = new ArrayList<>();
    String[][] injections = {
      {"a bare CR", "\rX-Injected: 1"},
      {"a bare LF", "\nX-Injected: 1"},
      {"CRLF and a folded line", "\r\n X-Injected: 1"},
      {"CRLF and a line without a colon", "\r\nX-Injected 1"},
      {"a NUL", "\u0000X-Injected: 1"},
      {"a Unicode line separator", "\u2028X-Injected: 1"},
      {"a next-line control", "\u0085X-Injected: 1"},
    };
    for (String[] injection : injections) {
      c.add(
          enqueue(
              "Idempotency-Key with " + injection[0],
              400,
              "Idempotency-Key: attack-" + UUID.randomUUID() + injection[1]));
      c.add(
          enqueue(
              "traceparent with " + injection[0],
              400,
              "traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
                  + injection[1]));
    }
    return c;
  }

  List<Attack> oversizedAndRepeatedHeaders() {
    List<Attack> c = new ArrayList<>();
    c.add(
        new Attack(
            "a 30 KB Authorization header",
            RawHttp.request(
                "POST",
                V1 + "/notifications",
                List.of(
                    "Authorization: Bearer " + "k".repeat(30_000),
                    "Content-Type: application/json"),
                notification()),
            431));
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      many.add("X-Header-" + i + ": " + "v".repeat(50));
    }
    c.add(enqueue("500 headers, 28 KB in all", 431, many.toArray(String[]::new)));
    c.add(
        enqueue(
            "Idempotency-Key twice",
            400,
            "Idempotency-Key: attack-a-" + UUID.randomUUID(),
            "Idempotency-Key: attack-b-" + UUID.randomUUID()));
    c.add(
        enqueue(
            "traceparent twice",
            400,
            "traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            "traceparent: 00-1af7651916cd43dd8448eb211c80319c-c7ad6b7169203331-01"));
    c.add(enqueue("Content-Type twice", 400, "Content-Type: text/plain"));
    c.add(
        enqueue(
            "Content-Length twice, different",
            400,
            "Content-Length: " + notification().length(),
            "Content-Length: 5"));
    c.add(
        enqueue(
            "Content-Length and Transfer-Encoding",
            400,
            "Content-Length: " + notification().length(),
            "Transfer-Encoding: chunked"));
    c.add(enqueue("Host twice", 400, "Host: evil.example"));
    return c;
  }

  List<Attack> pathTraversals() {
    List<Attack> c = new ArrayList<>();
    String victim = V1 + "/admin/api-keys/" + victimKeyId;
    c.add(call("DELETE", V1 + "/posts/../admin/api-keys/" + victimKeyId, 403, writer, null));
    c.add(call("DELETE", V1 + "/posts/%2e%2e/admin/api-keys/" + victimKeyId, 403, writer, null));
    c.add(
        call(
            "DELETE",
            V1 + "/posts/..%2f..%2fadmin%2fapi-keys%2f" + victimKeyId,
            400,
            writer,
            null));
    c.add(call("DELETE", V1 + "/posts/%2e%2e%2f%2e%2e%2fadmin%2fapi-keys", 400, writer, null));
    c.add(call("DELETE", V1 + "/posts/%2E%2E%5C%2E%2E%5Cadmin", 400, writer, null));
    c.add(call("GET", V1 + "/jobs/..%2f..%2f..%2fetc%2fpasswd", 400, writer, null));
    c.add(call("GET", V1 + "/jobs/../../../../etc/passwd", 404, writer, null));
    c.add(call("GET", V1 + "/users/1%00/feed", 400, writer, null));
    c.add(call("PUT", V1 + "/users/..%2f1", 400, writer, user()));
    c.add(call("PUT", V1 + "/communities/%2e%2e%2f7", 400, writer, "{\"name\":\"x\"}"));
    c.add(call("DELETE", victim + "/..%2f..%2f" + victimKeyId, 404, ADMIN_KEY, null));
    return c;
  }

  List<Attack> sqlMetacharacters() {
    List<Attack> c = new ArrayList<>();
    String[] payloads = {"' OR '1'='1", "1; DROP TABLE jobs; --", "\" OR \"\"=\"", "1) OR (1=1"};
    for (String sql : payloads) {
      String json = sql.replace("\\", "\\\\").replace("\"", "\\\"");
      String quoted = "\"" + json + "\"";
      c.add(
          post(
              V1 + "/notifications",
              "notification type " + sql,
              400,
              notificationWith("type", quoted)));
      c.add(
          post(
              V1 + "/notifications",
              "notification recipientIds " + sql,
              400,
              notificationWith("recipientIds", "[" + quoted + "]")));
      c.add(
          post(
              V1 + "/notifications",
              "notification actorId " + sql,
              400,
              notificationWith("actorId", quoted)));
      c.add(
          post(
              V1 + "/notifications",
              "notification sendAt " + sql,
              400,
              notificationWith("sendAt", quoted)));
      c.add(post(V1 + "/posts", "post postId " + sql, 400, postWith("postId", quoted)));
      c.add(post(V1 + "/posts", "post communityId " + sql, 400, postWith("communityId", quoted)));
      c.add(post(V1 + "/posts", "post authorId " + sql, 400, postWith("authorId", quoted)));
      c.add(post(V1 + "/posts", "post createdAt " + sql, 400, postWith("createdAt", quoted)));
      String param = java.net.URLEncoder.encode(sql, java.nio.charset.StandardCharsets.UTF_8);
      c.add(call("GET", V1 + "/users/1/notifications?cursor=" + param, 400, writer, null));
      c.add(call("GET", V1 + "/users/1/feed?limit=" + param, 400, writer, null));
      c.add(call("GET", V1 + "/jobs/" + param, 400, writer, null));
    }
    return c;
  }

  // ---------------------------------------------------------------------------------------------

  static String notification() {
    return "{\"type\":\"mention\",\"recipientIds\":[1],\"title\":\"attack\"}";
  }

  static String notificationWith(String field, String rawValue) {
    return with(notification(), field, rawValue);
  }

  static String post() {
    return "{\"postId\":9,\"communityId\":7,\"authorId\":5,\"title\":\"Meetup\",\"excerpt\":\"...\",\"createdAt\":\"2026-11-24T09:00:00Z\"}";
  }

  static String postWith(String field, String rawValue) {
    return with(post(), field, rawValue);
  }

  static String user() {
    return "{\"handle\":\"mina\",\"email\":\"mina@uni.example\",\"timeZone\":\"UTC\",\"digest\":\"daily\"}";
  }

  Attack enqueue(String name, int status, String... headers) {
    List<String> all =
        new ArrayList<>(
            List.of("Authorization: Bearer " + writer, "Content-Type: application/json"));
    all.addAll(List.of(headers));
    return new Attack(
        name, RawHttp.request("POST", V1 + "/notifications", all, notification()), status);
  }

  Attack post(String path, String name, int status, String body) {
    List<String> all = List.of("Authorization: Bearer " + writer, "Content-Type: application/json");
    return new Attack(name, RawHttp.request("POST", path, all, body), status);
  }

  Attack call(String method, String target, int status, String key, String body) {
    List<String> all = new ArrayList<>(List.of("Authorization: Bearer " + key));
    if (body != null) {
      all.add("Content-Type: application/json");
    }
    return new Attack(method + " " + target, RawHttp.request(method, target, all, body), status);
  }
}
