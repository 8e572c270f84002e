package io.pulse.api;

import static io.pulse.api.ApiTestSupport.ADMIN_KEY;
import static io.pulse.api.ApiTestSupport.admin;
import static io.pulse.api.ApiTestSupport.keyWithScopes;
import static io.pulse.api.JsonBodies.readTree;
import static io.pulse.api.JsonBodies.with;
import static io.pulse.api.JsonBodies.without;
import static io.pulse.api.SideEffects.assertUnchanged;
import static java.nio.charset.StandardCharsets.UTF_16;
import static java.nio.charset.StandardCharsets.UTF_16LE;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import io.pulse.api.SideEffects.State;
import io.pulse.api.auth.ApiConfig;
import io.pulse.api.auth.ApiKey;
import io.pulse.api.auth.Scope;
import io.pulse.common.messaging.RabbitConfig;
import io.pulse.common.testing.BrokerProbe;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Issue 7, "Bad input": a table of malformed requests against every endpoint of the API. Each one
 * must get the right 4xx (never a 5xx) with an RFC 9457 problem body whose title or detail names
 * the fault, and none may write: after every case, and again after the whole table, each table's
 * rows (count and content) and each {@code pulse.*} queue's depth must be what they were.
 */
@QuarkusTest
class MalformedRequestsTest {
  static final String V1 = "/api/v1";
  static final String PROBLEM = "application/problem+json";
  static final String JSON = "application/json";
  static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  // Every table the migrations create; the check reads them all, these must be among them.
  static final List<String> KNOWN_TABLES =
      List.of(
          "jobs",
          "users",
          "notifications",
          "notification_recalls",
          "api_keys",
          "notification_preferences",
          "quiet_hours",
          "deliveries",
          "communities",
          "community_members",
          "posts",
          "feed_entries");

  // "+5" is %2B5 in a URL: Integer.parseInt would read it as 5.
  static final String[] BAD_LIMITS = {"0", "101", "-1", "abc", "1.5", "1e2", "%2B5"};

  static BrokerProbe broker;

  @Inject EntityManager em;
  @Inject ApiConfig api;
  @Inject RabbitConfig rabbit;

  @TestHTTPResource("/")
  URI root;

  // Fixtures: rows the cases aim at, so a request wrongly accepted would change a row we watch.
  final long base = 90_000_000 + (System.currentTimeMillis() % 1_000) * 10_000;
  final long user = base + 1;
  final long community = base + 2;
  final long recordedPost = base + 3;
  final long newPost = base + 4;
  final String idempotencyKey = "malformed-" + UUID.randomUUID();
  String reader;
  String writer;
  String revoked;

  @AfterAll
  static void disconnect() {
    if (broker != null) {
      broker.close();
    }
  }

  @TestFactory
  Stream<DynamicTest> malformedRequestsGetAProblemAndWriteNothing() {
    broker = new BrokerProbe(rabbit.virtualHost());
    createFixtures();
    List<Req> cases = cases();
    assertTrue(cases.size() >= 100, "the table holds " + cases.size() + " cases");
    SideEffects effects = new SideEffects(em, rabbit, broker);
    assertTrue(effects.tables().containsAll(KNOWN_TABLES), "tables found: " + effects.tables());
    State before = effects.settled();
    AtomicReference<State> previous = new AtomicReference<>(before);
    Stream<DynamicTest> each =
        cases.stream()
            .map(
                c ->
                    dynamicTest(
                        c.displayName(),
                        () -> {
                          Throwable fault = null;
                          try {
                            c.run(root);
                          } catch (Throwable t) {
                            fault = t;
                          }
                          // Measured even after a failed answer, so the next case is judged alone.
                          State now = effects.now();
                          assertUnchanged(previous.getAndSet(now), now, c.displayName(), fault);
                          if (fault != null) {
                            throw fault;
                          }
                        }));
    DynamicTest whole =
        dynamicTest(
            "after all " + cases.size() + " cases: not one row or message more than before",
            () -> assertUnchanged(before, effects.now(), "the whole table", null));
    return Stream.concat(each, Stream.of(whole));
  }

  // ---------------------------------------------------------------------------------------------
  // The table

  List<Req> cases() {
    List<Req> cases = new ArrayList<>();
    for (BodyEndpoint e : bodyEndpoints()) {
      cases.addAll(bodyCases(e));
    }
    cases.addAll(pathIdCases());
    cases.addAll(userCases());
    cases.addAll(preferenceCases());
    cases.addAll(communityCases());
    cases.addAll(notificationCases());
    cases.addAll(inboxCases());
    cases.addAll(recallCases());
    cases.addAll(postAndFeedCases());
    cases.addAll(apiKeyCases());
    cases.addAll(apiKeyLimitCases());
    cases.addAll(auditCases());
    cases.addAll(replayCases());
    cases.addAll(authAndProtocolCases());
    return cases;
  }

  /**
   * An endpoint that takes a JSON body, with a body it would accept; an optional body (none, or
   * JSON null, means the defaults) is not refused for being absent.
   */
  record BodyEndpoint(
      String method, String path, String valid, String readerOrWriter, boolean optional) {
    BodyEndpoint(String method, String path, String valid, String readerOrWriter) {
      this(method, path, valid, readerOrWriter, false);
    }
  }

