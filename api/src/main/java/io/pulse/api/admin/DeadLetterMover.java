package io.pulse.api.admin;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.pulse.common.jobs.JobLedger;
import io.pulse.common.jobs.JobLedger.LedgerJob;
import io.pulse.common.messaging.ConfirmingPublisher;
import io.pulse.common.messaging.JobMessage;
import io.pulse.common.messaging.PublishFailedException;
import io.pulse.common.messaging.PublisherConfirms;
import io.pulse.common.messaging.RabbitConfig;
import io.pulse.common.messaging.RabbitConnections;
import io.pulse.common.messaging.Topology;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.jboss.logging.Logger;

/**
 * Moves dead jobs back to their work queues. A {@link Pass} takes dead-letter messages with
 * basic.get and manual ack, republishes the chosen ones with attempts reset, and holds the others
 * unacked until {@link Pass#settle()}, which acks the moved and hands the rest back; held messages
 * are never given out twice, so one pass sees each message once. Closing a pass that was not
 * settled (an error half-way) returns everything it took to the dead-letter queues.
 */
@ApplicationScoped
public class DeadLetterMover {
  private static final Logger LOG = Logger.getLogger(DeadLetterMover.class);

  /** The {@code pulse-attempt} a job starts with, as when the API first published it. */
  static final int FIRST_ATTEMPT = 1;

  private final RabbitConnections connections;
  private final ConfirmingPublisher publisher;
  private final RabbitConfig rabbit;
  private final AdminConfig config;
  private final JobLedger ledger;

  public DeadLetterMover(
      RabbitConnections connections,
      ConfirmingPublisher publisher,
      RabbitConfig rabbit,
      AdminConfig config,
      JobLedger ledger) {
    this.ledger = ledger;
    this.connections = connections;
    this.publisher = publisher;
    this.rabbit = rabbit;
    this.config = config;
  }

  Pass open() throws IOException {
    return new Pass(connections.open("dead-letter replay"));
  }

  /** One replay's hold on the dead-letter queues, on a connection of its own. */
  final class Pass implements AutoCloseable {
    private final Connection connection;
    private final Channel channel;
    private final List<Long> movedTags = new ArrayList<>();
    private final Map<UUID, CompletableFuture<Void>> confirms = new HashMap<>();

    private Pass(Connection connection) throws IOException {
      this.connection = connection;
      this.channel = connection.createChannel();
    }

    /**
     * Looks through the type's dead-letter queue for these jobs' messages (at most {@code
     * pulse.admin.replay.max-scan} of them) and republishes each one found, once.
     *
     * @return the ids whose messages were found and republished, confirmed by the broker
     */
    Set<UUID> fromDeadLetterQueue(String type, Map<UUID, LedgerJob> wanted) throws IOException {
      String dlq = Topology.deadLetterQueue(type);
      Map<UUID, LedgerJob> missing = new HashMap<>(wanted);
      Set<UUID> found = new HashSet<>();
      if (!exists(dlq)) {
        return found;
      }
      int budget = scanBudget(wanted.size());
      Map<UUID, Long> others = new HashMap<>();
      int scanned = 0;
      while (!missing.isEmpty() && scanned < budget) {
        GetResponse message = channel.basicGet(dlq, false);
        if (message == null) {
          break;
        }
        scanned++;
        UUID id = jobIdOf(message.getProps());
        LedgerJob job = id == null ? null : missing.remove(id);
        if (job != null) {
          publish(restart(job, message.getProps(), message.getBody()));
          movedTags.add(message.getEnvelope().getDeliveryTag());
          found.add(id);
        } else if (id != null) {
          others.put(id, message.getEnvelope().getDeliveryTag());
        }
      }
      awaitConfirms();
      dropStale(dlq, others);
      if (!missing.isEmpty() && scanned >= budget) {
        LOG.warnf(
            "replay looked at %d messages of %s without finding %d chosen job(s); they are"
                + " republished from the ledger and their old messages stay there",
            scanned, dlq, missing.size());
      }
      return found;
    }

