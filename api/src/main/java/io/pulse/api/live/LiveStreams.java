package io.pulse.api.live;

import io.pulse.common.events.InboxEvent;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.helpers.queues.Queues;
import io.smallrye.mutiny.operators.multi.processors.UnicastProcessor;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * This instance's open streams, by user, and the fan-out of inbox events to them. A stream is a
 * bounded Mutiny processor, not a thread: an event for a user with no stream here costs one map
 * lookup, and a client that stopped reading fills its own buffer, which fails its stream (the
 * client is disconnected and resumes with {@code Last-Event-ID}) and holds up no other.
 */
@ApplicationScoped
public class LiveStreams {
  /** Put into every stream by one timer: a comment line, no thread or timer per stream. */
  static final InboxEvent HEARTBEAT = new InboxEvent("heartbeat", 0, 0, List.of(), null);

  private final ConcurrentMap<Long, Set<Subscription>> byUser = new ConcurrentHashMap<>();
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicLong opened = new AtomicLong();
  private final StreamConfig config;
  private final Vertx vertx;
  private final int slots;
  private long timer = -1;

  /** Read and written by the timer only: one periodic timer runs on one event loop. */
  private long tick;

  private volatile boolean closing;

  public LiveStreams(StreamConfig config, Vertx vertx) {
    this.config = config;
    this.vertx = vertx;
    this.slots = (int) Math.max(1, config.heartbeat().toSeconds());
  }

  /**
   * Heartbeats go out in {@link #slots} slices, one a second, each stream in its own: every stream
   * still gets one per {@code heartbeat}, but 10,000 streams are not written in one burst that
   * holds an event loop (and the events behind it) for half a second.
   */
  void start(@Observes StartupEvent event) {
    timer = vertx.setPeriodic(Math.max(1, config.heartbeat().toMillis() / slots), t -> beat());
  }

  /**
   * Shutdown begins: every stream is completed and no new one opens (503), so each client sees its
   * stream end cleanly and reconnects to another instance with {@code Last-Event-ID}. It must
   * happen here, before the HTTP server waits for open requests to finish: a stream never finishes
   * on its own, so waiting for {@link ShutdownEvent} held shutdown for the whole {@code
   * quarkus.shutdown.timeout} and then cut every stream (measured with the packaged API: 10 s, curl
   * "transfer closed with outstanding read data"). Quarkus fires this event only with {@code
   * quarkus.shutdown.delay-enabled} (a build-time setting, on in application.properties).
   */
  void shutdownBegins(@Observes ShutdownDelayInitiatedEvent event) {
    closing = true;
    completeAll();
  }

  /** The last word, for a stream opened in a race with the one above. */
  void stop(@Observes ShutdownEvent event) {
    closing = true;
    vertx.cancelTimer(timer);
    completeAll();
  }

  /** Completes every open stream: each client sees its stream end and may reconnect. */
  void completeAll() {
    byUser.values().forEach(streams -> streams.forEach(stream -> stream.events.onComplete()));
  }

  void beat() {
    int slot = (int) (tick++ % slots);
    byUser
        .values()
        .forEach(
            streams ->
                streams.forEach(
                    stream -> {
                      if (stream.slot == slot) {
                        stream.events.onNext(HEARTBEAT);
                      }
                    }));
  }

  /** One open stream's live events; closed when the stream ends, however it ends. */
  public final class Subscription {
    private final long userId;
    private final int slot;
    private final UnicastProcessor<InboxEvent> events;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Subscription(long userId) {
      this.userId = userId;
      this.slot = (int) (opened.getAndIncrement() % slots);
      // Events that arrive while the stream's replay is read wait here, so none falls between.
      this.events =
          UnicastProcessor.create(Queues.<InboxEvent>get(config.clientBuffer()).get(), this::close);
    }

    public Multi<InboxEvent> events() {
      return events;
    }

    public void close() {
      if (closed.compareAndSet(false, true)) {
        byUser.computeIfPresent(
            userId,
            (user, streams) -> {
              streams.remove(this);
              return streams.isEmpty() ? null : streams;
            });
        open.decrementAndGet();
      }
    }
  }

  /**
   * A new stream's subscription, or empty when this instance holds its limit already or is shutting
   * down.
   */
  public Optional<Subscription> open(long userId) {
    if (closing) {
      return Optional.empty();
    }
    int now;
    do {
      now = open.get();
      if (now >= config.maxConnections()) {
        return Optional.empty();
      }
    } while (!open.compareAndSet(now, now + 1));
    Subscription subscription = new Subscription(userId);
    byUser.computeIfAbsent(userId, user -> ConcurrentHashMap.newKeySet()).add(subscription);
    return Optional.of(subscription);
  }

  public int openCount() {
    return open.get();
  }

  /** Whether a stream of this user's is open on this instance now. */
  public boolean watches(long userId) {
    return byUser.containsKey(userId);
  }

  /** Hands an event to the user's streams here. */
  public void deliver(InboxEvent event) {
    Set<Subscription> streams = byUser.get(event.userId());
    if (streams != null) {
      streams.forEach(stream -> stream.events.onNext(event));
    }
  }
}
