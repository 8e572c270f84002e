package io.pulse.common.messaging;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waiting for publisher confirms, written once: one deadline for a whole group (a group of a
 * thousand waits as long as a single message, not a thousand times as long), typed failures, and
 * the interrupt flag kept for whoever interrupted.
 */
public final class PublisherConfirms {
  private PublisherConfirms() {}

  /**
   * Waits for every confirm until {@code timeout} has passed since the call.
   *
   * @return per message, in order: null when the broker confirmed it, else why not
   */
  public static List<PublishFailedException> await(
      List<String> messageIds, List<CompletableFuture<Void>> confirms, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<PublishFailedException> failures = new ArrayList<>(confirms.size());
    boolean interrupted = false;
    for (int i = 0; i < confirms.size(); i++) {
      String id = messageIds.get(i);
      if (interrupted) {
        failures.add(interruptedWaitingFor(id, null));
        continue;
      }
      try {
        confirms.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        failures.add(null);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        interrupted = true;
        failures.add(interruptedWaitingFor(id, e));
      } catch (ExecutionException | TimeoutException e) {
        failures.add(failure(id, e, timeout));
      }
    }
    return failures;
  }

  /** Waits for one confirm; throws why it did not come. */
  public static void awaitOne(String messageId, CompletableFuture<Void> confirm, Duration timeout) {
    PublishFailedException failure =
        await(List.of(String.valueOf(messageId)), List.of(confirm), timeout).get(0);
    if (failure != null) {
      throw failure.rethrownHere();
    }
  }

  /** What a failed or late confirm means, as one of the two publish failures. */
  public static PublishFailedException failure(
      String messageId, Throwable failure, Duration timeout) {
    Throwable cause =
        failure instanceof ExecutionException || failure instanceof CompletionException
            ? failure.getCause()
            : failure;
    if (cause instanceof PublishFailedException typed) {
      return typed;
    }
    if (cause instanceof TimeoutException) {
      return new BrokerUnavailableException(
          "no publisher confirm for message " + messageId + " within " + timeout, cause);
    }
    return new BrokerUnavailableException(
        "broker did not accept message " + messageId + ": " + cause.getMessage(), cause);
  }

  private static BrokerUnavailableException interruptedWaitingFor(String id, Throwable cause) {
    return new BrokerUnavailableException(
        "interrupted while waiting for the publisher confirm of message " + id, cause);
  }
}