    /**
     * Drops (acks on settle) the dead letters looked at whose jobs are no longer dead: replayed
     * earlier from the ledger, or gone with retention. Their copies would otherwise sit at the head
     * of the queue and use up every later replay's scan.
     */
    private void dropStale(String dlq, Map<UUID, Long> looked) {
      if (looked.isEmpty()) {
        return;
      }
      Set<UUID> dead = ledger.deadAmong(looked.keySet());
      int dropped = 0;
      for (Map.Entry<UUID, Long> message : looked.entrySet()) {
        if (!dead.contains(message.getKey())) {
          movedTags.add(message.getValue());
          dropped++;
        }
      }
      if (dropped > 0) {
        LOG.infof(
            "replay dropped %d dead letter(s) of %s whose jobs are no longer dead", dropped, dlq);
      }
    }

    /** Publishes these jobs from their ledger rows (their messages are gone), confirmed. */
    void fromLedger(List<LedgerJob> jobs) throws IOException {
      for (LedgerJob job : jobs) {
        publish(job.message());
      }
      awaitConfirms();
    }

    /** Acks the moved messages and hands every other one taken back to its dead-letter queue. */
    void settle() throws IOException {
      for (long tag : movedTags) {
        channel.basicAck(tag, false);
      }
      // basic.nack rather than reject: on RabbitMQ 4.3+ a nack does not count as a failed
      // delivery, so looking through a dead-letter queue never uses up a delivery limit.
      channel.basicNack(0, true, true);
      movedTags.clear();
    }

    private void publish(JobMessage message) {
      confirms.put(
          message.jobId(),
          publisher.publishAsync(
              Topology.JOBS_EXCHANGE,
              message.type(),
              message.properties(Map.of()),
              message.body()));
    }

    private void awaitConfirms() throws IOException {
      try {
        List<UUID> ids = List.copyOf(confirms.keySet());
        List<PublishFailedException> failures =
            PublisherConfirms.await(
                ids.stream().map(UUID::toString).toList(),
                ids.stream().map(confirms::get).toList(),
                rabbit.confirmTimeout());
        for (PublishFailedException failure : failures) {
          if (failure != null) {
            throw new IOException(failure.getMessage(), failure);
          }
        }
      } finally {
        confirms.clear();
      }
    }

    private boolean exists(String queue) {
      // A passive declare of a missing queue closes its channel: use a throwaway one.
      try {
        Channel probe = connection.createChannel();
        try {
          probe.queueDeclarePassive(queue);
          return true;
        } finally {
          if (probe.isOpen()) {
            probe.abort();
          }
        }
      } catch (IOException e) {
        LOG.warnf("%s does not exist; its jobs are republished from the ledger", queue);
        return false;
      }
    }

    @Override
    public void close() {
      try {
        connection.close(2_000);
      } catch (IOException | RuntimeException e) {
        LOG.debug("closing the replay connection failed", e);
      }
    }
  }

  /**
   * The job again as it first went out: same id, type, body, idempotency key and trace, attempt
   * back to 1, and none of the {@code pulse-error-*} or broker {@code x-death} headers.
   */
  static JobMessage restart(LedgerJob job, AMQP.BasicProperties props, byte[] body) {
    Map<String, Object> headers = props.getHeaders() == null ? Map.of() : props.getHeaders();
    String key = JobMessage.stringHeader(headers.get(Topology.IDEMPOTENCY_KEY));
    String trace = JobMessage.stringHeader(headers.get(Topology.TRACEPARENT));
    return new JobMessage(
        job.id(),
        job.type(),
        FIRST_ATTEMPT,
        key != null ? key : job.idempotencyKey(),
        trace != null ? trace : job.traceparent(),
        job.createdAt(),
        body);
  }

  /** Dead letters looked at for {@code jobs} chosen jobs of one type. */
  public int scanBudget(int jobs) {
    long budget = 100L + (long) config.replay().scanPerJob() * jobs;
    return (int) Math.min(budget, config.replay().maxScan());
  }

  /** The job a dead letter is about: its message id, else the id the workers put in a header. */
  static UUID jobIdOf(AMQP.BasicProperties props) {
    UUID id = uuid(props.getMessageId());
    if (id == null && props.getHeaders() != null) {
      id = uuid(JobMessage.stringHeader(props.getHeaders().get(Topology.ERROR_JOB_ID)));
    }
    return id;
  }

  private static UUID uuid(String value) {
    if (value == null) {
      return null;
    }
    try {
      return UUID.fromString(value);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
