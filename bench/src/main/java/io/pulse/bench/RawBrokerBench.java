package io.pulse.bench;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Date;
import java.util.Map;
import java.util.NavigableSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Scenario 1, the ceiling: what this broker does with Pulse's durability and none of Pulse. A plain
 * amqp-client publisher and consumers on a quorum queue of our own, persistent messages, publisher
 * confirms, manual acks with a bounded prefetch. Pulse adds HTTP, the ledger writes and the
 * handler's transaction on top of exactly this, so this figure bounds it from above.
 */
final class RawBrokerBench {
  static final String QUEUE = "bench.raw";

  record Result(
      long published,
      long acked,
      long nacked,
      long returned,
      Duration elapsed,
      boolean timeLimited) {
    double perSecond() {
      return elapsed.isZero() ? 0 : acked / (elapsed.toNanos() / 1e9);
    }

    boolean complete() {
      return acked == published && nacked == 0 && returned == 0;
    }
  }

  private final BenchSettings settings;

  RawBrokerBench(BenchSettings settings) {
    this.settings = settings;
  }

  Result run() throws Exception {
    byte[] body = body(settings.rawBodyBytes());
    // Publisher and consumers on separate connections, as the api and workers are.
    try (Connection consumers = settings.amqp().newConnection("pulse-bench raw consumers");
        Connection publisher = settings.amqp().newConnection("pulse-bench raw publisher")) {
      try (Channel admin = publisher.createChannel()) {
        declareEmptyQueue(admin);
      }
      AtomicLong acked = new AtomicLong();
      AtomicLong lastAckNanos = new AtomicLong();
      for (int i = 0; i < settings.rawConsumers(); i++) {
        consume(consumers, acked, lastAckNanos);
      }

      Channel channel = publisher.createChannel();
      channel.confirmSelect();
      // Sequence numbers published but not yet confirmed; the window bounds how many that is, as
      // the API's concurrent requests bound it for ConfirmingPublisher.
      NavigableSet<Long> unconfirmed = new ConcurrentSkipListSet<>();
      Semaphore window = new Semaphore(settings.rawWindow());
      AtomicLong nacked = new AtomicLong();
      AtomicLong returned = new AtomicLong();
      channel.addConfirmListener(
          (seq, multiple) -> window.release(settle(unconfirmed, seq, multiple)),
          (seq, multiple) -> {
            int n = settle(unconfirmed, seq, multiple);
            nacked.addAndGet(n);
            window.release(n);
          });
      channel.addReturnListener(r -> returned.incrementAndGet());

      long start = System.nanoTime();
      long sendDeadline = start + settings.rawMax().toNanos();
      long published = 0;
      while (published < settings.rawMessages() && System.nanoTime() < sendDeadline) {
        if (!window.tryAcquire(100, TimeUnit.MILLISECONDS)) {
          continue; // the broker is slow to confirm: look at the deadline again
        }
        unconfirmed.add(channel.getNextPublishSeqNo());
        // mandatory, as every Pulse publish is: an unroutable message comes back, not lost
        channel.basicPublish("", QUEUE, true, properties(), body);
        published++;
      }
      boolean timeLimited = published < settings.rawMessages();

      // Bounded: a broker that stops confirming or delivering ends the run with what it did.
      long sent = published;
      BenchCalls.until(
          settings.drainMax(),
          Duration.ofMillis(5),
          () -> acked.get() + nacked.get() + returned.get() >= sent);
      Duration elapsed = Duration.ofNanos(Math.max(0, lastAckNanos.get() - start));
      try (Channel admin = publisher.createChannel()) {
        admin.queueDelete(QUEUE); // leave the vhost as we found it
      }
      return new Result(published, acked.get(), nacked.get(), returned.get(), elapsed, timeLimited);
    }
  }

  /**
   * The queue type and the arguments that cost throughput are those of Pulse's work queues
   * (Topology.declareJobType); the dead-letter exchange is left out since nothing here fails.
   * Deleted first, so a run that was killed midway leaves no backlog for this one.
   */
  private static void declareEmptyQueue(Channel channel) throws IOException {
    channel.queueDelete(QUEUE);
    channel.queueDeclare(
        QUEUE,
        true,
        false,
        false,
        Map.of("x-queue-type", "quorum", "x-overflow", "reject-publish", "x-delivery-limit", 10));
  }

  private void consume(Connection connection, AtomicLong acked, AtomicLong lastAckNanos)
      throws IOException {
    Channel channel = connection.createChannel();
    channel.basicQos(settings.rawPrefetch());
    channel.basicConsume(
        QUEUE,
        false,
        new DefaultConsumer(channel) {
          @Override
          public void handleDelivery(
              String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body)
              throws IOException {
            // One ack per message, as a worker acks each job after its commit.
            getChannel().basicAck(envelope.getDeliveryTag(), false);
            acked.incrementAndGet();
            lastAckNanos.set(System.nanoTime());
          }
        });
  }

  /** Removes what a confirm covers; returns how many window slots it frees. */
  private static int settle(NavigableSet<Long> unconfirmed, long seq, boolean multiple) {
    if (!multiple) {
      return unconfirmed.remove(seq) ? 1 : 0;
    }
    NavigableSet<Long> covered = unconfirmed.headSet(seq, true);
    int n = 0;
    while (covered.pollFirst() != null) {
      n++;
    }
    return n;
  }

  /** The property set JobMessage.properties() gives every job, so frames are the same shape. */
  private static AMQP.BasicProperties properties() {
    return new AMQP.BasicProperties.Builder()
        .messageId(UUID.randomUUID().toString())
        .type("bench.raw")
        .contentType("application/json")
        .deliveryMode(2)
        .timestamp(new Date())
        .headers(Map.of("pulse-attempt", 1))
        .build();
  }

  private static byte[] body(int bytes) {
    byte[] body = new byte[bytes];
    Arrays.fill(body, (byte) 'x');
    byte[] open = "{\"pad\":\"".getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(open, 0, body, 0, Math.min(open.length, bytes));
    if (bytes > open.length + 2) {
      body[bytes - 2] = '"';
      body[bytes - 1] = '}';
    }
    return body;
  }
}
