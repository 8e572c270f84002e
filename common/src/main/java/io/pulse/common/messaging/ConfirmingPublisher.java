package io.pulse.common.messaging;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Publishes persistent, mandatory messages and waits for the broker's confirm. Several callers
 * share a few confirm channels, so confirms are pipelined rather than one round trip at a time. A
 * message the broker cannot route (returned) or refuses (nack) fails its caller; so does a closed
 * channel.
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
  private volatile boolean declaredTypes;
  private volatile Collection<String> jobTypes;

  public ConfirmingPublisher(
      RabbitConnections connections, RabbitConfig config, Topology topology) {
    this.connections = connections;
    this.config = config;
    this.topology = topology;
  }

  /** The job types whose queues this app declares whenever it (re)connects. */
  public void declareOnConnect(Collection<String> types) {
    this.jobTypes = types;
    this.declaredTypes = false;
  }

  public void publishJob(JobMessage message) {
    publish(Topology.JOBS_EXCHANGE, message.type(), message.properties(Map.of()), message.body());
  }

  /**
   * Publishes a job without waiting; the future completes when the broker confirmed, or fails with
   * {@link BrokerUnavailableException} (refused, unroutable, closed, or no confirm within {@code
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
                throw unavailable(props.getMessageId(), failure);
              }
              return done;
            });
  }

  /**
   * Publishes and blocks until the broker confirmed, or throws {@link BrokerUnavailableException}.
   */
  public void publish(String exchange, String routingKey, AMQP.BasicProperties props, byte[] body) {
    CompletableFuture<Void> confirmed = publishAsync(exchange, routingKey, props, body);
    try {
      confirmed.get(config.confirmTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BrokerUnavailableException("interrupted while waiting for a publisher confirm", e);
    } catch (ExecutionException | TimeoutException e) {
      throw unavailable(props.getMessageId(), e);
    }
  }

  private BrokerUnavailableException unavailable(String messageId, Throwable failure) {
    Throwable cause =
        failure instanceof ExecutionException || failure instanceof CompletionException
            ? failure.getCause()
            : failure;
    if (cause instanceof BrokerUnavailableException already) {
      return already;
    }
    if (cause instanceof TimeoutException) {
      return new BrokerUnavailableException(
          "no publisher confirm for message " + messageId + " within " + config.confirmTimeout(),
          cause);
    }
    return new BrokerUnavailableException(
        "broker did not accept message " + messageId + ": " + cause.getMessage(), cause);
  }

  public CompletableFuture<Void> publishAsync(
      String exchange, String routingKey, AMQP.BasicProperties props, byte[] body) {
    ConfirmChannel channel;
    try {
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

  /** Opens the connection if needed; throws when the broker cannot be reached. */
  public void ensureConnected() throws IOException {
    pick();
  }

  private ConfirmChannel pick() throws IOException {
    ConfirmChannel[] current = channels;
    if (current == null || !connection.isOpen()) {
      current = reconnect();
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
      if (!declaredTypes && jobTypes != null) {
        try (Channel declare = opened.createChannel()) {
          topology.declare(declare, jobTypes);
        } catch (TimeoutException e) {
          throw new IOException(e);
        }
        declaredTypes = true;
      }
      ConfirmChannel[] opening = new ConfirmChannel[Math.max(1, config.publisherChannels())];
      for (int i = 0; i < opening.length; i++) {
        opening[i] = new ConfirmChannel(opened.createChannel());
      }
      connection = opened;
      channels = opening;
      lastFailedConnectNanos = 0;
      LOG.infof("publisher connected to RabbitMQ at %s", connections.address());
      return opening;
    } catch (IOException e) {
      lastFailedConnectNanos = System.nanoTime();
      throw e;
    }
  }

  void onStop(@Observes ShutdownEvent event) {
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
  private static final class ConfirmChannel {
    private final Channel channel;
    private final ConcurrentNavigableMap<Long, Pending> pending = new ConcurrentSkipListMap<>();

    ConfirmChannel(Channel channel) throws IOException {
      this.channel = channel;
      channel.confirmSelect();
      channel.addConfirmListener(
          (seq, multiple) -> settle(seq, multiple, null),
          (seq, multiple) -> settle(seq, multiple, "broker nacked the message"));
      channel.addReturnListener(
          returned -> {
            // A return always arrives before the confirm of the same message on this channel.
            String id = returned.getProperties().getMessageId();
            pending.values().stream()
                .filter(p -> id != null && id.equals(p.messageId))
                .forEach(
                    p ->
                        p.returnedReason =
                            "unroutable: "
                                + returned.getReplyText()
                                + " (exchange "
                                + returned.getExchange()
                                + ", routing key "
                                + returned.getRoutingKey()
                                + ")");
          });
      channel.addShutdownListener(
          cause -> {
            IOException closed = new IOException("channel closed: " + cause.getMessage(), cause);
            pending.values().forEach(p -> p.future.completeExceptionally(closed));
            pending.clear();
          });
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

    private void settle(long seq, boolean multiple, String nackReason) {
      Map<Long, Pending> done = multiple ? pending.headMap(seq, true) : subMap(seq);
      for (Pending p : done.values()) {
        String failure = nackReason != null ? nackReason : p.returnedReason;
        if (failure == null) {
          p.future.complete(null);
        } else {
          p.future.completeExceptionally(new IOException(failure));
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
