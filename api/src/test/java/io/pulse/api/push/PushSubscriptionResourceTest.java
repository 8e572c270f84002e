package io.pulse.api.push;

import static io.pulse.api.ApiTestSupport.admin;
import static io.pulse.api.ApiTestSupport.as;
import static io.pulse.api.ApiTestSupport.count;
import static io.pulse.api.ApiTestSupport.keyWithScopes;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pulse.api.auth.Scope;
import io.pulse.common.push.P256;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.security.interfaces.ECPublicKey;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The push subscription endpoints: a browser's PushSubscription in, checked before it is kept. */
@QuarkusTest
class PushSubscriptionResourceTest {
  private static final AtomicLong USERS = new AtomicLong(8_800_000 + System.nanoTime() % 100_000);

  /** RFC 8291's example subscription keys: a real browser's shape. */
  static final String P256DH =
      "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";

  static final String AUTH = "BTBZMqHH6r4Tts7J_aSIgg";

  @Inject EntityManager em;

  @ConfigProperty(name = "pulse.notifications.push.vapid-public-key")
  String vapidPublicKey;

  @Test
  void aBrowserSubscriptionIsKeptOnceByEndpointListedAndRemoved() {
    long user = USERS.incrementAndGet();
    String endpoint = "https://fcm.googleapis.com/fcm/send/" + user + ":APA91bH";
    String id =
        as(keyWithScopes(Scope.JOBS_WRITE))
            .body(subscription(endpoint, P256DH, AUTH, null))
            .post(path(user))
            .then()
            .statusCode(201)
            .header("Location", containsString(path(user) + "/"))
            .body("endpoint", equalTo(endpoint))
            .body("expirationTime", nullValue())
            .extract()
            .path("id");

    // The browser posts it again (with an expiry now): the same subscription, updated.
    admin()
        .body(subscription(endpoint, P256DH, AUTH, 1_900_000_000_000L))
        .post(path(user))
        .then()
        .statusCode(200)
        .body("id", equalTo(id))
        .body("expirationTime", equalTo(1_900_000_000_000L));
    as(keyWithScopes(Scope.READ))
        .get(path(user))
        .then()
        .statusCode(200)
        .body("items.endpoint", contains(endpoint))
        .body("items[0].expirationTime", equalTo(1_900_000_000_000L))
        .body("items[0]", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasKey("keys")))
        .body("applicationServerKey", equalTo(vapidPublicKey));
    assertEquals(
        P256DH,
        P256.base64Url(
            (byte[])
                em.createNativeQuery("select p256dh from push_subscriptions where id = ?1")
                    .setParameter(1, Long.parseLong(id))
                    .getSingleResult()),
        "the key as the browser gave it");

