package io.pulse.api;

import static io.pulse.api.ApiTestSupport.admin;
import static io.pulse.api.ApiTestSupport.broker;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pulse.common.jobs.JobType;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@QuarkusTest
class DeadLetterListTest {
  static final String TYPE = JobType.FEED_FANOUT_CHUNK;
  static final String OTHER = JobType.NOTIFICATION_WEBHOOK;
  static final String LIST = "/api/v1/admin/dead-letters";
  @Inject EntityManager em;
  DeadJobs dead;

  @BeforeEach
  void clean() {
    dead = DeadJobs.clearing(em, broker(), TYPE, OTHER);
  }

  @Test
  void aDeadJobIsListedWithItsErrorAttemptsAndFailureTime() {
    Instant failedAt = DeadJobs.minutesAgo(5);
    UUID id = dead.deadWithMessage(TYPE, failedAt);
    admin()
        .queryParam("type", TYPE)
        .get(LIST)
        .then()
        .statusCode(200)
        .body("items", hasSize(1))
        .body("items[0].jobId", equalTo(id.toString()))
        .body("items[0].type", equalTo(TYPE))
        .body("items[0].errorClass", equalTo("java.io.IOException"))
        .body("items[0].errorMessage", equalTo("connection reset <- caused by boom"))
        .body("items[0].attempts", equalTo(DeadJobs.ATTEMPTS))
        .body("items[0].failedAt", equalTo(failedAt.toString()))
        .body("nextCursor", nullValue());
  }

  @Test
  void anErrorThatNamesNoExceptionIsAllMessage() {
    dead.deadInLedger(TYPE, DeadJobs.minutesAgo(1), "no handler for job type " + TYPE, null);
    admin()
        .queryParam("type", TYPE)
        .get(LIST)
        .then()
        .statusCode(200)
        .body("items[0].errorClass", nullValue())
        .body("items[0].errorMessage", equalTo("no handler for job type " + TYPE));
  }

  @Test
  void pagesAreNewestFirstWithoutSkipOrRepeatAndFilteredByType() {
    List<String> expected = new ArrayList<>();
    for (int minutes = 1; minutes <= 5; minutes++) {
      expected.add(dead.deadWithMessage(TYPE, DeadJobs.minutesAgo(minutes)).toString());
    }
    // Two jobs that died in the same second: the id breaks the tie, the cursor keeps them apart.
    Instant sameSecond = DeadJobs.minutesAgo(6);
    UUID x = dead.deadInLedger(TYPE, sameSecond, DeadJobs.ERROR, null);
    UUID y = dead.deadInLedger(TYPE, sameSecond, DeadJobs.ERROR, null);
    expected.add((x.toString().compareTo(y.toString()) > 0 ? x : y).toString());
    expected.add((x.toString().compareTo(y.toString()) > 0 ? y : x).toString());
    String otherType = dead.deadWithMessage(OTHER, DeadJobs.minutesAgo(3)).toString();

    List<String> seen = new ArrayList<>();
    List<Integer> pageSizes = new ArrayList<>();
    String cursor = null;
    do {
      JsonPath page =
          admin()
              .queryParam("type", TYPE)
              .queryParam("limit", 2)
              .queryParam("cursor", cursor == null ? "" : cursor)
              .get(LIST)
              .then()
              .statusCode(200)
              .extract()
              .jsonPath();
      List<String> ids = page.getList("items.jobId");
      seen.addAll(ids);
      pageSizes.add(ids.size());
      cursor = page.getString("nextCursor");
    } while (cursor != null);
    assertEquals(expected, seen, "newest failure first, no skip, no repeat, only " + TYPE);
    assertEquals(List.of(2, 2, 2, 1), pageSizes);

    admin()
        .get(LIST)
        .then()
        .statusCode(200)
        .body("items.jobId", hasItems(otherType, expected.get(0)));
    admin()
        .queryParam("type", OTHER)
        .get(LIST)
        .then()
        .body("items.jobId", equalTo(List.of(otherType)))
        .body("items.jobId", not(hasItem(expected.get(0))));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "unknown type | type=no.such.type | type",
        "limit zero | limit=0 | limit",
        "limit too large | limit=101 | limit",
        "limit not a number | limit=ten | limit",
        "cursor not base64 | cursor=!!! | cursor",
        "cursor of another list | cursor=bjE6NDI | cursor",
        "cursor with a bad time | cursor=ZDE6eXwx | cursor",
      })
  void badParametersAre400NamingTheParameter(String name, String query, String field) {
    admin()
        .get(LIST + "?" + query)
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("errors.field", hasItem(field));
  }
}
