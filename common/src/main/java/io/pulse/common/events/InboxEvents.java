package io.pulse.common.events;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.pulse.common.jobs.JobCodec;
import io.pulse.common.messaging.RabbitConnections;
import io.pulse.common.messaging.Topology;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Publishes inbox events to {@value Topology#EVENTS_EXCHANGE} after the transaction that caused
 * them commits, fire-and-forget: the caller only puts them in a bounded queue (dropping them when
 * it is full), and one thread of ours publishes them on one channel, without confirms. So a slow or
 * absent broker never delays or fails a job or a request; it loses hints that a reconnecting
 * client's replay, or its next inbox read, makes up for.
 */
@ApplicationScoped
public class InboxEvents {
  private static final Logger LOG = Logger.getLogger(InboxEvents.class);
  private static final AMQP.BasicProperties PROPERTIES =
      new AMQP.BasicProperties.Builder()
          .contentType("application/json")
          .deliveryMode(1) // transient: a hint is worth nothing after a broker restart
          .build();

  private final RabbitConnections connections;
  private final InboxEventsConfig config;
  private final TransactionSynchronizationRegistry transactions;
  private final BlockingQueue<InboxEvent> queue;
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong published = new AtomicLong();
  private volatile boolean running = true;
  private Thread publisher;
  private Connection connection;
  private Channel channel;

  public InboxEvents(
      RabbitConnections connections,
      InboxEventsConfig config,
      TransactionSynchronizationRegistry transactions) {
    this.connections = connections;
    this.config = config;
    this.transactions = transactions;
    this.queue = new ArrayBlockingQueue<>(Math.max(1, config.buffer()));
  }

  /**
   * Publishes these once the current transaction commits (never if it rolls back), or now when no
   * transaction is active.
   */
  public void afterCommit(List<InboxEvent> events) {
    if (events.isEmpty() || !config.enabled()) {
      return;
    }
    if (transactions.getTransactionStatus() == Status.STATUS_ACTIVE) {
      transactions.registerInterposedSynchronization(
          new Synchronization() {
            @Override
            public void beforeCompletion() {}

            @Override
            public void afterCompletion(int status) {
              if (status == Status.STATUS_COMMITTED) {
                offer(events);
              }
            }
          });
    } else {
      offer(events);
    }
  }

  /** Events published so far and events dropped because the queue was full. */
  public long published() {
    return published.get();
  }

  public long dropped() {
    return dropped.get();
  }

  private void offer(List<InboxEvent> events) {
    startOnce();
    for (InboxEvent event : events) {
      if (!queue.offer(event) && dropped.incrementAndGet() % 1000 == 1) {
        LOG.warnf(
            "inbox event queue full (%d): events dropped (%d so far); live clients catch up on"
                + " reconnect",
            config.buffer(), dropped.get());
      }
    }
  }

  private synchronized void startOnce() {
    if (publisher == null && running) {
      publisher = new Thread(this::publishLoop, "pulse-inbox-events");
      publisher.setDaemon(true);
      publisher.start();
    }
  }

  private void publishLoop() {
    while (running) {
      InboxEvent event;
      try {
        event = queue.poll(1, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (event != null) {
        publish(event);
      }
    }
  }

  private void publish(InboxEvent event) {
    try {
      if (channel == null || !channel.isOpen()) {
        close();
        connection = connections.open("events");
        channel = connection.createChannel();
      }
      channel.basicPublish(
          Topology.EVENTS_EXCHANGE, event.routingKey(), PROPERTIES, JobCodec.encode(event));
      published.incrementAndGet();
    } catch (Exception e) {
      // The event is lost, which the stream's replay covers; the next one reconnects.
      dropped.incrementAndGet();
      LOG.debugf("inbox event not published (%s)", e.getMessage());
      close();
    }
  }

  private void close() {
    Connection open = connection;
    connection = null;
    channel = null;
    if (open != null) {
      try {
        open.abort(1_000);
      } catch (RuntimeException e) {
        // already closed
      }
    }
  }

  @PreDestroy
  synchronized void stop() {
    running = false;
    if (publisher != null) {
      publisher.interrupt();
      try {
        publisher.join(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    close();
  }
}