  List<BodyEndpoint> bodyEndpoints() {
    return List.of(
        new BodyEndpoint("PUT", V1 + "/users/" + user, userBody(), reader),
        new BodyEndpoint("PUT", V1 + "/users/" + user + "/preferences", prefsBody(), reader),
        new BodyEndpoint("PUT", V1 + "/communities/" + community, "{\"name\":\"Chess\"}", reader),
        new BodyEndpoint("POST", V1 + "/notifications", notificationBody(), reader),
        new BodyEndpoint("POST", V1 + "/notifications/recall", "{\"source\":\"post:1\"}", reader),
        new BodyEndpoint(
            "POST", V1 + "/users/" + user + "/notifications/read", "{\"all\":true}", reader),
        new BodyEndpoint("POST", V1 + "/posts", postBody(), reader),
        new BodyEndpoint("POST", V1 + "/admin/api-keys", keyBody(), writer),
        new BodyEndpoint("POST", V1 + "/admin/digests/runs", "{\"period\":\"daily\"}", writer),
        new BodyEndpoint(
            "PUT", V1 + "/admin/api-keys/" + UUID.randomUUID() + "/limits", limitsBody(), writer),
        new BodyEndpoint(
            "POST",
            V1 + "/admin/api-keys/" + UUID.randomUUID() + "/rotate",
            "{\"graceSeconds\":60}",
            writer,
            true),
        new BodyEndpoint(
            "POST",
            V1 + "/admin/dead-letters/replay",
            "{\"jobIds\":[\"" + java.util.UUID.randomUUID() + "\"]}",
            writer));
  }

