package io.pulse.workers.jobs;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import io.pulse.common.jobs.JobType;
import io.pulse.common.messaging.ConfirmingPublisher;
import io.pulse.common.messaging.JobMessage;
import io.pulse.common.messaging.RabbitConnections;
import io.pulse.common.messaging.Topology;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Keeps one consumer channel per unit of concurrency on every job type's queue. A supervisor checks
 * them every {@code pulse.jobs.supervise-every}: a broker that was down at start, a dropped
 * connection and a consumer killed by a crashing handler all end the same way, with the missing
 * channels reopened. Acks are manual and sent only after {@link JobProcessor} returns, that is
 * after the job's transaction committed or its failure was routed and confirmed.
 */
@ApplicationScoped
public class JobRuntime {
  private static final Logger LOG = Logger.getLogger(JobRuntime.class);

  private final RabbitConnections connections;
  private final Topology topology;
  private final JobProcessor processor;
  private final JobsConfig config;
  private final ConfirmingPublisher publisher;
  private final List<Slot> slots = new ArrayList<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private ExecutorService deliveries;
  private ScheduledExecutorService supervisor;
  private volatile Connection connection;
  private volatile boolean stopping;

  /** Set when a queue was missing (deleted by hand, say): declare the topology again. */
  private volatile boolean redeclare;

  public JobRuntime(
      RabbitConnections connections,
      Topology topology,
      JobProcessor processor,
      JobsConfig config,
      ConfirmingPublisher publisher) {
    this.connections = connections;
    this.topology = topology;
    this.processor = processor;
    this.config = config;
    this.publisher = publisher;
  }

  /** Every type this node declares: the platform's types and any extra handlers it runs. */
  public Set<String> declaredTypes() {
    Set<String> types = new TreeSet<>(JobType.ALL);
    types.addAll(processor.types());
    return types;
  }

  void onStart(@Observes StartupEvent event) {
    publisher.declareOnConnect(declaredTypes());
    if (!config.consume()) {
      LOG.info("pulse.jobs.consume=false: this node runs no consumers");
      return;
    }
    int threads = 0;
    for (String type : processor.types()) {
      JobsConfig.TypeSettings settings = config.forType(type);
      for (int i = 0; i < settings.concurrency(); i++) {
        slots.add(new Slot(type, i, settings.prefetch(), settings.effectiveBatchSize()));
      }
      threads += settings.concurrency();
    }
    // Own threads, not Quarkus's managed worker pool: a consumer holds its thread for as long as a
    // handler runs (a slow SMTP server, a 25,000-row chunk), and the pool is shared with health
    // checks and the scheduler; one thread per consumer also makes the configured concurrency the
    // real one. Shutdown drains them explicitly (stopConsuming, then awaitTermination).
    deliveries = Executors.newFixedThreadPool(Math.max(threads, 1), namedThreads("pulse-job"));
    slots.stream().filter(Slot::batches).forEach(Slot::startBatchThread);
    // Own thread, not the scheduler's: reopening a connection to a dead broker blocks for the
    // connect and channel timeouts (up to 15 s), which would hold a thread the digest tick and the
    // sweeper share.
    supervisor = Executors.newSingleThreadScheduledExecutor(namedThreads("pulse-supervisor"));
    long every = config.superviseEvery().toMillis();
    supervisor.scheduleWithFixedDelay(this::supervise, 0, every, TimeUnit.MILLISECONDS);
  }

  /** True while the connection is open and every consumer is running. */
  public boolean isConsuming() {
    Connection c = connection;
    return c != null && c.isOpen() && slots.stream().allMatch(Slot::isOpen);
  }

  synchronized void supervise() {
    if (stopping) {
      return;
    }
    try {
      if (connection == null || !connection.isOpen()) {
        Connection opened = connections.open("consumers", deliveries);
        try (Channel declare = opened.createChannel()) {
          topology.declare(declare, declaredTypes());
        } catch (Exception e) {
          // Half a topology is no place to consume from: start over on the next tick.
          opened.abort();
          throw e;
        }
        connection = opened;
        LOG.infof("consumers connected to RabbitMQ at %s", connections.address(opened));
      }
      if (redeclare) {
        try (Channel declare = connection.createChannel()) {
          topology.declare(declare, declaredTypes());
        }
        redeclare = false;
      }
      for (Slot slot : slots) {
        if (!slot.isOpen()) {
          slot.open(connection);
        }
      }
    } catch (Exception e) {
      LOG.warnf("cannot consume yet, will retry: %s", FailureClassifier.describe(e, 500));
    }
  }