    admin().queryParam("endpoint", endpoint).delete(path(user)).then().statusCode(204);
    admin()
        .queryParam("endpoint", endpoint)
        .delete(path(user))
        .then()
        .statusCode(404)
        .contentType("application/problem+json");
    assertEquals(0, rows(user));
  }

  @Test
  void anEndpointPostedForAnotherUserMovesAndOneIsRemovedById() {
    long first = USERS.incrementAndGet();
    long second = USERS.incrementAndGet();
    String endpoint = "https://updates.push.services.mozilla.com/wpush/v2/" + first;
    admin()
        .body(subscription(endpoint, P256DH, AUTH, null))
        .post(path(first))
        .then()
        .statusCode(201);
    String id =
        admin()
            .body(subscription(endpoint, P256DH, AUTH, null))
            .post(path(second))
            .then()
            .statusCode(200)
            .extract()
            .path("id");
    assertEquals(0, rows(first));
    assertEquals(1, rows(second));
    admin().delete(path(first) + "/" + id).then().statusCode(404);
    admin().delete(path(second) + "/" + id).then().statusCode(204);
    assertEquals(0, rows(second));
  }

  @Test
  void theLoopbackStandInIsAcceptedUnderTheTestSwitch() {
    long user = USERS.incrementAndGet();
    admin()
        .body(subscription("http://127.0.0.1:18799/push/" + user, P256DH, AUTH, null))
        .post(path(user))
        .then()
        .statusCode(201);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "plain http|http://fcm.googleapis.com/fcm/send/x|endpoint|https",
        "an address|https://10.1.2.3/push|endpoint|host",
        "localhost|https://localhost/push|endpoint|host",
        "not a URL|fcm send|endpoint|not a URL",
        "credentials|https://u:p@push.example/x|endpoint|credentials",
        "short point|P256DH_SHORT|keys.p256dh|65 bytes",
        "off the curve|P256DH_OFF|keys.p256dh|curve",
        "compressed point|P256DH_COMPRESSED|keys.p256dh|65 bytes",
        "not base64url|P256DH_STD|keys.p256dh|base64url",
        "short auth|AUTH_SHORT|keys.auth|16 bytes",
        "long auth|AUTH_LONG|keys.auth|16 bytes",
        "no auth|AUTH_NONE|keys.auth|required",
      })
  void aBadSubscriptionIs400NamingTheFieldAndNothingIsKept(
      String why, String value, String field, String message) {
    long user = USERS.incrementAndGet();
    String endpoint = "https://fcm.googleapis.com/fcm/send/" + user;
    String p256dh = P256DH;
    String auth = AUTH;
    switch (value) {
      case "P256DH_SHORT" -> p256dh = P256.base64Url(Arrays.copyOf(P256.base64Url(P256DH), 64));
      case "P256DH_OFF" -> {
        byte[] point = P256.base64Url(P256DH);
        point[64] ^= 1;
        p256dh = P256.base64Url(point);
      }
      case "P256DH_COMPRESSED" -> {
        byte[] point = Arrays.copyOf(P256.base64Url(P256DH), 33);
        point[0] = 2;
        p256dh = P256.base64Url(point);
      }
      case "P256DH_STD" -> p256dh = P256DH.replace('-', '+').replace('_', '/');
      case "AUTH_SHORT" -> auth = P256.base64Url(new byte[15]);
      case "AUTH_LONG" -> auth = P256.base64Url(new byte[32]);
      case "AUTH_NONE" -> auth = null;
      default -> endpoint = value;
    }
    admin()
        .body(subscription(endpoint, p256dh, auth, null))
        .post(path(user))
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("errors.field", hasItem(field))
        .body("detail", containsString(message));
    assertEquals(0, rows(user), why + ": nothing kept");
  }

  @Test
  void missingKeysUnknownFieldsAndNoBodyAre400() {
    long user = USERS.incrementAndGet();
    admin()
        .body("{\"endpoint\":\"https://fcm.googleapis.com/fcm/send/x\"}")
        .post(path(user))
        .then()
        .statusCode(400)
        .body("errors.field", hasItem("keys"));
    admin()
        .body(
            "{\"endpoint\":\"https://fcm.googleapis.com/fcm/send/x\",\"keys\":{\"p256dh\":\""
                + P256DH
                + "\",\"auth\":\""
                + AUTH
                + "\"},\"extra\":1}")
        .post(path(user))
        .then()
        .statusCode(400);
    admin().post(path(user)).then().statusCode(400);
    admin().delete(path(user)).then().statusCode(400).body("errors.field", hasItem("endpoint"));
    assertEquals(0, rows(user));
  }

  @Test
  void preferencesTakeThePushChannel() {
    long user = USERS.incrementAndGet();
    admin()
        .body("{\"channels\":{\"comment.reply\":[\"in_app\",\"push\"]}}")
        .put("/api/v1/users/" + user + "/preferences")
        .then()
        .statusCode(200)
        .body("channels.'comment.reply'", contains("in_app", "push"));
  }

  @Test
  void aUserKeepsTheNewestSubscriptionsUpToTheLimit() {
    long user = USERS.incrementAndGet();
    int limit = 20; // pulse.notifications.push.max-subscriptions-per-user
    for (int i = 0; i <= limit; i++) {
      ECPublicKey key = (ECPublicKey) P256.generate().getPublic();
      admin()
          .body(
              subscription(
                  "https://fcm.googleapis.com/fcm/send/" + user + "-" + i,
                  P256.base64Url(P256.encode(key)),
                  AUTH,
                  null))
          .post(path(user))
          .then()
          .statusCode(201);
    }
    assertEquals(limit, rows(user));
    assertEquals(
        0,
        count(
            em,
            "select count(*) from push_subscriptions where endpoint = 'https://fcm.googleapis.com/fcm/send/"
                + user
                + "-0'"),
        "the oldest went");
  }

  private static String path(long user) {
    return "/api/v1/users/" + user + "/push-subscriptions";
  }

  private long rows(long user) {
    return count(em, "select count(*) from push_subscriptions where user_id = " + user);
  }

  private static Map<String, Object> subscription(
      String endpoint, String p256dh, String auth, Long expirationTime) {
    Map<String, Object> keys = new HashMap<>();
    keys.put("p256dh", p256dh);
    if (auth != null) {
      keys.put("auth", auth);
    }
    Map<String, Object> body = new HashMap<>();
    body.put("endpoint", endpoint);
    body.put("expirationTime", expirationTime);
    body.put("keys", keys);
    return body;
  }
}
