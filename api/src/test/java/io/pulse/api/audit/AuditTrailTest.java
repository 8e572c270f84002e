package io.pulse.api.audit;

import static io.pulse.api.ApiTestSupport.admin;
import static io.pulse.api.ApiTestSupport.as;
import static io.pulse.api.ApiTestSupport.keyWithScopes;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pulse.api.auth.Scope;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Admin actions land in audit_events, listed with filters and keyset paging, never changed. */
@QuarkusTest
class AuditTrailTest {
  @Inject EntityManager em;

  @Test
  void aCreatedKeyIsRecordedWithWhoAndFromWhereButNotItsSecret() {
    String since = Instant.now().minusSeconds(1).toString();
    String name = "audited-" + System.nanoTime();
    Response created =
        admin()
            .body("{\"name\":\"" + name + "\",\"scopes\":[\"read\"],\"burst\":9}")
            .post("/api/v1/admin/api-keys");
    String secret = created.path("key");
    String id = created.path("id");

    Response events =
        admin()
            .queryParam("action", "api-key.created")
            .queryParam("since", since)
            .get("/api/v1/admin/audit");
    events
        .then()
        .statusCode(200)
        .body("items.find { it.details.name == '" + name + "' }.actorId", equalTo("bootstrap"))
        .body(
            "items.find { it.details.name == '" + name + "' }.actorName", equalTo("bootstrap key"))
        .body("items.find { it.details.name == '" + name + "' }.address", equalTo("127.0.0.1"))
        .body("items.find { it.details.name == '" + name + "' }.outcome", equalTo("succeeded"))
        .body("items.find { it.details.name == '" + name + "' }.details.keyId", equalTo(id))
        .body("items.find { it.details.name == '" + name + "' }.details.limits.burst", equalTo(9))
        .body("items.find { it.details.name == '" + name + "' }.occurredAt", notNullValue());
    assertTrue(!events.asString().contains(secret), "the secret is in the audit trail");

    // The new key acts under its own id and name.
    String adminKey = keyWithScopes(Scope.ADMIN);
    as(adminKey).delete("/api/v1/admin/api-keys/" + id).then().statusCode(200);
    admin()
        .queryParam("action", "api-key.revoked")
        .queryParam("since", since)
        .get("/api/v1/admin/audit")
        .then()
        .body("items.find { it.target == '" + id + "' }.actorName", equalTo("test admin"))
        .body("items.find { it.target == '" + id + "' }.outcome", equalTo("succeeded"));
  }

  @Test
  void aRefusedRequestChangedNothingAndIsNotRecorded() {
    String since = Instant.now().minusSeconds(1).toString();
    String missing = UUID.randomUUID().toString();
    admin().delete("/api/v1/admin/api-keys/" + missing).then().statusCode(404);
    admin()
        .queryParam("action", "api-key.revoked")
        .queryParam("since", since)
        .get("/api/v1/admin/audit")
        .then()
        .statusCode(200)
        .body("items.findAll { it.target == '" + missing + "' }", hasSize(0));
  }

  @Test
  void replaysRebuildsAndDigestRunsAreRecorded() {
    String since = Instant.now().minusSeconds(1).toString();
    String unknownJob = UUID.randomUUID().toString();
    admin()
        .body("{\"jobIds\":[\"" + unknownJob + "\"]}")
        .post("/api/v1/admin/dead-letters/replay")
        .then()
        .statusCode(200);
    long user = System.nanoTime() % 1_000_000_000L + 1;
    admin().post("/api/v1/admin/feeds/" + user + "/rebuild").then().statusCode(202);
    admin()
        .body("{\"period\":\"weekly\"}")
        .post("/api/v1/admin/digests/runs")
        .then()
        .statusCode(202);

    admin()
        .queryParam("since", since)
        .get("/api/v1/admin/audit")
        .then()
        .statusCode(200)
        .body(
            "items.find { it.action == 'dead-letters.replayed' }.details.skipped[0].jobId",
            equalTo(unknownJob))
        .body("items.find { it.action == 'dead-letters.replayed' }.details.moved", hasSize(0))
        .body("items.find { it.action == 'feed.rebuild' }.target", equalTo("user " + user))
        .body("items.find { it.action == 'feed.rebuild' }.details.created", equalTo(true))
        .body("items.find { it.action == 'digest.run' }.target", equalTo("weekly"))
        .body("items.find { it.action == 'digest.run' }.details.jobsEnqueued", notNullValue());
  }

  @Test
  void pagesFollowTheKeysetWithoutGapsOrRepeats() {
    String since = Instant.now().minusSeconds(1).toString();
    String actor = keyWithScopes(Scope.ADMIN);
    for (int i = 0; i < 5; i++) {
      as(actor)
          .body("{\"name\":\"paged\",\"scopes\":[\"read\"]}")
          .post("/api/v1/admin/api-keys")
          .then()
          .statusCode(201);
    }
    String actorId =
        admin()
            .queryParam("action", "api-key.created")
            .queryParam("outcome", "succeeded")
            .queryParam("since", since)
            .queryParam("limit", "1")
            .get("/api/v1/admin/audit")
            .path("items[0].actorId");
    List<Integer> seen = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      var request = admin().queryParam("actorId", actorId).queryParam("limit", "2");
      if (cursor != null) {
        request.queryParam("cursor", cursor);
      }
      Response page = request.get("/api/v1/admin/audit");
      page.then().statusCode(200);
      seen.addAll(page.path("items.id"));
      cursor = page.path("nextCursor");
      pages++;
    } while (cursor != null);
    assertEquals(5, seen.size(), seen.toString());
    assertEquals(3, pages);
    assertEquals(seen.stream().sorted((a, b) -> b - a).toList(), seen, "newest first");

    admin().queryParam("cursor", "nope").get("/api/v1/admin/audit").then().statusCode(400);
    admin()
        .queryParam("since", "yesterday")
        .get("/api/v1/admin/audit")
        .then()
        .statusCode(400)
        .body("detail", containsString("since"));
    as(keyWithScopes(Scope.READ)).get("/api/v1/admin/audit").then().statusCode(403);
    admin()
        .queryParam("actorId", "' or 1=1 --")
        .get("/api/v1/admin/audit")
        .then()
        .statusCode(200)
        .body("items", hasSize(0))
        .body("nextCursor", nullValue());
  }

  @Test
  void theApplicationsRoleCannotChangeOrDeleteAnEvent() {
    admin().body("{\"name\":\"x\",\"scopes\":[\"read\"]}").post("/api/v1/admin/api-keys");
    for (String sql :
        List.of(
            "update audit_events set outcome = 'succeeded'",
            "delete from audit_events",
            "truncate audit_events")) {
      Exception refused =
          assertThrows(
              Exception.class,
              () ->
                  QuarkusTransaction.requiringNew()
                      .run(() -> em.createNativeQuery(sql).executeUpdate()),
              sql);
      assertTrue(rootMessage(refused).contains("append-only"), sql + ": " + rootMessage(refused));
    }
    long events =
        QuarkusTransaction.requiringNew()
            .call(
                () ->
                    ((Number)
                            em.createNativeQuery("select count(*) from audit_events")
                                .getSingleResult())
                        .longValue());
    assertTrue(events > 0);
    admin().get("/api/v1/admin/audit").then().body("items.outcome", not(hasSize(0)));
  }

  private static String rootMessage(Throwable e) {
    StringBuilder all = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      all.append(t.getMessage()).append(" / ");
    }
    return all.toString();
  }
}
