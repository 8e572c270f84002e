package io.pulse.api.live;

import static io.pulse.api.ApiTestSupport.admin;
import static io.pulse.api.ApiTestSupport.as;
import static io.pulse.api.ApiTestSupport.broker;
import static io.pulse.api.ApiTestSupport.keyWithScopes;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import io.pulse.api.auth.Scope;
import io.pulse.api.auth.StreamTokens;
import io.pulse.common.events.InboxEvent;
import io.pulse.common.events.InboxItem;
import io.pulse.common.jobs.JobCodec;
import io.pulse.common.messaging.Topology;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The live stream against the real broker and database: events are published into pulse.events as
 * the workers publish them, and arrive through this instance's own queue.
 */
@QuarkusTest
class NotificationStreamTest {
  private static final AtomicLong USERS = new AtomicLong(7_700_000 + System.nanoTime() % 100_000);
  private static final Duration QUICKLY = Duration.ofSeconds(3);

  @TestHTTPResource("/")
  URI root;

  @Inject EntityManager em;
  @Inject StreamTokens tokens;
  @Inject LiveStreams streams;

  private final List<SseClient> open = new ArrayList<>();

  @AfterEach
  void closeStreams() {
    open.forEach(SseClient::close);
    await().atMost(QUICKLY).until(() -> streams.openCount() == 0);
  }

  @Test
  void anEventReachesAnOpenStreamQuicklyInTheInboxItemsShape() {
    long user = USERS.incrementAndGet();
    SseClient stream = stream(user, readKey(), null);
    await().atMost(QUICKLY).until(() -> !stream.named("unread").isEmpty());

    long id = insert(user, "hello", false);
    Instant sent = Instant.now();
    publish(InboxEvent.created(user, 1, id));
    await().atMost(QUICKLY).until(() -> !stream.named(InboxEvent.CREATED).isEmpty());
    Duration took = Duration.between(sent, Instant.now());
    assertTrue(took.toMillis() < 2_000, "took " + took);

    assertServedAsTheInboxServesIt(user, id, stream);
  }

  @Test
  void anItemCarriedByItsEventIsServedExactlyAsTheInboxServesIt() {
    long user = USERS.incrementAndGet();
    SseClient stream = stream(user, readKey(), null);
    await().atMost(QUICKLY).until(() -> !stream.named("unread").isEmpty());
    Object[] row =
        QuarkusTransaction.requiringNew()
            .call(
                () ->
                    (Object[])
                        em.createNativeQuery(
                                """
                                insert into notifications (user_id, job_id, type, title, body,
                                                           link, actor_id, source)
                                values (?1, gen_random_uuid(), 'comment.reply', 'carried',
                                        'a body with "quotes" and é', '/posts/7', 42, 'post:7')
                                returning id, created_at
                                """)
                            .setParameter(1, user)
                            .getSingleResult());
    long id = ((Number) row[0]).longValue();
    OffsetDateTime createdAt =
        row[1] instanceof OffsetDateTime at ? at : ((Instant) row[1]).atOffset(ZoneOffset.UTC);

    // As InAppNotificationWriter publishes it: the row as inserted travels with the event.
    publish(
        InboxEvent.created(
            user,
            1,
            new InboxItem(
                id,
                "comment.reply",
                "carried",
                "a body with \"quotes\" and é",
                "/posts/7",
                42L,
                createdAt,
                "post:7")));
    await().atMost(QUICKLY).until(() -> !stream.named(InboxEvent.CREATED).isEmpty());

    assertServedAsTheInboxServesIt(user, id, stream);
  }

  @Test
  void unreadCountIsSentOnConnectAndMarkingReadReachesTheStream() {
    long user = USERS.incrementAndGet();
    long first = insert(user, "a", false);
    insert(user, "b", false);
    insert(user, "c", true);
    SseClient stream = stream(user, readKey(), null);
    await().atMost(QUICKLY).until(() -> !stream.named("unread").isEmpty());
    assertEquals("unread", stream.events().get(0).name(), "the first event");
    assertEquals(2, lastUnread(stream));

    as(keyWithScopes(Scope.JOBS_WRITE))
        .body(Map.of("ids", List.of(first)))
        .post("/api/v1/users/" + user + "/notifications/read")
        .then()
        .statusCode(200);
    await().atMost(QUICKLY).until(() -> !stream.named(InboxEvent.READ).isEmpty());
    JsonPath read = new JsonPath(stream.named(InboxEvent.READ).get(0).data());
    assertEquals(List.of(Long.toString(first)), read.getList("ids"));
    assertEquals(1, read.getInt("unread"));
    await().atMost(QUICKLY).until(() -> lastUnread(stream) == 1);
  }

