package io.pulse.api;

import static io.pulse.api.ApiTestSupport.admin;
import static io.pulse.api.ApiTestSupport.count;
import static io.pulse.api.ApiTestSupport.one;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A user's {@code locale}: BCP 47, normalized, the default when left out, garbage refused. */
@QuarkusTest
class UserLocaleTest {
  static final AtomicLong IDS =
      new AtomicLong(81_000_000 + (System.currentTimeMillis() % 1_000) * 10_000);

  @Inject EntityManager em;

  @Test
  void aTagIsStoredNormalizedAndLeavingItOutFollowsTheDefault() {
    long id = IDS.incrementAndGet();
    admin()
        .body("{\"handle\":\"mina\",\"locale\":\"ko-kr\"}")
        .put("/api/v1/users/" + id)
        .then()
        .statusCode(200)
        .body("locale", equalTo("ko-KR"));
    assertEquals("ko-KR", one(em, "select locale from users where id = " + id));

    // Left out: no choice of their own, so they follow pulse.notifications.default-locale.
    admin()
        .body("{\"handle\":\"mina\"}")
        .put("/api/v1/users/" + id)
        .then()
        .statusCode(200)
        .body("locale", equalTo("en"));
    assertEquals("null", one(em, "select locale from users where id = " + id));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "not a locale",
        "en_US",
        "und",
        "x-private",
        "ko-",
        "123",
        "koreanlanguage",
        "en-US-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      })
  void garbageIsA400ProblemAndWritesNothing(String locale) {
    long id = IDS.incrementAndGet();
    admin()
        .body("{\"handle\":\"bad\",\"locale\":\"" + locale + "\"}")
        .put("/api/v1/users/" + id)
        .then()
        .statusCode(400)
        .contentType(containsString("application/problem+json"))
        .body("errors[0].field", containsString("locale"));
    assertEquals(0L, count(em, "select count(*) from users where id = " + id));
  }
}
