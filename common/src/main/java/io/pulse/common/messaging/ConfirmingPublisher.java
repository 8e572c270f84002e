package io.pulse.common.messaging;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Publishes persistent, mandatory messages and waits for the broker's confirm. Several callers
 * share a few confirm channels, so confirms are pipelined rather than one round trip at a time. A
 * message the broker refuses (nack), a closed channel or a confirm later than {@code
 * pulse.rabbitmq.confirm-timeout} fails its caller with {@link BrokerUnavailableException}; a
 * message it cannot route (returned) with {@link UnroutableMessageException}. The topology is
 * declared on every (re)connect and again after a return, so a queue deleted by hand comes back.
 *
 * <p>While the broker blocks the connection (a memory or disk alarm: {@code connection.blocked}),
 * publishes fail at once with {@link BrokerUnavailableException} instead of being written to a
 * socket the broker no longer reads: each caller would otherwise wait out its confirm timeout, and
 * a full socket buffer would hang the publishing thread (and every caller queued behind the
 * channel's lock) until the alarm clears. Confirms still pending when the block arrives fail too;
 * their rows stay unpublished and the sweeper publishes them once the broker unblocks.
 */
@ApplicationScoped
public class ConfirmingPublisher {
  private static final Logger LOG = Logger.getLogger(ConfirmingPublisher.class);

  /**
   * After a failed connect, callers fail fast for this long instead of each waiting on a dead host.
   */
  private static final Duration RECONNECT_BACKOFF = Duration.ofSeconds(1);

  private final RabbitConnections connections;
  private final RabbitConfig config;
  private final Topology topology;
  private final AtomicInteger next = new AtomicInteger();
  private volatile Connection connection;
  private volatile ConfirmChannel[] channels;
  private volatile long lastFailedConnectNanos;
  private volatile boolean redeclare;
  private volatile Collection<String> jobTypes;

  /** Why the broker blocks the current connection, or null while it takes publishes. */
  private volatile String blockedReason;

  /** Notified when the broker unblocks (or the connection is replaced). */
  private final Object unblockedSignal = new Object();

  public ConfirmingPublisher(
      RabbitConnections connections, RabbitConfig config, Topology topology) {
    this.connections = connections;
    this.config = config;
    this.topology = topology;
  }

  /** The job types whose queues this app declares whenever it (re)connects. */
  public void declareOnConnect(Collection<String> types) {
    this.jobTypes = types;
  }

  public void publishJob(JobMessage message) {
    publishJob(message, Map.of());
  }

  /** Publishes a job to its work queue with headers of ours besides the job's own. */
  public void publishJob(JobMessage message, Map<String, Object> extraHeaders) {
    publish(
        Topology.JOBS_EXCHANGE, message.type(), message.properties(extraHeaders), message.body());
  }

  /**
   * Publishes jobs back to back and waits for their confirms together, {@code
   * pulse.rabbitmq.confirm-timeout} at most for the whole group.
   *
   * @return per job, in order: null when the broker confirmed it, else why not
   */
  public List<PublishFailedException> publishJobs(List<JobMessage> jobs) {
    List<CompletableFuture<Void>> confirms = new ArrayList<>(jobs.size());
    for (JobMessage job : jobs) {
      confirms.add(
          publishAsync(Topology.JOBS_EXCHANGE, job.type(), job.properties(Map.of()), job.body()));
    }
    return PublisherConfirms.await(
        jobs.stream().map(job -> job.jobId().toString()).toList(),
        confirms,
        config.confirmTimeout());
  }

  /**
   * Publishes a job without waiting; the future completes when the broker confirmed, or fails with
   * a {@link PublishFailedException} (refused, unroutable, closed, or no confirm within {@code
   * pulse.rabbitmq.confirm-timeout}).
   */
  public CompletableFuture<Void> publishJobAsync(JobMessage message) {
    AMQP.BasicProperties props = message.properties(Map.of());
    CompletableFuture<Void> confirmed =
        publishAsync(Topology.JOBS_EXCHANGE, message.type(), props, message.body());
    return confirmed
        .orTimeout(config.confirmTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .handle(
            (done, failure) -> {
              if (failure != null) {
                throw PublisherConfirms.failure(
                    props.getMessageId(), failure, config.confirmTimeout());
              }
              return done;
            });
  }

  /**
   * Publishes and blocks until the broker confirmed, or throws a {@link PublishFailedException}.
   */
  public void publish(String exchange, String routingKey, AMQP.BasicProperties props, byte[] body) {
    PublisherConfirms.awaitOne(
        props.getMessageId(),
        publishAsync(exchange, routingKey, props, body),
        config.confirmTimeout());
  }

  public CompletableFuture<Void> publishAsync(
      String exchange, String routingKey, AMQP.BasicProperties props, byte[] body) {
    ConfirmChannel channel;
    try {
      refuseWhileBlocked();
      channel = pick();
    } catch (IOException | RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return channel.publish(exchange, routingKey, props, body);
  }

  /** True when a connection is open now; used by the readiness check. */
  public boolean isConnected() {
    Connection c = connection;
    return c != null && c.isOpen();
  }

  /**
   * Why the broker refuses publishes of this app now (a resource alarm), or empty while it takes
   * them.
   */
  public Optional<String> blockedBy() {
    return Optional.ofNullable(blockedReason);
  }

  /**
   * Throws {@link BrokerUnavailableException} while the broker blocks publishing, so a caller can
   * refuse work before it writes anything that could not be published now.
   */
  public void refuseWhileBlocked() {
    String reason = blockedReason;
    if (reason != null && connection != null && connection.isOpen()) {
      throw new BrokerUnavailableException(
          "the broker blocks publishing (" + reason + "); retry once the alarm clears", null);
    }
  }

  /**
   * Waits while the broker blocks publishing, at most {@code pulse.rabbitmq.confirm-timeout} (what
   * a publish into the blocked connection would have waited); returns at once when it does not. For
   * a consumer about to hand back a job whose retry could not be published: requeued now, it would
   * come straight back and fail the same way, each delivery counting towards the queue's delivery
   * limit.
   */
  public void awaitUnblocked() {
    long deadline = System.nanoTime() + config.confirmTimeout().toNanos();
    synchronized (unblockedSignal) {
      while (blockedReason != null) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(unblockedSignal, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private void clearBlocked() {
    synchronized (unblockedSignal) {
      blockedReason = null;
      unblockedSignal.notifyAll();
    }
  }

  /** Opens the connection if needed; throws when the broker cannot be reached. */
  public void ensureConnected() throws IOException {
    pick();
  }

  private ConfirmChannel pick() throws IOException {
    ConfirmChannel[] current = channels;
    if (current == null || !connection.isOpen()) {
      current = reconnect();
    } else if (redeclare) {
      redeclare();
    }
    ConfirmChannel chosen = current[Math.floorMod(next.getAndIncrement(), current.length)];
    if (!chosen.isOpen()) {
      synchronized (this) {
        chosen = chosen.isOpen() ? chosen : reopen(chosen);
      }
    }
    return chosen;
  }

  private synchronized ConfirmChannel reopen(ConfirmChannel dead) throws IOException {
    ConfirmChannel[] current = channels;
    for (int i = 0; i < current.length; i++) {
      if (current[i] == dead) {
        current[i] = new ConfirmChannel(connection.createChannel());
        return current[i];
      }
    }
    return current[0];
  }

  private synchronized ConfirmChannel[] reconnect() throws IOException {
    if (channels != null && connection != null && connection.isOpen()) {
      return channels;
    }
    long sinceFailure = System.nanoTime() - lastFailedConnectNanos;
    if (lastFailedConnectNanos != 0 && sinceFailure < RECONNECT_BACKOFF.toNanos()) {
      throw new IOException("RabbitMQ at " + connections.address() + " is unreachable");
    }
    closeQuietly();
    try {
      Connection opened = connections.open("publisher");
      clearBlocked();
      opened.addBlockedListener(reason -> blocked(opened, reason), () -> unblocked(opened));
      declare(opened);
      ConfirmChannel[] opening = new ConfirmChannel[Math.max(1, config.publisherChannels())];
      for (int i = 0; i < opening.length; i++) {
        opening[i] = new ConfirmChannel(opened.createChannel());
      }
      connection = opened;
      channels = opening;
      lastFailedConnectNanos = 0;
      LOG.infof("publisher connected to RabbitMQ at %s", connections.address(opened));
      return opening;
    } catch (IOException e) {
      lastFailedConnectNanos = System.nanoTime();
      throw e;
    }
  }

  private void declare(Connection on) throws IOException {
    redeclare = false;
    if (jobTypes == null) {
      return;
    }
    try (Channel declaring = on.createChannel()) {
      topology.declare(declaring, jobTypes);
    } catch (TimeoutException e) {
      throw new IOException("timed out declaring the topology", e);
    }
  }

  private synchronized void redeclare() throws IOException {
    if (redeclare) {
      declare(connection);
      LOG.infof("publisher declared the topology again after a returned message");
    }
  }

  private void blocked(Connection on, String reason) {
    if (on != connection) {
      return; // a connection already replaced
    }
    blockedReason = reason;
    LOG.warnf(
        "RabbitMQ blocks publishing at %s (%s): publishes fail with 503 until it unblocks",
        connections.address(on), reason);
    ConfirmChannel[] current = channels;
    if (current != null) {
      BrokerUnavailableException refused =
          new BrokerUnavailableException(
              "the broker blocked publishing (" + reason + ") before it confirmed", null);
      for (ConfirmChannel c : current) {
        c.failPending(refused);
      }
    }
  }

  private void unblocked(Connection on) {
    if (on != connection) {
      return;
    }
    clearBlocked();
    LOG.infof("RabbitMQ takes publishes again at %s", connections.address(on));
  }

  public void onStop(@Observes ShutdownEvent event) {
    closeQuietly();
  }

  private synchronized void closeQuietly() {
    Connection c = connection;
    connection = null;
    channels = null;
    if (c != null && c.isOpen()) {
      try {
        c.close(2_000);
      } catch (IOException | RuntimeException e) {
        LOG.debug("closing publisher connection failed", e);
      }
    }
  }

  /** One channel in confirm mode and the confirms it still waits for, by sequence number. */
  private final class ConfirmChannel {
    private final Channel channel;
    private final ConcurrentNavigableMap<Long, Pending> pending = new ConcurrentSkipListMap<>();

    ConfirmChannel(Channel channel) throws IOException {
      this.channel = channel;
      channel.confirmSelect();
      channel.addConfirmListener(
          (seq, multiple) -> settle(seq, multiple, false),
          (seq, multiple) -> settle(seq, multiple, true));
      channel.addReturnListener(
          returned -> {
            // A return always arrives before the confirm of the same message on this channel.
            String id = returned.getProperties().getMessageId();
            redeclare = true;
            pending.values().stream()
                .filter(p -> id != null && id.equals(p.messageId))
                .forEach(
                    p ->
                        p.returnedReason =
                            returned.getReplyText()
                                + " (exchange "
                                + returned.getExchange()
                                + ", routing key "
                                + returned.getRoutingKey()
                                + ")");
          });
      channel.addShutdownListener(
          cause ->
              failPending(
                  new BrokerUnavailableException(
                      "channel closed before the confirm: " + cause.getMessage(), cause)));
    }

    /** A late confirm of one of these finds nothing left to settle; the sweeper resends them. */
    void failPending(BrokerUnavailableException why) {
      for (Long seq : pending.keySet()) {
        Pending p = pending.remove(seq);
        if (p != null) {
          p.future.completeExceptionally(why);
        }
      }
    }

    boolean isOpen() {
      return channel.isOpen();
    }

    synchronized CompletableFuture<Void> publish(
        String exchange, String routingKey, AMQP.BasicProperties props, byte[] body) {
      long seq = channel.getNextPublishSeqNo();
      Pending p = new Pending(props.getMessageId());
      pending.put(seq, p);
      try {
        channel.basicPublish(exchange, routingKey, true, props, body);
      } catch (IOException | RuntimeException e) {
        pending.remove(seq);
        p.future.completeExceptionally(e);
      }
      return p.future;
    }

    private void settle(long seq, boolean multiple, boolean nacked) {
      Map<Long, Pending> done = multiple ? pending.headMap(seq, true) : subMap(seq);
      for (Pending p : done.values()) {
        if (nacked) {
          p.future.completeExceptionally(
              new BrokerUnavailableException(
                  "broker nacked message " + p.messageId + " (it could not store it)", null));
        } else if (p.returnedReason != null) {
          p.future.completeExceptionally(
              new UnroutableMessageException(
                  "broker returned message " + p.messageId + ": " + p.returnedReason, null));
        } else {
          p.future.complete(null);
        }
      }
      done.clear();
    }

    private Map<Long, Pending> subMap(long seq) {
      return pending.subMap(seq, true, seq, true);
    }
  }

  private static final class Pending {
    final String messageId;
    final CompletableFuture<Void> future = new CompletableFuture<>();
    volatile String returnedReason;

    Pending(String messageId) {
      this.messageId = messageId;
    }
  }
}