  /**
   * Graceful stop: cancel every consumer so no new delivery starts, let running jobs finish and
   * ack, then close. Deliveries that were prefetched but not started are not acked and go back to
   * the queue when the channel closes.
   */
  void onStop(@Observes ShutdownEvent event) {
    stopping = true;
    if (supervisor == null) {
      return;
    }
    supervisor.shutdownNow();
    synchronized (this) {
      slots.forEach(Slot::cancel);
    }
    long deadline = System.nanoTime() + config.shutdownTimeout().toNanos();
    while (inFlight.get() > 0 && System.nanoTime() < deadline) {
      synchronized (inFlight) {
        try {
          inFlight.wait(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    if (inFlight.get() > 0) {
      LOG.warnf("%d job(s) still running at shutdown; they return to their queue", inFlight.get());
    }
    Connection c = connection;
    if (c != null && c.isOpen()) {
      try {
        c.close(5_000);
      } catch (IOException | RuntimeException e) {
        LOG.debug("closing consumer connection failed", e);
      }
    }
    deliveries.shutdown();
  }

  /** Jobs (or batches) running now; shutdown waits for none. */
  int inFlight() {
    return inFlight.get();
  }

  private void finished() {
    if (inFlight.decrementAndGet() == 0) {
      synchronized (inFlight) {
        inFlight.notifyAll();
      }
    }
  }

  private static void abortQuietly(Channel channel) {
    try {
      channel.abort();
    } catch (IOException e) {
      LOG.debugf("abort of a consumer channel failed: %s", e.getMessage());
    }
  }

  /** Daemon threads named for what they run, so a thread dump shows consumers and supervisor. */
  private static java.util.concurrent.ThreadFactory namedThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * One consumer channel on one queue. With a batch size above 1, the consumer only queues what the
   * broker delivers, and a thread of the slot's own takes everything queued (up to the batch size)
   * and runs it as one batch: the channel's dispatch thread hands deliveries over one at a time, so
   * it cannot see how many are waiting.
   */
  private final class Slot {
    final String type;
    final int index;
    final int prefetch;
    final int batchSize;
    final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    volatile Channel channel;
    volatile String consumerTag;

    Slot(String type, int index, int prefetch, int batchSize) {
      this.type = type;
      this.index = index;
      this.prefetch = prefetch;
      this.batchSize = batchSize;
    }

    boolean batches() {
      return batchSize > 1;
    }

    void startBatchThread() {
      // A loop that lives as long as the slot: a pooled thread would be taken for good.
      Thread thread = new Thread(this::runBatches, "pulse-batch-" + type + "-" + index);
      thread.setDaemon(true);
      thread.start();
    }

    private void runBatches() {
      List<Received> batch = new ArrayList<>(batchSize);
      while (!stopping) {
        Received first;
        try {
          first = received.poll(200, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        if (first == null) {
          continue;
        }
        batch.add(first);
        received.drainTo(batch, batchSize - 1);
        // The broker requeued what a closed channel held; another delivery of it will come.
        batch.removeIf(r -> !r.channel().isOpen());
        // Counted before the stopping check, so shutdown either waits for it or it never starts.
        inFlight.incrementAndGet();
        try {
          if (!batch.isEmpty() && !stopping) {
            runBatch(batch);
          }
        } finally {
          batch.clear();
          finished();
        }
      }
    }

    private void runBatch(List<Received> batch) {
      try {
        processor.processBatch(batch.stream().map(Received::delivery).toList());
        settle(batch, true);
      } catch (RuntimeException e) {
        LOG.warnf(e, "a batch of %d %s jobs could not be settled, requeued", batch.size(), type);
        publisher.awaitUnblocked();
        settle(batch, false);
      } catch (Error e) {
        // The worker itself is broken: as with a single job, the consumer dies and the broker
        // counts the delivery, so its delivery limit ends a crash loop.
        LOG.errorf(e, "a batch of %d %s jobs broke its consumer", batch.size(), type);
        batch.forEach(r -> abortQuietly(r.channel()));
      }
    }

    /** Deliveries on a channel arrive in tag order and one thread runs them: ack up to the last. */
    private void settle(List<Received> batch, boolean ack) {
      Received last = batch.get(batch.size() - 1);
      try {
        if (ack) {
          last.channel().basicAck(last.tag(), true);
        } else {
          last.channel().basicNack(last.tag(), true, true);
        }
      } catch (IOException | RuntimeException e) {
        // The channel closed under us: the broker requeues the lot and the ledger skips what ran.
        LOG.warnf("could not settle a batch of %d %s jobs: %s", batch.size(), type, e.getMessage());
      }
    }

    boolean isOpen() {
      Channel c = channel;
      return c != null && c.isOpen();
    }

    void open(Connection connection) throws IOException {
      Channel opened = connection.createChannel();
      try {
        opened.basicQos(prefetch);
        consumerTag =
            opened.basicConsume(
                Topology.workQueue(type),
                false,
                type + "-" + index,
                batches() ? new BatchingConsumer(opened, this) : new JobConsumer(opened));
      } catch (IOException | RuntimeException e) {
        // A channel without its consumer would look healthy to the supervisor forever.
        abortQuietly(opened);
        redeclare = true;
        throw e;
      }
      channel = opened;
    }

    void cancel() {
      Channel c = channel;
      if (c != null && c.isOpen()) {
        try {
          c.basicCancel(consumerTag);
        } catch (IOException | RuntimeException e) {
          LOG.debugf("cancel of consumer %s failed: %s", consumerTag, e.getMessage());
        }
      }
    }
  }

  private static long deliveryCount(AMQP.BasicProperties properties) {
    return properties.getHeaders() == null
        ? 0
        : JobMessage.intHeader(properties.getHeaders().get(Topology.DELIVERY_COUNT), 0);
  }

  /** A delivery waiting for its slot's batch thread, with the channel it must be acked on. */
  private record Received(Channel channel, long tag, JobProcessor.Delivery delivery) {}

  /** Queues deliveries for the slot's batch thread; see {@link Slot}. */
  private final class BatchingConsumer extends JobConsumer {
    private final Slot slot;

    BatchingConsumer(Channel channel, Slot slot) {
      super(channel);
      this.slot = slot;
    }

    @Override
    public void handleDelivery(
        String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
      if (stopping) {
        return; // not acked: returns to the queue when the channel closes
      }
      JobMessage message = JobMessage.from(envelope.getRoutingKey(), properties, body);
      slot.received.add(
          new Received(
              getChannel(),
              envelope.getDeliveryTag(),
              new JobProcessor.Delivery(message, deliveryCount(properties))));
    }
  }

  private class JobConsumer extends DefaultConsumer {
    JobConsumer(Channel channel) {
      super(channel);
    }

    @Override
    public void handleDelivery(
        String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
        throws IOException {
      if (stopping) {
        return; // not acked: returns to the queue when the channel closes
      }
      inFlight.incrementAndGet();
      try {
        JobMessage message = JobMessage.from(envelope.getRoutingKey(), properties, body);
        try {
          processor.process(message, deliveryCount(properties));
        } catch (RuntimeException e) {
          // Routing the failure itself failed (broker or confirm trouble): hand the message back.
          LOG.warnf(
              e, "job %s type %s could not be settled, requeued", message.jobId(), message.type());
          // While the broker blocks publishing (a memory alarm) the retry could not go out: back
          // at once, the job would fail again in a tight loop and reach the delivery limit.
          publisher.awaitUnblocked();
          getChannel().basicNack(envelope.getDeliveryTag(), false, true);
          return;
        }
        getChannel().basicAck(envelope.getDeliveryTag(), false);
      } finally {
        finished();
      }
    }

    /** The broker cancelled us (the queue was deleted): drop the channel so the supervisor acts. */
    @Override
    public void handleCancel(String consumerTag) {
      LOG.warnf("consumer %s was cancelled by the broker; the supervisor reopens it", consumerTag);
      abortQuietly(getChannel());
    }

    @Override
    public void handleShutdownSignal(String consumerTag, ShutdownSignalException sig) {
      if (!stopping && !sig.isInitiatedByApplication()) {
        LOG.warnf(
            "consumer %s stopped: %s; the supervisor reopens it", consumerTag, sig.getMessage());
      }
    }
  }
}
