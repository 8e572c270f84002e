package io.pulse.api.live;

import static io.pulse.api.ApiTestSupport.keyWithScopes;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pulse.api.auth.Scope;
import io.pulse.common.events.InboxEvent;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The stream's bounds against the real broker and database: a client that stops reading is cut off
 * without holding up a reading client of the same user, and loses nothing it cannot get back with
 * {@code Last-Event-ID}; completing every stream (what shutdown does) ends each response cleanly.
 */
@QuarkusTest
class StreamBoundsTest {
  private static final AtomicLong USERS = new AtomicLong(7_900_000 + System.nanoTime() % 100_000);

  /** A created event of about 4 KB, so the socket buffers fill after about a thousand. */
  private static final String BODY = "x".repeat(3_900);

  private static final int BATCH = 100;

  @TestHTTPResource("/")
  URI root;

  @Inject EntityManager em;
  @Inject LiveStreams streams;

  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeStreams() throws Exception {
    for (AutoCloseable stream : open) {
      stream.close();
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> streams.openCount() == 0);
  }

  @Test
  void aClientThatStopsReadingIsCutOffAndResumesWithoutLossOrDoubles() throws Exception {
    long user = USERS.incrementAndGet();
    String key = keyWithScopes(Scope.READ);
    SseClient reading =
        SseClient.open(streamUri(user, null), Map.of("Authorization", "Bearer " + key));
    open.add(reading);
    RawSseConnection slow =
        RawSseConnection.open(root, path(user), Map.of("Authorization", "Bearer " + key), 4096);
    open.add(slow);
    await().atMost(Duration.ofSeconds(5)).until(() -> streams.openCount() == 2);

    // The slow client reads the first batch, then stops reading.
    List<Long> all = new ArrayList<>(publishBatch(user));
    slow.readUntil(() -> slow.createdIds.size() == BATCH);
    // Paced by the reading client, so no burst overruns a stream that is read.
    for (int batch = 0; batch < 40 && streams.openCount() == 2; batch++) {
      await().atMost(Duration.ofSeconds(20)).until(() -> createdIds(reading).size() == all.size());
      all.addAll(publishBatch(user));
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> streams.openCount() == 1);
    assertTrue(all.size() > 2 * BATCH, "the buffers held " + all.size() + " events");

    // The reading client was held up by nothing and got everything, in order, once.
    await().atMost(Duration.ofSeconds(20)).until(() -> createdIds(reading).size() == all.size());
    assertEquals(ids(all), createdIds(reading));

    // The slow client gets what reached it before the cut, then resumes from its last id.
    slow.readToEnd();
    List<String> got = new ArrayList<>(slow.createdIds);
    assertTrue(got.size() < all.size(), "cut off before the end: " + got.size());
    assertEquals(ids(all).subList(0, got.size()), got, "a prefix, in order");
    while (got.size() < all.size()) {
      String last = got.get(got.size() - 1);
      SseClient resumed =
          SseClient.open(
              streamUri(user, null),
              Map.of("Authorization", "Bearer " + key, "Last-Event-ID", last));
      // A replay is at most pulse.api.stream.replay-limit items: reconnect until all are in.
      int expected = Math.min(all.size() - got.size(), 1000);
      await().atMost(Duration.ofSeconds(20)).until(() -> createdIds(resumed).size() >= expected);
      got.addAll(createdIds(resumed));
      resumed.close();
      await().atMost(Duration.ofSeconds(5)).until(() -> streams.openCount() == 1);
    }
    assertEquals(ids(all), got, "nothing lost, nothing twice");
    assertEquals(got.size(), new LinkedHashSet<>(got).size());
  }

  @Test
  void completingEveryStreamEndsEachResponseCleanlyAndAReconnectResumes() throws Exception {
    long user = USERS.incrementAndGet();
    String key = keyWithScopes(Scope.READ);
    long first = insert(user, "before");
    RawSseConnection stream =
        RawSseConnection.open(
            root,
            path(user),
            Map.of("Authorization", "Bearer " + key, "Last-Event-ID", Long.toString(first - 1)),
            64 * 1024);
    open.add(stream);
    stream.readUntil(() -> stream.createdIds.size() == 1);
    assertEquals(1, streams.openCount());

    // What shutdown does (LiveStreams.stop, after its timer): in-process, without stopping the app
    // the other tests run in.
    streams.completeAll();
    stream.readToEnd();
    assertTrue(stream.cleanEnd, "the response ended with its last chunk, not a cut connection");
    assertEquals(List.of(Long.toString(first)), stream.createdIds);
    await().atMost(Duration.ofSeconds(5)).until(() -> streams.openCount() == 0);

    long missed = insert(user, "while away");
    SseClient back =
        SseClient.open(
            streamUri(user, null),
            Map.of("Authorization", "Bearer " + key, "Last-Event-ID", Long.toString(first)));
    open.add(back);
    await().atMost(Duration.ofSeconds(5)).until(() -> !createdIds(back).isEmpty());
    assertEquals(List.of(Long.toString(missed)), createdIds(back));
    // Heartbeats go on for the streams opened after it.
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> back.events().stream().anyMatch(e -> "heartbeat".equals(e.comment())));
    assertFalse(back.events().isEmpty());
  }

  /** A hundred items in one statement, then their created events, one per item. */
  private List<Long> publishBatch(long user) {
    @SuppressWarnings("unchecked")
    List<Number> ids =
        QuarkusTransaction.requiringNew()
            .call(
                () ->
                    em.createNativeQuery(
                            """
                            insert into notifications (user_id, job_id, type, title, body)
                            select ?1, gen_random_uuid(), 'comment.reply', 'n' || i, ?2
                            from generate_series(1, ?3) as i
                            returning id
                            """)
                        .setParameter(1, user)
                        .setParameter(2, BODY)
                        .setParameter(3, BATCH)
                        .getResultList());
    List<Long> sorted = ids.stream().map(Number::longValue).sorted().toList();
    for (long id : sorted) {
      NotificationStreamTest.publish(InboxEvent.created(user, 0, id));
    }
    return sorted;
  }

  private long insert(long user, String title) {
    return QuarkusTransaction.requiringNew()
        .call(
            () ->
                ((Number)
                        em.createNativeQuery(
                                """
                                insert into notifications (user_id, job_id, type, title)
                                values (?1, gen_random_uuid(), 'comment.reply', ?2) returning id
                                """)
                            .setParameter(1, user)
                            .setParameter(2, title)
                            .getSingleResult())
                    .longValue());
  }

  private static List<String> ids(List<Long> ids) {
    return ids.stream().map(String::valueOf).toList();
  }

  private static List<String> createdIds(SseClient stream) {
    return stream.named(InboxEvent.CREATED).stream().map(SseClient.Event::id).toList();
  }

  private static String path(long user) {
    return "/api/v1/users/" + user + "/notifications/stream";
  }

  private URI streamUri(long user, String query) {
    return root.resolve(path(user).substring(1) + (query == null ? "" : "?" + query));
  }
}