  /** What every JSON endpoint must refuse, whatever its fields. */
  List<Req> bodyCases(BodyEndpoint e) {
    long limit = api.maxBodyBytes();
    String valid = e.valid();
    String first = readTree(valid).fieldNames().next();
    String firstValue = readTree(valid).get(first).toString();
    List<Req> c = new ArrayList<>();
    if (!e.optional()) {
      c.add(req("empty body", e).body("").expect(400, "body"));
      c.add(req("JSON null", e).body("null").expect(400, "body"));
    }
    c.add(req("array instead of an object", e).body("[]").expect(400, "body"));
    c.add(req("string instead of an object", e).body("\"hello\"").expect(400, "body"));
    c.add(req("number instead of an object", e).body("42").expect(400, "body"));
    c.add(
        req("truncated JSON", e)
            .body(valid.substring(0, valid.length() / 2))
            .expect(400, "not valid JSON"));
    c.add(req("form fields sent as JSON", e).body("name=x&scopes=read").expect(400, "JSON"));
    c.add(req("text after the document", e).body(valid + " x").expect(400, "not valid JSON"));
    c.add(req("two documents", e).body(valid + valid).expect(400, "not valid JSON"));
    c.add(
        req("a key given twice", e)
            .body("{\"" + first + "\":" + firstValue + "," + valid.substring(1))
            .expect(400, "Duplicate field '" + first + "'"));
    c.add(req("a comment", e).body("/* hi */ " + valid).expect(400, "not valid JSON"));
    c.add(req("single quotes", e).body(valid.replace('"', '\'')).expect(400, "not valid JSON"));
    c.add(req("NaN", e).body(with(valid, first, "NaN")).expect(400, "not valid JSON"));
    c.add(req("invalid UTF-8", e).bytes(invalidUtf8()).expect(400, "UTF-8"));
    c.add(
        req("10,000 nested arrays", e)
            .body("[".repeat(10_000) + "]".repeat(10_000))
            .expect(400, "body"));
    c.add(
        req("10,000 nested objects", e)
            .body("{\"deep\":" + "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_001))
            .expect(400, "nesting depth"));
    c.add(req("unknown field", e).body(with(valid, "extra", "1")).expect(400, "'extra'"));
    c.add(req("text/plain", e).type("text/plain").body(valid).expect(415, "application/json"));
    c.add(req("no Content-Type", e).type(null).body(valid).expect(415, "missing"));
    c.add(
        req("form Content-Type", e)
            .type("application/x-www-form-urlencoded")
            .body("a=1")
            .expect(415, "x-www-form-urlencoded"));
    c.add(
        req("Content-Type that does not parse", e)
            .type("garbage")
            .body(valid)
            .expect(415, "garbage"));
    c.add(req("XML", e).type("application/xml").body("<a/>").expect(415, "application/xml"));
    // Only application/json is JSON here, in UTF-8: no wildcards, lookalikes or other charsets.
    for (String type :
        List.of(
            "*/*",
            "application/*",
            "application/json-seq",
            "application/merge-patch+json",
            "application/json; charset=bogus-xyz",
            "application/json; charset=utf-16",
            "application/json; charset=iso-8859-1",
            "application/json; profile=x")) {
      c.add(req("Content-Type " + type, e).type(type).body(valid).expect(415, type));
    }
    c.add(
        req("UTF-16 body, declared", e)
            .type("application/json; charset=UTF-16")
            .bytes(valid.getBytes(UTF_16))
            .expect(415, "UTF-16"));
    c.add(req("UTF-16 body with a BOM", e).bytes(valid.getBytes(UTF_16)).expect(400, "UTF-8"));
    c.add(req("UTF-16LE body, no BOM", e).bytes(valid.getBytes(UTF_16LE)).expect(400, "UTF-8"));
    c.add(
        req("UTF-32 body, no BOM", e)
            .bytes(valid.getBytes(Charset.forName("UTF-32")))
            .expect(400, "UTF-8"));
    c.add(
        req("body one byte over the limit", e)
            .body(padded(valid, limit + 1))
            .expect(413, "larger than " + limit));
    c.add(
        req("body three times the limit", e)
            .body(padded(valid, 3 * limit))
            .expect(413, "larger than " + limit));
    c.add(
        req("chunked body over the limit", e)
            .body(padded(valid, limit + 1))
            .chunked()
            .expect(413, "larger than " + limit));
    c.add(req("no Authorization", e).auth(null).body(valid).expect(401, "Authorization"));
    c.add(req("unknown API key", e).auth("Bearer pk_nope").body(valid).expect(401, "API key"));
    c.add(req("revoked API key", e).auth("Bearer " + revoked).body(valid).expect(401, "revoked"));
    c.add(
        req("API key without the scope", e)
            .auth("Bearer " + e.readerOrWriter())
            .body(valid)
            .expect(403, "scope"));
    return c;
  }

  /** Ids in paths: positive 64-bit integers in ASCII digits, or canonical UUIDs. */
  /**
   * Send times ({@code sendAt}, {@code publishAt}) that are no instant, already past, or more than
   * a year ahead.
   */
  static final String[] BAD_SEND_TIMES = {
    "\"tomorrow\"",
    "\"2026-13-01T00:00:00Z\"",
    "\"2030-01-01\"",
    "\"2020-01-01T00:00:00Z\"",
    quoted(java.time.Instant.now().minusSeconds(1).toString()),
    quoted(java.time.Instant.now().plus(Duration.ofDays(366)).toString()),
    "\"+300000-01-01T00:00:00Z\"",
    "1900000000",
    "\"\"",
    "{}",
    "true"
  };

  List<Req> pathIdCases() {
    List<Req> c = new ArrayList<>();
    List<String> badIds =
        List.of(
            "0",
            "-1",
            "abc",
            "9223372036854775808",
            "1.5",
            "1e3",
            "+5",
            "%D9%A3", // ARABIC-INDIC DIGIT THREE: Long.parseLong reads it as 3
            "%20");
    String u = String.valueOf(user);
    String cm = String.valueOf(community);
    for (String id : badIds) {
      c.add(new Req("PUT", V1 + "/users/" + id).body(userBody()).expect(400, "id: "));
      c.add(
          new Req("PUT", V1 + "/users/" + id + "/preferences")
              .body(prefsBody())
              .expect(400, "id: "));
      c.add(new Req("GET", V1 + "/users/" + id + "/preferences").expect(400, "id: "));
      c.add(new Req("PUT", V1 + "/communities/" + id).body("{\"name\":\"x\"}").expect(400, "id: "));
      c.add(new Req("PUT", V1 + "/communities/" + id + "/members/" + u).expect(400, "id: "));
      c.add(new Req("PUT", V1 + "/communities/" + cm + "/members/" + id).expect(400, "userId: "));
      c.add(new Req("DELETE", V1 + "/communities/" + id + "/members/" + u).expect(400, "id: "));
      c.add(
          new Req("DELETE", V1 + "/communities/" + cm + "/members/" + id).expect(400, "userId: "));
      c.add(new Req("GET", V1 + "/users/" + id + "/notifications").expect(400, "id: "));
      c.add(
          new Req("POST", V1 + "/users/" + id + "/notifications/read")
              .body("{\"all\":true}")
              .expect(400, "id: "));
      c.add(new Req("GET", V1 + "/users/" + id + "/feed").expect(400, "id: "));
      c.add(new Req("GET", V1 + "/users/" + id + "/notifications/stream").expect(400, "id: "));
      c.add(new Req("POST", V1 + "/users/" + id + "/stream-tokens").expect(400, "id: "));
      c.add(new Req("DELETE", V1 + "/posts/" + id).expect(400, "id: "));
      c.add(new Req("POST", V1 + "/admin/feeds/" + id + "/rebuild").expect(400, "userId: "));
    }
    for (String key : List.of("k".repeat(201), "has space", "has\ttab")) {
      c.add(
          new Req("POST", V1 + "/admin/feeds/" + u + "/rebuild")
              .header("Idempotency-Key", key)
              .named("rebuild with Idempotency-Key " + shorten(key))
              .expect(400, "Idempotency-Key"));
    }
    List<String> badUuids =
        List.of(
            "not-a-uuid",
            "1-1-1-1-1",
            "123",
            "00000000-0000-0000-0000-0000000000001",
            "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz",
            "%7B00000000-0000-0000-0000-000000000000%7D");
    for (String id : badUuids) {
      c.add(new Req("GET", V1 + "/jobs/" + id).expect(400, "id: "));
      c.add(new Req("DELETE", V1 + "/jobs/" + id).expect(400, "id: "));
      c.add(new Req("DELETE", V1 + "/admin/api-keys/" + id).expect(400, "id: "));
      c.add(
          new Req("PUT", V1 + "/admin/api-keys/" + id + "/limits")
              .body(limitsBody())
              .expect(400, "id: "));
      c.add(
          new Req("POST", V1 + "/admin/api-keys/" + id + "/rotate").body("{}").expect(400, "id: "));
    }
    // Well-formed ids of nothing: 404, and still nothing written.
    String nobody = UUID.randomUUID().toString();
    c.add(new Req("GET", V1 + "/jobs/" + nobody).expect(404, "job " + nobody));
    c.add(new Req("DELETE", V1 + "/jobs/" + nobody).expect(404, "job " + nobody));
    c.add(new Req("DELETE", V1 + "/admin/api-keys/" + nobody).expect(404, "API key"));
    c.add(new Req("DELETE", V1 + "/posts/" + (base + 999)).expect(404, "post"));
    c.add(
        new Req("PUT", V1 + "/communities/" + (base + 999) + "/members/" + u)
            .expect(404, "community"));
    c.add(
        new Req("DELETE", V1 + "/communities/" + cm + "/members/" + (base + 999))
            .expect(404, "membership"));
    return c;
  }

  List<Req> userCases() {
    String path = V1 + "/users/" + user;
    String v = userBody();
    return Stream.of(
            new BadField("PUT", path, v, "handle")
                .missing()
                .values(
                    "null",
                    "\"\"",
                    quoted("h".repeat(65)),
                    "\"has space\"",
                    "5",
                    "[\"a\"]",
                    "\"a\\u0000b\"",
                    "[".repeat(10_000) + "]".repeat(10_000)),
            new BadField("PUT", path, v, "email")
                .values(
                    "\"not-an-email\"",
                    "\"mina@\"",
                    "\"@uni.example\"",
                    "\"\"",
                    "\"mi na@uni.example\"",
                    "\"mina@uni.example\\r\\nBcc: x@evil.example\"",
                    quoted("m".repeat(250) + "@uni.example"),
                    "5",
                    "[\"mina@uni.example\"]"),
            new BadField("PUT", path, v, "timeZone")
                .values(
                    "\"Mars/Olympus\"",
                    "\"\"",
                    "\"  \"",
                    "\"UTC+25:00\"",
                    "\"../../etc/passwd\"",
                    quoted("Europe/" + "x".repeat(60)),
                    "9"),
            new BadField("PUT", path, v, "digest")
                .values("\"hourly\"", "\"DAILY\"", "true", "\"\""),
            new BadField("PUT", path, v, "lastActiveAt")
                .values(
                    "\"yesterday\"",
                    "\"2026-13-01T00:00:00Z\"",
                    "\"2026-11-24\"",
                    "\"+300000-01-01T00:00:00Z\"",
                    "\"-300000-01-01T00:00:00Z\"",
                    "\"2999-01-01T00:00:00Z\"",
                    "\"1969-12-31T23:59:59Z\"",
                    "1700000000",
                    "\"1700000000\"",
                    "{}",
                    "\"\"",
                    "\" \"",
                    "\"\\t\"",
                    "\"\\u0000\"",
                    "\" 2026-11-24T08:00:00Z\""),
            new BadField("PUT", path, v, "displayName")
                .values(quoted("d".repeat(101)), "\"\\ud800\""))
        .flatMap(field -> field.cases.stream())
        .toList();
  }

  List<Req> preferenceCases() {
    String nested = "[".repeat(10_000) + "]".repeat(10_000);
    return badBodies(
        "PUT",
        V1 + "/users/" + user + "/preferences",
        new String[][] {
          {"channels missing", "{}", "channels"},
          {"channels null", "{\"channels\":null}", "channels"},
          {"channels an array", "{\"channels\":[]}", "channels"},
          {"channels a string", "{\"channels\":\"email\"}", "channels"},
          {
            "a type's channels a string",
            "{\"channels\":{\"comment.reply\":\"email\"}}",
            "channels.comment.reply"
          },
          {
            "a type's channels null",
            "{\"channels\":{\"comment.reply\":null}}",
            "channels.comment.reply"
          },
          {
            "null among the channels",
            "{\"channels\":{\"comment.reply\":[\"in_app\",null]}}",
            "channels.comment.reply"
          },
          {
            "a channel that is a number",
            "{\"channels\":{\"comment.reply\":[5]}}",
            "channels.comment.reply[0]"
          },
          {"unknown channel", "{\"channels\":{\"mention\":[\"sms\"]}}", "channels.mention"},
          {
            "a good type beside an unknown one: neither is written",
            "{\"channels\":{\"comment.reply\":[\"in_app\"],\"no.such.type\":[\"email\"]}}",
            "channels.no.such.type"
          },
          {
            "10,000 nested arrays as channels",
            "{\"channels\":{\"mention\":" + nested + "}}",
            "channels.mention"
          },
          {"quietHours a string", "{\"quietHours\":\"22:00-07:00\"}", "quietHours"},
          {"quietHours an array", "{\"quietHours\":[\"22:00\",\"07:00\"]}", "quietHours"},
          {"quietHours empty", "{\"quietHours\":{}}", "quietHours.start"},
          {"quiet start null", quiet("null", "\"07:00\""), "quietHours.start"},
          {"quiet end missing", "{\"quietHours\":{\"start\":\"22:00\"}}", "quietHours.end"},
          {"quiet start a number", quiet("2200", "\"07:00\""), "quietHours.start"},
          {"quiet start with seconds", quiet("\"22:00:00\"", "\"07:00\""), "quietHours.start"},
          {"quiet start one-digit hour", quiet("\"7:00\"", "\"08:00\""), "quietHours.start"},
          {"quiet start 12-hour", quiet("\"10:00 PM\"", "\"07:00\""), "quietHours.start"},
          {"quiet end 24:00", quiet("\"22:00\"", "\"24:00\""), "quietHours.end"},
          {"quiet end 07:60", quiet("\"22:00\"", "\"07:60\""), "quietHours.end"},
          {"quiet end with a space", quiet("\"22:00\"", "\" 07:00\""), "quietHours.end"},
          {"quiet start equals end", quiet("\"22:00\"", "\"22:00\""), "quietHours"},
          {
            "quiet hours unknown field",
            "{\"quietHours\":{\"start\":\"22:00\",\"end\":\"07:00\",\"zone\":\"UTC\"}}",
            "quietHours.zone"
          },
          {
            "good channels beside bad quiet hours: neither is written",
            "{\"channels\":{\"mention\":[\"email\"]},\"quietHours\":{\"start\":\"25:00\",\"end\":\"07:00\"}}",
            "quietHours.start"
          },
        });
  }

  static String quiet(String start, String end) {
    return "{\"quietHours\":{\"start\":" + start + ",\"end\":" + end + "}}";
  }

  List<Req> communityCases() {
    return badBodies(
        "PUT",
        V1 + "/communities/" + community,
        new String[][] {
          {"name missing", "{}", "name"},
          {"name null", "{\"name\":null}", "name"},
          {"name empty", "{\"name\":\"\"}", "name"},
          {"name blank", "{\"name\":\"   \"}", "name"},
          {"name 201 chars", "{\"name\":" + quoted("n".repeat(201)) + "}", "name"},
          {"name a number", "{\"name\":42}", "name"},
          {"name a boolean", "{\"name\":true}", "name"},
          {"name with NUL", "{\"name\":\"Chess\\u0000Club\"}", "name"},
        });
  }

  List<Req> notificationCases() {
    String path = V1 + "/notifications";
    String v = notificationBody();
    Function<String, Req> post = body -> new Req("POST", path).body(body);
    List<Req> c = new ArrayList<>();
    String batch = V1 + "/notifications/batch";
    String tooMany =
        LongStream.rangeClosed(1, api.maxRecipients() + 1L)
            .mapToObj(Long::toString)
            .collect(Collectors.joining(",", "[", "]"));
    Stream.of(
            new BadField("POST", path, v, "type")
                .missing()
                .values(
                    "null",
                    "\"\"",
                    "\"Comment.Reply\"",
                    "\"no.such.type\"",
                    quoted("t".repeat(101)),
                    "7"),
            new BadField("POST", path, v, "recipientIds")
                .missing()
                .values("[]", "null", "42", "\"42\"", "{\"a\":1}", tooMany)
                .valuesNaming(
                    "recipientIds[0]",
                    "[0]",
                    "[-1]",
                    "[\"abc\"]",
                    "[1.5]",
                    "[null]",
                    "[9223372036854775808]",
                    "[[[[[1]]]]]",
                    "[\"1\"]",
                    "[\" 2\"]",
                    "[\"3 \"]"),
            new BadField("POST", path, v, "title")
                .values("null", "\"\"", quoted("t".repeat(201)), "5", "\"\\ud800x\""),
            new BadField("POST", path, v, "body").values(quoted("b".repeat(4_001))),
            new BadField("POST", path, v, "link").values(quoted("/".repeat(2_001))),
            new BadField("POST", path, v, "actorId")
                .values("0", "-5", "\"\"", "1.5", "\"five\"", "true", "\"5\""),
            new BadField("POST", path, v, "sendAt").values(BAD_SEND_TIMES),
            new BadField("POST", path, v, "source").values(BAD_SOURCES))
        .forEach(field -> c.addAll(field.cases));
    for (String source : BAD_SOURCES) {
      c.add(
          new Req("POST", batch)
              .body("[" + v + "," + with(v, "source", source) + "]")
              .named("batch item [1] source " + shorten(source))
              .expect(400, "[1].source"));
    }
    for (String sendAt : BAD_SEND_TIMES) {
      c.add(
          new Req("POST", batch)
              .body("[" + v + "," + with(v, "sendAt", sendAt) + "]")
              .named("batch item [1] sendAt " + shorten(sendAt))
              .expect(400, "[1].sendAt"));
    }
    for (String key : List.of("k".repeat(201), "has space", "has\ttab")) {
      c.add(
          post.apply(v)
              .header("Idempotency-Key", key)
              .named("Idempotency-Key " + shorten(key))
              .expect(400, "Idempotency-Key"));
    }
    c.add(
        post.apply(with(v, "title", "\"Another title\""))
            .header("Idempotency-Key", idempotencyKey)
            .named("Idempotency-Key reused with another body")
            .expect(422, "Idempotency-Key"));
    // A broken traceparent is ignored, as W3C Trace Context says; it must not hide the real fault.
    c.add(
        post.apply(with(v, "recipientIds", "[]"))
            .header("traceparent", "00-zz-not-a-trace")
            .named("bad traceparent on a bad body")
            .expect(400, "recipientIds"));
    c.add(
        post.apply(without(v, "title"))
            .header("traceparent", "00-" + "f".repeat(10_000))
            .named("10 KB traceparent on a bad body")
            .expect(400, "title"));
    return c;
  }

  /** Sources ({@code source}): 1-200 visible ASCII characters, no spaces. */
  static final String[] BAD_SOURCES = {
    "\"\"",
    quoted("s".repeat(201)),
    "\"has space\"",
    "\"tab\\there\"",
    "\"caf\u00e9\"",
    "5",
    "{}",
    "[\"a\"]",
    "true"
  };

  /** Recall by source and by dispatch job: a bad source or id is 400, an unknown job 404. */
  List<Req> recallCases() {
    List<Req> c = new ArrayList<>();
    c.addAll(
        new BadField("POST", V1 + "/notifications/recall", "{\"source\":\"post:1\"}", "source")
            .missing()
            .values("null")
            .values(BAD_SOURCES)
            .cases);
    for (String id : List.of("not-a-uuid", "123", "00000000-0000-0000-0000-0000000000001")) {
      c.add(new Req("DELETE", V1 + "/notifications/" + id).expect(400, "jobId: "));
    }
    String nobody = UUID.randomUUID().toString();
    c.add(
        new Req("DELETE", V1 + "/notifications/" + nobody)
            .expect(404, "notification job " + nobody));
    return c;
  }

  List<Req> inboxCases() {
    String inbox = V1 + "/users/" + user + "/notifications";
    String read = inbox + "/read";
    List<Req> c = new ArrayList<>();
    c.addAll(badQuery(inbox, "limit", BAD_LIMITS));
    c.addAll(badQuery(inbox, "unreadOnly", "yes", "1", "TRUE"));
    c.addAll(
        badQuery(
            inbox,
            "cursor",
            "!!!",
            cursor("n1:0"),
            cursor("n1:-1"),
            cursor("n1:abc"),
            cursor("n1:99999999999999999999"),
            cursor("f1:1:1"),
            cursor("hello"),
            "A".repeat(3_000)));
    String thousandAndOne =
        LongStream.rangeClosed(1, 1_001)
            .mapToObj(Long::toString)
            .collect(Collectors.joining(",", "{\"ids\":[", "]}"));
    c.addAll(
        badBodies(
            "POST",
            read,
            new String[][] {
              {"neither ids nor all", "{}", "ids"},
              {"both ids and all", "{\"ids\":[1],\"all\":true}", "ids"},
              {"all false and no ids", "{\"all\":false}", "ids"},
              {"id 0", "{\"ids\":[0]}", "ids[0]"},
              {"negative id", "{\"ids\":[-1]}", "ids[0]"},
              {"id not a number", "{\"ids\":[\"x\"]}", "ids[0]"},
              {"id null", "{\"ids\":[null]}", "ids[0]"},
              {"id a numeric string", "{\"ids\":[\"1\"]}", "ids[0]"},
              {"id a fraction", "{\"ids\":[1.5]}", "ids[0]"},
              {"ids not a list", "{\"ids\":5}", "ids"},
              {"all a string", "{\"all\":\"true\"}", "all"},
              {"all a number", "{\"all\":1}", "all"},
              {"1,001 ids", thousandAndOne, "ids"},
            }));
    // The live stream checks its resume point before it opens (it would stay open otherwise).
    String stream = inbox + "/stream";
    c.addAll(badQuery(stream, "lastEventId", "-1", "abc", "1.5", "99999999999999999999"));
    c.add(
        new Req("GET", stream)
            .header("Last-Event-ID", "yesterday")
            .named("Last-Event-ID header not a number")
            .expect(400, "lastEventId"));
    return c;
  }

  List<Req> postAndFeedCases() {
    String path = V1 + "/posts";
    String v = postBody();
    List<Req> c = new ArrayList<>();
    String[] badIds = {"0", "-1", "\"abc\"", "1.5", "9223372036854775808", "null", "\"5\""};
    Stream.of(
            new BadField("POST", path, v, "postId").missing().values(badIds),
            new BadField("POST", path, v, "communityId")
                .missing()
                .values(badIds)
                .values(String.valueOf(base + 999)),
            new BadField("POST", path, v, "authorId").missing().values(badIds),
            new BadField("POST", path, v, "title").values("\"\"", quoted("t".repeat(301))),
            new BadField("POST", path, v, "excerpt").values(quoted("e".repeat(1_001))),
            new BadField("POST", path, v, "createdAt")
                .missing()
                .values(
                    "null",
                    "\"today\"",
                    "\"2026-02-30T09:00:00Z\"",
                    "\"+300000-01-01T00:00:00Z\"",
                    "\"2999-01-01T00:00:00Z\"",
                    "1700000000"),
            new BadField("POST", path, v, "publishAt").values(BAD_SEND_TIMES))
        .forEach(field -> c.addAll(field.cases));
    c.add(
        new Req("POST", path)
            .body(with(with(v, "postId", String.valueOf(recordedPost)), "title", "\"Changed\""))
            .named("a recorded post with other content")
            .expect(422, "already recorded"));
    String feed = V1 + "/users/" + user + "/feed";
    c.addAll(badQuery(feed, "limit", BAD_LIMITS));
    c.addAll(
        badQuery(
            feed,
            "cursor",
            "!!!",
            cursor("f1:-9223372036854775808:1"),
            cursor("f1:9223372036854775807:1"),
            cursor("f1:1:2:3"),
            cursor("f1:1:-2"),
            cursor("f1:1"),
            cursor("f1:x:1"),
            cursor("n1:5"),
            "A".repeat(3_000)));
    return c;
  }

  List<Req> apiKeyCases() {
    String path = V1 + "/admin/api-keys";
    return Stream.of(
            new BadField("POST", path, keyBody(), "name")
                .missing()
                .values("\"\"", quoted("n".repeat(101)), "5"),
            new BadField("POST", path, keyBody(), "scopes")
                .missing()
                .values(
                    "[]",
                    "\"read\"",
                    "[\"root\"]",
                    "[null]",
                    "[5]",
                    "[\"read\",\"read\",\"read\",\"read\"]",
                    "[\"READ\"]"))
        .flatMap(field -> field.cases.stream())
        .toList();
  }

  /** The per-key limits, expiry and rotation grace: positive numbers, a future expiry. */
  List<Req> apiKeyLimitCases() {
    String keys = V1 + "/admin/api-keys";
    String limits = keys + "/" + UUID.randomUUID() + "/limits";
    String rotate = keys + "/" + UUID.randomUUID() + "/rotate";
    String withLimits =
        "{\"name\":\"ci\",\"scopes\":[\"read\"],\"requestsPerSecond\":5,\"burst\":10,"
            + "\"dailyJobQuota\":100,\"expiresAt\":\"2099-01-01T00:00:00Z\"}";
    return Stream.of(
            new BadField("POST", keys, withLimits, "requestsPerSecond").values("0", "-1", "\"5\""),
            new BadField("POST", keys, withLimits, "burst").values("0", "1.5"),
            new BadField("POST", keys, withLimits, "dailyJobQuota").values("0", "\"100\""),
            new BadField("POST", keys, withLimits, "expiresAt")
                .values("\"2000-01-01T00:00:00Z\"", "\"tomorrow\"", "5"),
            new BadField("PUT", limits, limitsBody(), "requestsPerSecond").values("0", "true"),
            new BadField("PUT", limits, limitsBody(), "burst").values("-5"),
            new BadField("POST", rotate, "{\"graceSeconds\":60}", "graceSeconds")
                .values("-1", "99999999999", "\"60\""))
        .flatMap(field -> field.cases.stream())
        .toList();
  }

  /** The audit listing's filters and paging. */
  List<Req> auditCases() {
    String audit = V1 + "/admin/audit";
    return List.of(
        new Req("GET", audit + "?since=yesterday").expect(400, "since"),
        new Req("GET", audit + "?until=2026-13-01T00:00:00Z").expect(400, "until"),
        new Req("GET", audit + "?limit=0").expect(400, "limit"),
        new Req("GET", audit + "?cursor=not-a-cursor").expect(400, "cursor"));
  }

  static String limitsBody() {
    return "{\"requestsPerSecond\":5,\"burst\":10,\"dailyJobQuota\":100}";
  }

  List<Req> replayCases() {
    return new BadField(
            "POST",
            V1 + "/admin/dead-letters/replay",
            "{\"type\":\"feed.fanout\",\"limit\":1}",
            "limit")
        .values("\"1\"", "1.5", "0", "true")
        .cases;
  }

  List<Req> authAndProtocolCases() {
    String job = V1 + "/jobs/" + UUID.randomUUID();
    List<Req> c = new ArrayList<>();
    for (String header :
        List.of("Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "Token " + ADMIN_KEY, ADMIN_KEY)) {
      c.add(
          new Req("GET", job)
              .auth(header)
              .named("Authorization: " + header)
              .expect(401, "Authorization"));
    }
    c.add(
        new Req("GET", job)
            .auth("Bearer " + "k".repeat(10_000))
            .named("10 KB API key")
            .expect(401, "API key"));
    c.add(
        new Req("GET", job)
            .auth("Bearer " + ADMIN_KEY + "x")
            .named("admin key plus a byte")
            .expect(401, "API key"));
    c.add(
        new Req("GET", job)
            .auth("Bearer " + writer)
            .named("jobs:write key reads a job")
            .expect(403, Scope.READ));
    // Every endpoint refuses a caller without a key, before it looks at anything else.
    String u = V1 + "/users/" + user;
    for (String[] endpoint :
        List.of(
            new String[] {"GET", u + "/preferences"},
            new String[] {"PUT", V1 + "/communities/" + community + "/members/" + user},
            new String[] {"DELETE", V1 + "/communities/" + community + "/members/" + user},
            new String[] {"GET", u + "/notifications"},
            new String[] {"GET", u + "/notifications/stream"},
            new String[] {"POST", u + "/stream-tokens"},
            new String[] {"GET", u + "/feed"},
            new String[] {"DELETE", V1 + "/posts/" + recordedPost},
            new String[] {"GET", job},
            new String[] {"DELETE", V1 + "/admin/api-keys/" + UUID.randomUUID()})) {
      c.add(
          new Req(endpoint[0], endpoint[1])
              .auth(null)
              .named("no Authorization")
              .expect(401, "Authorization"));
    }
    c.add(
        new Req("DELETE", V1 + "/posts/" + recordedPost)
            .auth("Bearer " + reader)
            .named("read key deletes a post")
            .expect(403, Scope.JOBS_WRITE));
    c.add(
        new Req("PATCH", u)
            .body(userBody())
            .named("wrong method")
            .expect(405, "Method Not Allowed"));
    c.add(new Req("POST", job).body("{}").named("POST to a job").expect(405, "Method Not Allowed"));
    c.add(new Req("GET", V1 + "/no-such-thing").named("unknown path").expect(404, "Not Found"));
    c.add(
        new Req("GET", job)
            .header("Accept", "application/xml")
            .named("Accept XML only")
            .expect(406, "Not Acceptable"));
    c.add(
        new Req("PUT", u)
            .body(userBody())
            .header("Accept", "text/html")
            .named("Accept HTML only, on a write")
            .expect(406, "Not Acceptable"));
    // Past the HTTP server's own header and request-line limits, Vert.x refuses the request in
    // its decoder, before any application code: no problem body is possible there (Quarkus has
    // no hook for it, quarkusio/quarkus#55082). What is checked is the status and no write.
    c.add(
        new Req("POST", V1 + "/notifications")
            .body(notificationBody())
            .header("Idempotency-Key", "k".repeat(30_000))
            .named("30 KB header")
            .refusedByTheHttpDecoder(431));
    c.add(
        new Req("GET", V1 + "/users/" + user + "/feed?cursor=" + "A".repeat(5_000))
            .named("5 KB request line")
            .refusedByTheHttpDecoder(414));
    return c;
  }

  // ---------------------------------------------------------------------------------------------
  // Valid bodies and how the cases bend them

  String userBody() {
    return "{\"handle\":\"mina\",\"email\":\"mina@uni.example\",\"displayName\":\"Mina\","
        + "\"timeZone\":\"Asia/Seoul\",\"digest\":\"daily\",\"lastActiveAt\":\"2026-11-24T08:00:00Z\"}";
  }

  static String prefsBody() {
    return "{\"channels\":{\"comment.reply\":[\"in_app\"],\"mention\":[]}}";
  }

  String notificationBody() {
    return "{\"type\":\"comment.reply\",\"recipientIds\":["
        + user
        + ","
        + (user + 1)
        + "],\"title\":\"New reply\",\"body\":\"Nice post\",\"link\":\"/posts/9\",\"actorId\":5}";
  }

  String postBody() {
    return "{\"postId\":"
        + newPost
        + ",\"communityId\":"
        + community
        + ",\"authorId\":5,\"title\":\"Meetup\",\"excerpt\":\"Room 4\","
        + "\"createdAt\":\"2026-11-24T09:00:00Z\"}";
  }

  static String keyBody() {
    return "{\"name\":\"ci\",\"scopes\":[\"read\"]}";
  }

  /** The body followed by spaces up to {@code size} bytes: still valid JSON, only too big. */
  static String padded(String body, long size) {
    return body + " ".repeat((int) (size - body.length()));
  }

  static byte[] invalidUtf8() {
    byte[] prefix = "{\"".getBytes(UTF_8);
    byte[] suffix = "\":1}".getBytes(UTF_8);
    byte[] body = new byte[prefix.length + 2 + suffix.length];
    System.arraycopy(prefix, 0, body, 0, prefix.length);
    body[prefix.length] = (byte) 0xff;
    body[prefix.length + 1] = (byte) 0xfe;
    System.arraycopy(suffix, 0, body, prefix.length + 2, suffix.length);
    return body;
  }

  static String quoted(String text) {
    return "\"" + text + "\"";
  }

  static String cursor(String text) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(UTF_8));
  }

