package io.pulse.common.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Waiting for confirms, without a broker: late, refused, unroutable and interrupted waits. */
class PublisherConfirmsTest {
  @Test
  void aConfirmThatNeverComesFailsTheWholeGroupWithinOneDeadline() {
    CompletableFuture<Void> never = new CompletableFuture<>();
    CompletableFuture<Void> neverEither = new CompletableFuture<>();
    long start = System.nanoTime();
    List<PublishFailedException> failures =
        PublisherConfirms.await(
            List.of("a", "b", "c"),
            List.of(never, CompletableFuture.completedFuture(null), neverEither),
            Duration.ofMillis(200));
    long waitedMs = (System.nanoTime() - start) / 1_000_000;

    assertInstanceOf(BrokerUnavailableException.class, failures.get(0));
    assertTrue(failures.get(0).getMessage().contains("no publisher confirm for message a"));
    assertNull(failures.get(1), "the confirmed one");
    assertInstanceOf(BrokerUnavailableException.class, failures.get(2));
    // One deadline for the group, not one per message: two late confirms do not wait twice.
    assertTrue(waitedMs < 390, "waited " + waitedMs + " ms for two late confirms of 200 ms");
  }

  @Test
  void failuresKeepTheirKind() {
    Duration timeout = Duration.ofSeconds(1);
    assertInstanceOf(
        UnroutableMessageException.class,
        PublisherConfirms.failure("m", new UnroutableMessageException("no route", null), timeout));
    PublishFailedException io = PublisherConfirms.failure("m", new IOException("reset"), timeout);
    assertInstanceOf(BrokerUnavailableException.class, io);
    assertEquals("broker did not accept message m: reset", io.getMessage());
  }

  @Test
  void awaitOneThrowsTheTypedFailureOnTheCallersStack() {
    CompletableFuture<Void> returned = new CompletableFuture<>();
    UnroutableMessageException cause = new UnroutableMessageException("no queue", null);
    returned.completeExceptionally(cause);
    UnroutableMessageException thrown =
        assertThrows(
            UnroutableMessageException.class,
            () -> PublisherConfirms.awaitOne("m", returned, Duration.ofSeconds(1)));
    assertEquals(cause, thrown.getCause());
  }

  @Test
  void anInterruptedWaitFailsAndKeepsTheInterruptFlag() {
    Thread.currentThread().interrupt();
    try {
      List<PublishFailedException> failures =
          PublisherConfirms.await(
              List.of("a", "b"),
              List.of(new CompletableFuture<>(), new CompletableFuture<>()),
              Duration.ofSeconds(30));
      assertTrue(Thread.currentThread().isInterrupted(), "the flag is still set");
      assertTrue(failures.get(0).getMessage().contains("interrupted"));
      assertTrue(failures.get(1).getMessage().contains("interrupted"));
    } finally {
      Thread.interrupted();
    }
  }
}
