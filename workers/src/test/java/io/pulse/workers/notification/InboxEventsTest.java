package io.pulse.workers.notification;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.pulse.common.events.InboxEvent;
import io.pulse.common.events.InboxItem;
import io.pulse.common.jobs.JobCodec;
import io.pulse.common.jobs.JobEnqueuer;
import io.pulse.common.jobs.JobType;
import io.pulse.common.messaging.RabbitConnections;
import io.pulse.common.messaging.Topology;
import io.pulse.common.notification.NotificationDispatch;
import io.pulse.common.notification.Recalls;
import io.pulse.workers.TestSql;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The workers announce inbox changes on pulse.events once they are committed: a client that reads
 * the inbox on hearing the event finds the item there.
 */
@QuarkusTest
class InboxEventsTest {
  static long nextUser = 960_000_000L + (System.currentTimeMillis() % 100_000) * 100;

  @Inject JobEnqueuer enqueuer;
  @Inject RabbitConnections connections;
  @Inject Recalls recalls;
  @Inject TestSql db;

  Connection connection;
  Channel channel;
  String queue;

  @BeforeEach
  void listen() throws Exception {
    connection = connections.open("inbox events test");
    channel = connection.createChannel();
    queue = channel.queueDeclare().getQueue();
  }

  @AfterEach
  void close() throws Exception {
    connection.close();
  }

  @Test
  void aDispatchAnnouncesEachNewItemAfterItsCommit() throws Exception {
    long user = user();
    channel.queueBind(queue, Topology.EVENTS_EXCHANGE, Topology.eventRoutingKey(user));
    String source = "post:" + UUID.randomUUID();
    UUID job = dispatch(user, source);

    InboxEvent created = next();
    assertEquals(InboxEvent.CREATED, created.event());
    assertEquals(user, created.userId());
    long id = created.ids().get(0);
    // Published after the commit: the item is there for whoever reads on hearing of it.
    assertEquals(
        job.toString(),
        db.one(
            "select job_id::text from notifications where id = " + id + " and user_id = " + user));
    assertEquals(1, created.unread());
    // The item travels with the event as committed, so a stream needs no read.
    InboxItem item = created.carried().get(0);
    assertEquals(id, item.id());
    assertEquals(
        List.of("community.post", "Meetup", "Tonight", "/posts/9", "5", String.valueOf(source)),
        List.of(
            item.type(),
            item.title(),
            item.body(),
            item.link(),
            String.valueOf(item.actorId()),
            String.valueOf(item.source())));
    assertEquals(
        db.one("select created_at::text from notifications where id = " + id),
        db.one("select '" + item.createdAt() + "'::timestamptz::text"));

    recalls.recall(Recalls.Target.dispatch(job));
    InboxEvent recalled = next();
    assertEquals(InboxEvent.RECALLED, recalled.event());
    assertEquals(List.of(id), recalled.ids());
    assertEquals(0, recalled.unread());
  }

  @Test
  void anotherUsersEventsDoNotReachThisRoutingKey() throws Exception {
    long watched = user();
    long other = user();
    channel.queueBind(queue, Topology.EVENTS_EXCHANGE, Topology.eventRoutingKey(watched));
    dispatch(other, null);
    UUID mine = dispatch(watched, null);
    InboxEvent event = next();
    assertEquals(watched, event.userId());
    assertEquals(
        mine.toString(),
        db.one("select job_id::text from notifications where id = " + event.ids().get(0)));
  }

  private InboxEvent next() throws Exception {
    AtomicReference<GetResponse> got = new AtomicReference<>();
    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () -> {
              got.set(channel.basicGet(queue, true));
              return got.get() != null;
            });
    assertEquals("application/json", got.get().getProps().getContentType());
    return JobCodec.decode(got.get().getBody(), InboxEvent.class);
  }

  private UUID dispatch(long recipient, String source) {
    return enqueuer
        .enqueue(
            JobType.NOTIFICATION_DISPATCH,
            new NotificationDispatch(
                "community.post", List.of(recipient), "Meetup", "Tonight", "/posts/9", 5L, source),
            null,
            null,
            null)
        .jobId();
  }

  private long user() {
    long id = nextUser++;
    db.exec("insert into users (id, handle) values (" + id + ", 'u" + id + "')");
    return id;
  }
}