  static String shorten(String text) {
    return text.length() <= 40 ? text : text.substring(0, 30) + "...(" + text.length() + ")";
  }

  /** Bad values for one field of a valid body: each case sets it (raw JSON) or drops it. */
  static final class BadField {
    final String method;
    final String path;
    final String valid;
    final String field;
    final List<Req> cases = new ArrayList<>();

    BadField(String method, String path, String valid, String field) {
      this.method = method;
      this.path = path;
      this.valid = valid;
      this.field = field;
    }

    BadField missing() {
      cases.add(
          new Req(method, path)
              .body(without(valid, field))
              .named(field + " missing")
              .expect(400, field));
      return this;
    }

    BadField values(String... raw) {
      return valuesNaming(field, raw);
    }

    /** As {@link #values}, when the problem names a part of the field ("ids[0]"). */
    BadField valuesNaming(String names, String... raw) {
      for (String value : raw) {
        cases.add(
            new Req(method, path)
                .body(with(valid, field, value))
                .named(field + " " + shorten(value))
                .expect(400, names));
      }
      return this;
    }
  }

  /** GETs with one bad query parameter each: all 400 naming it. */
  static List<Req> badQuery(String path, String parameter, String... values) {
    return Arrays.stream(values)
        .map(v -> new Req("GET", path + "?" + parameter + "=" + v).expect(400, parameter))
        .toList();
  }

