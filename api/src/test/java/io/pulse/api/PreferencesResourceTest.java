package io.pulse.api;

import static io.pulse.api.ApiTestSupport.admin;
import static io.pulse.api.ApiTestSupport.count;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@QuarkusTest
class PreferencesResourceTest {
  @Inject EntityManager em;

  @Test
  void defaultsApplyUntilTheUserChoosesAndCriticalTypesIgnoreAnOptOut() {
    admin()
        .get("/api/v1/users/3001/preferences")
        .then()
        .statusCode(200)
        .body("channels.'comment.reply'", contains("in_app", "email"))
        .body("critical", hasItem("account.security"));

    admin()
        .body(
            "{\"channels\":{\"comment.reply\":[\"in_app\"],\"account.security\":[],\"mention\":[\"webhook\"]}}")
        .put("/api/v1/users/3001/preferences")
        .then()
        .statusCode(200)
        .body("channels.'comment.reply'", contains("in_app"))
        .body("channels.mention", contains("webhook"))
        .body("channels.'account.security'", contains("in_app", "email"));

    admin()
        .body("{\"channels\":{\"mention\":[]}}")
        .put("/api/v1/users/3001/preferences")
        .then()
        .statusCode(200)
        .body("channels.mention", empty())
        .body("channels.'comment.reply'", contains("in_app"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "unknown channel | {\"channels\":{\"mention\":[\"sms\"]}} | channels.mention | sms",
        "unknown type | {\"channels\":{\"no.such\":[\"email\"]}} | channels.no.such | unknown notification type",
        "null list | {\"channels\":{\"mention\":null}} | channels.mention | list",
        "no channels | {} | channels | null",
        "quiet start not HH:mm | {\"quietHours\":{\"start\":\"7:00\",\"end\":\"08:00\"}} | quietHours.start | HH:mm",
        "quiet end 24:00 | {\"quietHours\":{\"start\":\"22:00\",\"end\":\"24:00\"}} | quietHours.end | HH:mm",
        "quiet end missing | {\"quietHours\":{\"start\":\"22:00\"}} | quietHours.end | HH:mm",
        "quiet start equals end | {\"quietHours\":{\"start\":\"22:00\",\"end\":\"22:00\"}} | quietHours | differ",
        "channels not a map | {\"channels\":[\"email\"]} | channels | object",
        "budget above the platform's | {\"dailyBudget\":21} | dailyBudget | 0 to 20",
        "budget negative | {\"dailyBudget\":-1} | dailyBudget | 0 to 20",
        "budget as text | {\"dailyBudget\":\"5\"} | dailyBudget | dailyBudget",
        "budget a fraction | {\"dailyBudget\":1.5} | dailyBudget | dailyBudget",
      })
  void badPreferencesAre400AndWriteNothing(String name, String body, String field, String says) {
    String rows =
        "select (select count(*) from notification_preferences where user_id = 3002)"
            + " + (select count(*) from quiet_hours where user_id = 3002)"
            + " + (select count(*) from notification_budgets where user_id = 3002)";
    long before = count(em, rows);
    admin()
        .body(body)
        .put("/api/v1/users/3002/preferences")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("errors.field", hasItem(field))
        .body("detail", containsString(says));
    assertEquals(before, count(em, rows));
  }

  /**
   * Quiet hours are read in the user's own zone (shown beside them), kept by a PUT that leaves them
   * out, replaced by one that names them, and cleared by null; channels are kept by a PUT of quiet
   * hours alone.
   */
  @Test
  void quietHoursAreSetKeptAndClearedBesideTheUsersTimeZone() {
    admin()
        .body("{\"handle\":\"quiet\",\"timeZone\":\"Asia/Seoul\"}")
        .put("/api/v1/users/3004")
        .then()
        .statusCode(200);
    admin()
        .get("/api/v1/users/3004/preferences")
        .then()
        .statusCode(200)
        .body("quietHours", nullValue())
        .body("timeZone", equalTo("Asia/Seoul"));

    admin()
        .body(
            "{\"channels\":{\"mention\":[\"email\"]},\"quietHours\":{\"start\":\"22:00\",\"end\":\"07:00\"}}")
        .put("/api/v1/users/3004/preferences")
        .then()
        .statusCode(200)
        .body("quietHours.start", equalTo("22:00"))
        .body("quietHours.end", equalTo("07:00"))
        .body("channels.mention", contains("email"));

    admin()
        .body("{\"channels\":{\"mention\":[\"in_app\"]}}")
        .put("/api/v1/users/3004/preferences")
        .then()
        .statusCode(200)
        .body("quietHours.start", equalTo("22:00"));

    admin()
        .body("{\"quietHours\":{\"start\":\"13:30\",\"end\":\"14:00\"}}")
        .put("/api/v1/users/3004/preferences")
        .then()
        .statusCode(200)
        .body("quietHours.start", equalTo("13:30"))
        .body("channels.mention", contains("in_app"));
    assertEquals(
        "13:30:00 14:00:00",
        em.createNativeQuery(
                "select starts || ' ' || ends from quiet_hours where user_id = 3004", String.class)
            .getSingleResult());

    admin()
        .body("{\"quietHours\":null}")
        .put("/api/v1/users/3004/preferences")
        .then()
        .statusCode(200)
        .body("quietHours", nullValue())
        .body("channels.mention", contains("in_app"));
    assertEquals(0, count(em, "select count(*) from quiet_hours where user_id = 3004"));

    // A user not upserted yet reads in UTC, the zone a user gets by default.
    admin()
        .body("{\"quietHours\":{\"start\":\"23:00\",\"end\":\"06:00\"}}")
        .put("/api/v1/users/3005/preferences")
        .then()
        .statusCode(200)
        .body("quietHours.end", equalTo("06:00"))
        .body("timeZone", equalTo("UTC"));
  }

  /**
   * Concurrent PUTs name the same types in opposite orders: row by row, two of them would lock each
   * other's rows and the database would abort one as a deadlock.
   */
  /** The daily budget: the platform's until lowered, kept when left out, null goes back. */
  @Test
  void aUserCanLowerTheDailyBudgetAndGoBack() {
    long user = 3_100_000L + (System.nanoTime() & 0xFFFF);
    String path = "/api/v1/users/" + user + "/preferences";
    admin().get(path).then().statusCode(200).body("dailyBudget", equalTo(20));
    admin()
        .body("{\"dailyBudget\":5}")
        .put(path)
        .then()
        .statusCode(200)
        .body("dailyBudget", equalTo(5));
    admin()
        .body("{\"channels\":{\"mention\":[\"email\"]}}")
        .put(path)
        .then()
        .statusCode(200)
        .body("dailyBudget", equalTo(5));
    admin()
        .body("{\"dailyBudget\":0}")
        .put(path)
        .then()
        .statusCode(200)
        .body("dailyBudget", equalTo(0));
    admin()
        .body("{\"dailyBudget\":null}")
        .put(path)
        .then()
        .statusCode(200)
        .body("dailyBudget", equalTo(20));
    assertEquals(0, count(em, "select count(*) from notification_budgets where user_id = " + user));
  }

  @Test
  void concurrentPutsOfTheSameTypesInAnyOrderAllSucceed() throws Exception {
    String forward =
        "{\"channels\":{\"comment.reply\":[\"in_app\"],\"mention\":[\"email\"],\"community.post\":[]}}";
    String backward =
        "{\"channels\":{\"community.post\":[],\"mention\":[\"email\"],\"comment.reply\":[\"in_app\"]}}";
    var answers =
        Concurrently.send(
            20,
            i ->
                admin()
                    .body(i % 2 == 0 ? forward : backward)
                    .put("/api/v1/users/3003/preferences"));
    assertEquals(Map.of(200, 20), Concurrently.statuses(answers), answers.get(0).asString());
    assertEquals(
        3, count(em, "select count(*) from notification_preferences where user_id = 3003"));
  }
}
