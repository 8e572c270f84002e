package io.pulse.workers.deadletters;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pulse.common.jobs.JobLedger;
import io.pulse.common.jobs.JobLedger.DeadCount;
import io.pulse.common.jobs.JobLedger.DeadLetterRow;
import io.pulse.common.messaging.BrokerPolicies;
import io.pulse.common.messaging.ConfirmingPublisher;
import io.pulse.common.messaging.JobMessage;
import io.pulse.common.messaging.PublishFailedException;
import io.pulse.common.messaging.RabbitConfig;
import io.pulse.common.messaging.RabbitConnections;
import io.pulse.common.messaging.Topology;
import io.pulse.workers.jobs.FailureClassifier;
import io.pulse.workers.jobs.JobRuntime;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * Keeps each dead-letter queue in step with the ledger, which is where replays come from. Every
 * {@code pulse.dead-letters.every} it compares a DLQ's depth with the ledger's dead count of the
 * type; when the queue holds more than the dead jobs it can explain (copies of jobs replayed since,
 * or parked by the broker's delivery limit while their rows were not dead), or dead rows lack the
 * payload a replay needs, it makes one pass over the queue: every message is consumed and held
 * unacked (so the pass sees each once), judged by {@link DeadLetterVerdict} against its row, and
 * then dropped (acked), requeued to its work queue (a job the delivery limit parked before any
 * handler ran it) or handed back to the queue in order.
 *
 * <p>A pass costs the depth of one queue, runs on its own thread off every request path, and only
 * when the counts disagree, so replays and the work queues never wait for it. Several worker nodes
 * may run it: messages one pass holds are invisible to another's, each verdict only depends on the
 * row, and a job is marked dead by a guarded UPDATE, so overlapping passes only repeat work.
 */
@ApplicationScoped
public class DeadLetterReconciler {
  private static final Logger LOG = Logger.getLogger(DeadLetterReconciler.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  static final String DELIVERY_LIMIT_ERROR = "delivery limit reached in the broker";

  /** Unacked messages one consumer of a pass may hold; AMQP's prefetch field ends at 65,535. */
  static final int PREFETCH_PER_CONSUMER = 60_000;

  private final RabbitConnections connections;
  private final ConfirmingPublisher publisher;
  private final RabbitConfig rabbit;
  private final Topology topology;
  private final JobLedger ledger;
  private final JobRuntime runtime;
  private final DeadLettersConfig config;
  private final MeterRegistry registry;

  /** Per type, what the last pass could not explain: left alone until the counts change. */
  private final Map<String, Residue> residues = new ConcurrentHashMap<>();

  private volatile boolean policySet;
  private volatile boolean policyWarned;
  private ScheduledExecutorService ticks;

  public DeadLetterReconciler(
      RabbitConnections connections,
      ConfirmingPublisher publisher,
      RabbitConfig rabbit,
      Topology topology,
      JobLedger ledger,
      JobRuntime runtime,
      DeadLettersConfig config,
      MeterRegistry registry) {
    this.connections = connections;
    this.publisher = publisher;
    this.rabbit = rabbit;
    this.topology = topology;
    this.ledger = ledger;
    this.runtime = runtime;
    this.config = config;
    this.registry = registry;
  }

  /** What one pass did. */
  public record Pass(
      String type,
      int seen,
      int kept,
      int dropped,
      int markedDead,
      int requeued,
      int payloadsFilled,
      int left) {}

  /** Messages a pass kept that are not copies of dead jobs, and dead rows still without payload. */
  record Residue(long unexplained, long withoutPayload) {}

  void onStart(@Observes StartupEvent event) {
    if (!config.reconcile()) {
      LOG.info("pulse.dead-letters.reconcile=false: this node does not reconcile dead letters");
      return;
    }
    // Its own thread: a pass over a deep queue takes seconds, which the scheduler's shared
    // threads (digest tick, sweeper) must not wait for.
    ticks =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "pulse-dead-letters");
              t.setDaemon(true);
              return t;
            });
    long every = config.every().toMillis();
    ticks.scheduleWithFixedDelay(this::tick, every, every, TimeUnit.MILLISECONDS);
  }

  void onStop(@Observes ShutdownEvent event) {
    if (ticks != null) {
      ticks.shutdownNow();
    }
  }

  private void tick() {
    try {
      reconcile();
    } catch (IOException | RuntimeException e) {
      LOG.warnf("dead-letter reconciliation failed, next try in %s: %s", config.every(), e);
    }
  }

  /**
   * Sets the dead-letter policy (once it took), then passes over every DLQ whose depth and dead
   * count disagree; returns the passes made.
   */
  public synchronized List<Pass> reconcile() throws IOException {
    applyPolicy();
    List<Pass> passes = new ArrayList<>();
    Map<String, DeadCount> dead = ledger.deadCounts();
    try (Connection connection = connections.open("dead-letter reconciler")) {
      for (String type : runtime.declaredTypes()) {
        long depth = depth(connection, Topology.deadLetterQueue(type));
        if (depth < 0) {
          continue;
        }
        DeadCount count = dead.getOrDefault(type, new DeadCount(0, 0));
        Residue residue = residues.getOrDefault(type, new Residue(0, 0));
        boolean unexplained = depth - count.dead() > residue.unexplained();
        boolean payloadless = count.withoutPayload() > residue.withoutPayload() && depth > 0;
        if (unexplained || payloadless) {
          passes.add(pass(connection, type, depth));
        }
      }
    }
    return passes;
  }

  /** One pass over a type's DLQ, now, whatever the counts say. */
  public synchronized Pass reconcile(String type) throws IOException {
    try (Connection connection = connections.open("dead-letter reconciler")) {
      return pass(connection, type, Math.max(0, depth(connection, Topology.deadLetterQueue(type))));
    }
  }

  private void applyPolicy() {
    if (policySet) {
      return;
    }
    try {
      Topology.Policy policy = topology.deadLetterPolicy();
      if (new BrokerPolicies(rabbit).apply(policy)) {
        LOG.infof("set RabbitMQ policy %s: %s", policy.name(), policy.definition());
      }
      policySet = true;
    } catch (IOException e) {
      // Without it dead letters do not expire; the reconciler still drops stale copies. A
      // management user without the policymaker tag (a broker that loads definitions.json, which
      // has the policy) would repeat this every tick: said once, then at debug level.
      String message =
          e.getMessage()
              + "; dead letters do not expire unless the policy is there"
              + " (deploy/rabbitmq/definitions.json has it)";
      if (policyWarned) {
        LOG.debug(message);
      } else {
        LOG.warn(message);
        policyWarned = true;
      }
    }
  }

  private Pass pass(Connection connection, String type, long depthAtStart) throws IOException {
    String dlq = Topology.deadLetterQueue(type);
    Instant now = Instant.now();
    Map<UUID, DeadLetterCopy> newest = new HashMap<>();
    int seen = 0;
    int kept = 0;
    int dropped = 0;
    int marked = 0;
    int requeued = 0;
    int filled = 0;
    int left = 0;
    try (Channel channel = connection.createChannel()) {
      Held held = new Held(channel, config.batch() * 2);
      // Every message of the pass stays unacked until its end, so each is seen once. One consumer
      // holds at most its prefetch (AMQP caps it at 65,535, and a quorum queue gives a consumer
      // without one only 2,000), so the pass opens as many consumers as the queue needs. Memory
      // stays bounded all the same: deliveries are handed over through a bounded queue and the
      // client's dispatch waits for room.
      // New dead letters arriving during the pass are looked at too, up to one batch more.
      long bound = depthAtStart + config.batch();
      channel.basicQos(PREFETCH_PER_CONSUMER, false);
      List<String> consumerTags = new ArrayList<>();
      for (long credit = 0; credit < bound; credit += PREFETCH_PER_CONSUMER) {
        consumerTags.add(channel.basicConsume(dlq, false, held));
      }
      while (seen < bound) {
        List<DeadLetterCopy> batch = held.next(config.batch(), bound - seen);
        if (batch.isEmpty()) {
          break;
        }
        seen += batch.size();
        Map<UUID, DeadLetterRow> rows =
            ledger.deadLetterRows(
                batch.stream().map(DeadLetterCopy::jobId).filter(id -> id != null).toList());
        for (DeadLetterCopy copy : batch) {
          DeadLetterRow row = copy.jobId() == null ? null : rows.get(copy.jobId());
          DeadLetterVerdict verdict =
              DeadLetterVerdict.judge(copy, row, now, config.grace(), config.limitRequeues());
          switch (verdict) {
            case DROP -> {
              channel.basicAck(copy.tag(), false);
              dropped++;
            }
            case MARK_DEAD -> {
              if (ledger.deadInBroker(copy.jobId(), errorOf(copy), json(copy.body()))) {
                marked++;
                count(type, "marked-dead");
                LOG.warnf("job %s type %s is dead: %s", copy.jobId(), type, errorOf(copy));
              }
              int older = keepNewest(channel, newest, copy);
              kept += 1 - older;
              dropped += older;
            }
            case KEEP -> {
              if (!row.hasPayload()) {
                String payload = json(copy.body());
                if (payload != null && ledger.fillDeadPayload(copy.jobId(), payload)) {
                  filled++;
                  count(type, "payload-filled");
                }
              }
              int older = keepNewest(channel, newest, copy);
              kept += 1 - older;
              dropped += older;
            }
            case REQUEUE -> {
              if (requeue(type, copy)) {
                channel.basicAck(copy.tag(), false);
                requeued++;
              } else {
                kept++;
              }
            }
            case WAIT -> kept++;
            case LEAVE -> left++;
          }
        }
      }
      held.close();
      handBack(channel, consumerTags, dlq);
    } catch (TimeoutException | AlreadyClosedException e) {
      // Closing the channel timed out, or it was closed already (handBack): it is gone, and the
      // broker requeued what it held.
      LOG.debugf("closing the reconciler channel of %s timed out", dlq);
    }
    if (dropped > 0) {
      count(type, "dropped", dropped);
    }
    long withoutPayload =
        ledger.deadCounts().getOrDefault(type, new DeadCount(0, 0)).withoutPayload();
    residues.put(type, new Residue(left, withoutPayload));
    Pass pass = new Pass(type, seen, kept, dropped, marked, requeued, filled, left);
    LOG.infof(
        "dead letters of %s: looked at %d, dropped %d stale, marked %d job(s) dead, requeued %d"
            + " parked unstarted, filled %d payload(s), left %d unknown",
        dlq, seen, dropped, marked, requeued, filled, left);
    return pass;
  }

  /**
   * Cancels the pass's consumers and hands everything still held back, in order (basic.nack: on
   * RabbitMQ 4.3+ a nack does not count as a failed delivery toward a delivery limit). On a deep
   * queue the cancel's answer can wait behind tens of thousands of deliveries in flight and time
   * out; the channel then closes, and closing it hands back the same messages, so the pass's
   * verdicts stand either way.
   */
  private static void handBack(Channel channel, List<String> consumerTags, String dlq) {
    try {
      for (String consumerTag : consumerTags) {
        channel.basicCancel(consumerTag);
      }
      channel.basicNack(0, true, true);
    } catch (IOException | RuntimeException e) {
      LOG.debugf("%s: the pass's channel closed while handing back (%s)", dlq, e.getMessage());
    }
  }

  /**
   * The pass's consumer: deliveries wait in a bounded queue for the pass to take them; a full queue
   * holds up the channel's dispatch (and so the broker), not memory.
   */
  private static final class Held extends DefaultConsumer {
    /** No delivery for this long: the queue has nothing more to give. */
    private static final long IDLE_MILLIS = 2_000;

    private final BlockingQueue<DeadLetterCopy> arrived;
    private volatile boolean closed;

    Held(Channel channel, int capacity) {
      super(channel);
      this.arrived = new ArrayBlockingQueue<>(capacity);
    }

    @Override
    public void handleDelivery(
        String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
      DeadLetterCopy copy = DeadLetterCopy.of(envelope.getDeliveryTag(), properties, body);
      try {
        while (!closed && !arrived.offer(copy, 100, TimeUnit.MILLISECONDS)) {
          // the pass is busy with the ledger: wait for room
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    /** Up to {@code max} deliveries (at most {@code left}); empty once the queue went quiet. */
    List<DeadLetterCopy> next(int max, long left) throws IOException {
      List<DeadLetterCopy> batch = new ArrayList<>(max);
      try {
        DeadLetterCopy first = arrived.poll(IDLE_MILLIS, TimeUnit.MILLISECONDS);
        if (first == null) {
          return batch;
        }
        batch.add(first);
        arrived.drainTo(batch, (int) Math.min(max, left) - 1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted during a dead-letter pass", e);
      }
      return batch;
    }

    /** Stops taking deliveries; what was not taken stays unacked and goes back with the rest. */
    void close() {
      closed = true;
      arrived.clear();
    }
  }

  /**
   * Keeps one copy per job, the newest: a job replayed and dead again has two, and the older one
   * (from before a replay whose time the row no longer shows apart) is dropped.
   *
   * @return messages dropped (0 or 1)
   */
  private static int keepNewest(
      Channel channel, Map<UUID, DeadLetterCopy> newest, DeadLetterCopy copy) throws IOException {
    DeadLetterCopy earlier = newest.get(copy.jobId());
    if (earlier == null) {
      newest.put(copy.jobId(), copy);
      return 0;
    }
    boolean copyIsNewer =
        copy.deadAt() != null
            && (earlier.deadAt() == null || copy.deadAt().isAfter(earlier.deadAt()));
    DeadLetterCopy older = copyIsNewer ? earlier : copy;
    newest.put(copy.jobId(), copyIsNewer ? copy : earlier);
    channel.basicAck(older.tag(), false);
    return 1;
  }

  /**
   * Publishes a job the delivery limit parked unstarted to its work queue again, as a new message
   * whose limit count starts over, and waits for the broker's confirm; only then may its dead
   * letter go. Should the ack of the dead letter be lost, a later pass requeues it once more, which
   * the runtime's once-only ledger mark absorbs.
   *
   * @return false when the broker did not take it: the dead letter stays for the next pass
   */
  private boolean requeue(String type, DeadLetterCopy copy) {
    JobMessage job = JobMessage.from(type, copy.properties(), copy.body());
    int time = copy.limitRequeues() + 1;
    try {
      publisher.publishJob(job, Map.of(Topology.LIMIT_REQUEUES, time));
    } catch (PublishFailedException e) {
      LOG.warnf(
          e, "job %s type %s: could not requeue it, next pass tries again", job.jobId(), type);
      return false;
    }
    count(type, "requeued");
    LOG.warnf(
        "job %s type %s: the broker's delivery limit parked it before any handler ran it (%s);"
            + " requeued (%d of %d)",
        job.jobId(), type, copy.brokerQueue(), time, config.limitRequeues());
    return true;
  }

  private static String errorOf(DeadLetterCopy copy) {
    if (copy.parkedByDeliveryLimit()) {
      return DELIVERY_LIMIT_ERROR
          + " (x-death reason delivery_limit"
          + (copy.brokerQueue() == null ? "" : " in " + copy.brokerQueue())
          + (copy.deadAt() == null ? "" : " at " + copy.deadAt())
          + (copy.limitRequeues() > 0
              ? "), after "
                  + copy.limitRequeues()
                  + " requeue(s) of it parked before any handler ran it"
              : "): it crashed or lost its worker on every delivery")
          + "; the worker log has the job id";
    }
    return copy.error();
  }

  /** The body as JSON text, or null when it is not JSON (it cannot be a payload then). */
  private static String json(byte[] body) {
    if (body == null || body.length == 0) {
      return null;
    }
    try {
      JSON.readTree(body);
      return new String(body, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return null;
    }
  }

  /** Ready messages in the queue, or -1 when it does not exist (not declared yet). */
  private static long depth(Connection connection, String queue) {
    // A passive declare of a missing queue closes its channel: a throwaway channel each time.
    try (Channel probe = connection.createChannel()) {
      return probe.queueDeclarePassive(queue).getMessageCount();
    } catch (IOException | TimeoutException | RuntimeException e) {
      LOG.debugf("%s: %s", queue, FailureClassifier.describe(e, 200));
      return -1;
    }
  }

  private void count(String type, String action) {
    count(type, action, 1);
  }

  private void count(String type, String action, int n) {
    Counter.builder("pulse.dead.letters.reconciled")
        .description(
            "dead letters the reconciler dropped, jobs it marked dead or requeued, payloads it filled")
        .tag("type", type)
        .tag("action", action)
        .register(registry)
        .increment(n);
  }

  /** For tests: forget what earlier passes left, so the next tick judges from scratch. */
  void forgetResidues() {
    residues.clear();
  }
}