  /** Rows of {what is wrong, body, what the problem must name}: all sent alike, all 400. */
  static List<Req> badBodies(String method, String path, String[][] rows) {
    return Arrays.stream(rows)
        .map(row -> new Req(method, path).body(row[1]).named(row[0]).expect(400, row[2]))
        .toList();
  }

  Req req(String description, BodyEndpoint e) {
    return new Req(e.method(), e.path()).named(description);
  }

  // ---------------------------------------------------------------------------------------------
  // One request and what its answer must be

  static final class Req {
    final String method;
    final String path;
    String description = "";
    String auth = "Bearer " + ADMIN_KEY;
    String contentType = JSON;
    byte[] body;
    boolean chunked;
    final Map<String, String> headers = new LinkedHashMap<>();
    int status;
    String names;
    boolean decoderRefusal;

    Req(String method, String path) {
      this.method = method;
      this.path = path;
    }

    Req named(String description) {
      this.description = description;
      return this;
    }

    Req body(String json) {
      this.body = json.getBytes(UTF_8);
      return this;
    }

    Req bytes(byte[] raw) {
      this.body = raw;
      return this;
    }

    Req chunked() {
      this.chunked = true;
      return this;
    }

    /** The Content-Type header; null sends none. */
    Req type(String type) {
      this.contentType = type;
      return this;
    }

