package io.pulse.api.live;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Heartbeats go out one slice a second, not to every stream at once, and still reach every stream
 * once per heartbeat interval. The timer is not started: each call of {@code beat()} is one tick.
 */
class HeartbeatSlicesTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void closeVertx() {
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  @Test
  void eachTickBeatsOneSliceAndAFullIntervalBeatsEveryStreamOnce() {
    LiveStreams streams = new LiveStreams(config(Duration.ofSeconds(3)), vertx);
    List<AtomicInteger> beats = new ArrayList<>();
    for (long user = 1; user <= 6; user++) {
      AtomicInteger count = new AtomicInteger();
      streams
          .open(user)
          .orElseThrow()
          .events()
          .subscribe()
          .with(
              event -> {
                if (event == LiveStreams.HEARTBEAT) {
                  count.incrementAndGet();
                }
              });
      beats.add(count);
    }

    streams.beat();
    assertEquals(2, beats.stream().mapToInt(AtomicInteger::get).sum(), "one slice of three");

    streams.beat();
    streams.beat();
    beats.forEach(count -> assertEquals(1, count.get(), "every stream once in three ticks"));
  }

  @Test
  void aHeartbeatUnderASecondIsOneSlice() {
    LiveStreams streams = new LiveStreams(config(Duration.ofMillis(300)), vertx);
    AtomicInteger beats = new AtomicInteger();
    for (long user = 1; user <= 3; user++) {
      streams.open(user).orElseThrow().events().subscribe().with(event -> beats.incrementAndGet());
    }

    streams.beat();

    assertEquals(3, beats.get());
  }

  private static StreamConfig config(Duration heartbeat) {
    return new StreamConfig() {
      @Override
      public Optional<String> tokenSecret() {
        return Optional.empty();
      }

      @Override
      public Duration tokenTtl() {
        return Duration.ofMinutes(5);
      }

      @Override
      public Duration heartbeat() {
        return heartbeat;
      }

      @Override
      public int maxConnections() {
        return 100;
      }

      @Override
      public int clientBuffer() {
        return 16;
      }

      @Override
      public int replayLimit() {
        return 100;
      }
    };
  }
}