  @Test
  void lastEventIdReplaysWhatCameAfterItAndLiveEventsNeitherLoseNorDouble() {
    long user = USERS.incrementAndGet();
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(insert(user, "n" + i, false));
    }
    SseClient stream = stream(user, readKey(), Map.of("Last-Event-ID", Long.toString(ids.get(1))));
    // An event for an item the replay already served, then one for a new item.
    publish(InboxEvent.created(user, 5, ids.get(4)));
    long sixth = insert(user, "n5", false);
    ids.add(sixth);
    publish(InboxEvent.created(user, 6, sixth));
    List<String> expected = ids.subList(2, 6).stream().map(String::valueOf).toList();
    await().atMost(QUICKLY).until(() -> createdIds(stream).size() >= expected.size());
    // The next heartbeats show nothing more came meanwhile.
    int seen = stream.events().size();
    await().atMost(QUICKLY).until(() -> stream.events().size() > seen + 2);
    assertEquals(expected, createdIds(stream));

    SseClient byQuery =
        SseClient.open(
            root.resolve(
                "api/v1/users/" + user + "/notifications/stream?lastEventId=" + ids.get(3)),
            Map.of("Authorization", "Bearer " + readKey()));
    open.add(byQuery);
    await().atMost(QUICKLY).until(() -> createdIds(byQuery).size() >= 2);
    assertEquals(List.of(String.valueOf(ids.get(4)), String.valueOf(sixth)), createdIds(byQuery));
  }

  @Test
  void aCommentHeartbeatKeepsAnIdleStreamAlive() {
    SseClient stream = stream(USERS.incrementAndGet(), readKey(), null);
    await()
        .atMost(QUICKLY)
        .until(() -> stream.events().stream().anyMatch(e -> "heartbeat".equals(e.comment())));
  }

  @Test
  void aStreamTokenOpensItsOwnUsersStreamOnly() {
    long a = USERS.incrementAndGet();
    long b = USERS.incrementAndGet();
    JsonPath minted =
        as(keyWithScopes(Scope.JOBS_WRITE))
            .post("/api/v1/users/" + a + "/stream-tokens")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    String token = minted.getString("token");
    Instant expiresAt = Instant.parse(minted.getString("expiresAt"));
    assertTrue(expiresAt.isAfter(Instant.now().plusSeconds(240)), "about 5 minutes: " + expiresAt);

    SseClient ownStream = withToken(a, token);
    assertEquals(200, ownStream.status);
    await().atMost(QUICKLY).until(() -> !ownStream.named("unread").isEmpty());

    assertRefused(withToken(b, token), "another user");
    String expired =
        tokens.mint(a, Instant.now().minus(Duration.ofMinutes(6))).orElseThrow().token();
    assertRefused(withToken(a, expired), "expired");
    String forged =
        token.substring(0, token.lastIndexOf('.') + 1)
            + "AAAA"
            + token.substring(token.lastIndexOf('.') + 5);
    assertRefused(withToken(a, forged), "signature");
    String otherUser = token.replace("s1." + a + ".", "s1." + b + ".");
    assertRefused(withToken(b, otherUser), "signature");
    assertRefused(SseClient.open(streamUri(a, null), Map.of()), "missing");

    SseClient writeKey =
        SseClient.open(
            streamUri(a, null),
            Map.of("Authorization", "Bearer " + keyWithScopes(Scope.JOBS_WRITE)));
    assertEquals(403, writeKey.status, writeKey.errorBody);
    assertTrue(writeKey.errorBody.contains("'read'"), writeKey.errorBody);
  }

  @Test
  void pastTheConnectionLimitAStreamIsRefusedWith503() {
    long user = USERS.incrementAndGet();
    String key = readKey();
    int limit = 20; // %test.pulse.api.stream.max-connections
    for (int i = streams.openCount(); i < limit; i++) {
      assertEquals(200, stream(user, key, null).status);
    }
    SseClient refused =
        SseClient.open(streamUri(user, null), Map.of("Authorization", "Bearer " + key));
    assertEquals(503, refused.status, refused.errorBody);
    assertTrue(refused.errorBody.contains("too-many-streams"), refused.errorBody);
    assertEquals(limit, streams.openCount());

    open.remove(open.size() - 1).close();
    await().atMost(QUICKLY).until(() -> streams.openCount() == limit - 1);
    assertEquals(200, stream(user, key, null).status, "a freed slot is taken again");
  }

  @Test
  void aBadLastEventIdIsA400AndOpensNothing() {
    SseClient bad =
        SseClient.open(
            streamUri(USERS.incrementAndGet(), null),
            Map.of("Authorization", "Bearer " + readKey(), "Last-Event-ID", "yesterday"));
    assertEquals(400, bad.status, bad.errorBody);
    assertTrue(bad.errorBody.contains("lastEventId"), bad.errorBody);
    assertEquals(0, streams.openCount());
  }

  private static void assertRefused(SseClient client, String why) {
    assertEquals(401, client.status, why + ": " + client.errorBody);
    assertTrue(client.errorBody.contains("\"status\":401"), why + ": a problem body");
  }

  private SseClient withToken(long user, String token) {
    SseClient client = SseClient.open(streamUri(user, token), Map.of());
    open.add(client);
    return client;
  }

  private SseClient stream(long user, String key, Map<String, String> headers) {
    Map<String, String> all = new HashMap<>(headers == null ? Map.of() : headers);
    all.put("Authorization", "Bearer " + key);
    SseClient client = SseClient.open(streamUri(user, null), all);
    open.add(client);
    return client;
  }

  private URI streamUri(long user, String token) {
    return root.resolve(
        "api/v1/users/"
            + user
            + "/notifications/stream"
            + (token == null
                ? ""
                : "?token="
                    + java.net.URLEncoder.encode(token, java.nio.charset.StandardCharsets.UTF_8)));
  }

  private static String readKey() {
    return keyWithScopes(Scope.READ);
  }

  private static List<String> createdIds(SseClient stream) {
    return stream.named(InboxEvent.CREATED).stream().map(SseClient.Event::id).toList();
  }

  private static long lastUnread(SseClient stream) {
    List<SseClient.Event> unread = stream.named("unread");
    return unread.isEmpty()
        ? -1
        : new JsonPath(unread.get(unread.size() - 1).data()).getLong("unread");
  }

  private long insert(long user, String title, boolean read) {
    return QuarkusTransaction.requiringNew()
        .call(
            () ->
                ((Number)
                        em.createNativeQuery(
                                """
                                insert into notifications (user_id, job_id, type, title, read_at)
                                values (?1, gen_random_uuid(), 'comment.reply', ?2,
                                        case when ?3 then now() end)
                                returning id
                                """)
                            .setParameter(1, user)
                            .setParameter(2, title)
                            .setParameter(3, read)
                            .getSingleResult())
                    .longValue());
  }

  /** The stream's first created event is the user's newest inbox item, field for field. */
  private static void assertServedAsTheInboxServesIt(long user, long id, SseClient stream) {
    SseClient.Event created = stream.named(InboxEvent.CREATED).get(0);
    assertEquals(Long.toString(id), created.id());
    Map<String, Object> inboxItem =
        admin()
            .get("/api/v1/users/" + user + "/notifications")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath()
            .getMap("items[0]");
    assertEquals(inboxItem, new JsonPath(created.data()).getMap("$"), "the inbox item's shape");
    await().atMost(QUICKLY).until(() -> lastUnread(stream) == 1);
  }

  /** As the workers publish: JSON, transient, routed by user. */
  static void publish(InboxEvent event) {
    broker()
        .publish(
            Topology.EVENTS_EXCHANGE,
            event.routingKey(),
            new AMQP.BasicProperties.Builder()
                .contentType("application/json")
                .deliveryMode(1)
                .build(),
            JobCodec.encode(event));
  }
}