    /** The Authorization header; null sends none. */
    Req auth(String header) {
      this.auth = header;
      return this;
    }

    Req header(String name, String value) {
      headers.put(name, value);
      return this;
    }

    /** The status, and a text the problem's title, detail or field names must contain. */
    Req expect(int status, String names) {
      this.status = status;
      this.names = names;
      return this;
    }

    Req refusedByTheHttpDecoder(int status) {
      this.status = status;
      this.decoderRefusal = true;
      return this;
    }

    String displayName() {
      String where = method + " " + shorten(path);
      return description.isEmpty() ? where : where + ": " + description;
    }

    /**
     * Sent with the JDK's client rather than REST Assured: the table needs the bytes on the wire
     * exactly as written (REST Assured serialises a byte[] body as JSON, refuses content types it
     * does not know and adds a charset) and a body without a length (chunked).
     */
    void run(URI root) throws IOException, InterruptedException {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create(root + path.substring(1)))
              .version(HttpClient.Version.HTTP_1_1)
              .timeout(Duration.ofSeconds(30));
      if (auth != null) {
        request.header("Authorization", auth);
      }
      if (contentType != null) {
        request.header("Content-Type", contentType);
      }
      headers.forEach(request::header);
      HttpRequest.BodyPublisher publisher =
          body == null
              ? HttpRequest.BodyPublishers.noBody()
              : chunked
                  ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))
                  : HttpRequest.BodyPublishers.ofByteArray(body);
      HttpResponse<String> response =
          CLIENT.send(
              request.method(method, publisher).build(), HttpResponse.BodyHandlers.ofString());
      String answer = response.body();
      String seen =
          response.statusCode() + " " + answer.substring(0, Math.min(answer.length(), 600));
      assertTrue(response.statusCode() < 500, "a server error: " + seen);
      assertEquals(status, response.statusCode(), "status; answer was " + seen);
      if (decoderRefusal) {
        return;
      }
      String type = response.headers().firstValue("Content-Type").orElse("");
      assertTrue(type.startsWith(PROBLEM), "a problem body, got " + type + ": " + seen);
      JsonNode problem = readTree(answer);
      assertEquals(status, problem.path("status").asInt(), "the problem's status member: " + seen);
      assertTrue(problem.path("type").asText().startsWith("https://"), "a type URI: " + seen);
      StringBuilder text =
          new StringBuilder(problem.path("title").asText())
              .append('\n')
              .append(problem.path("detail").asText());
      problem.path("errors").forEach(e -> text.append('\n').append(e.path("field").asText()));
      assertTrue(text.toString().contains(names), "the problem names '" + names + "': " + seen);
      if (status == 401) {
        assertEquals(
            "Bearer",
            response.headers().firstValue("WWW-Authenticate").orElse(null),
            "the 401 challenge");
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Fixtures, and what "nothing was written" is measured on

  void createFixtures() {
    reader = keyWithScopes(Scope.READ);
    writer = keyWithScopes(Scope.JOBS_WRITE);
    revoked = keyWithScopes(Scope.ADMIN);
    QuarkusTransaction.requiringNew()
        .run(
            () ->
                em.createNativeQuery("update api_keys set revoked_at = now() where key_hash = ?1")
                    .setParameter(1, ApiKey.hash(revoked))
                    .executeUpdate());
    admin().body(userBody()).put(V1 + "/users/" + user).then().statusCode(200);
    admin().body(prefsBody()).put(V1 + "/users/" + user + "/preferences").then().statusCode(200);
    admin()
        .body("{\"name\":\"Chess\"}")
        .put(V1 + "/communities/" + community)
        .then()
        .statusCode(200);
    admin().put(V1 + "/communities/" + community + "/members/" + user).then().statusCode(202);
    admin()
        .body(with(postBody(), "postId", String.valueOf(recordedPost)))
        .post(V1 + "/posts")
        .then()
        .statusCode(202);
    admin()
        .header("Idempotency-Key", idempotencyKey)
        .body(notificationBody())
        .post(V1 + "/notifications")
        .then()
        .statusCode(202);
  }
}
