package io.pulse.api.admin;

import io.pulse.api.problem.ProblemException;
import io.pulse.common.jobs.JobLedger;
import io.pulse.common.jobs.JobLedger.LedgerJob;
import io.pulse.common.jobs.JobStatus;
import io.pulse.common.messaging.Topology;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Replays dead jobs: in one database transaction it locks the chosen rows that are still {@code
 * dead}, moves their messages from the dead-letter queue back to work (or republishes them from the
 * ledger payload when the message is gone), moves the rows back to {@code queued} with a
 * conditional UPDATE, settles the dead-letter messages, and commits. Replays of one type run one at
 * a time across all nodes; a job that is no longer dead is skipped, so replaying it twice runs it
 * once.
 *
 * <p>A failure half-way rolls the ledger back and returns every untouched message to its
 * dead-letter queue. Messages already republished by then stay published while their rows stay
 * dead; the workers run a dead job they are handed, so such a job still runs (once: a second copy
 * finds it succeeded).
 */
@ApplicationScoped
public class DeadLetterReplay {
  private static final Logger LOG = Logger.getLogger(DeadLetterReplay.class);

  /** Which dead jobs to replay: these ids, or the oldest {@code limit} of one type. */
  public record Selection(List<UUID> jobIds, String type, int limit) {}

  /** {@code source}: {@code dlq} (its dead letter moved) or {@code ledger} (republished). */
  public record Replayed(UUID jobId, String type, String source) {}

  public record Skipped(UUID jobId, String reason) {}

  public record Result(List<Replayed> replayed, List<Skipped> skipped) {}

  private final JobLedger ledger;
  private final DeadLetterMover mover;
  private final AdminConfig config;

  public DeadLetterReplay(JobLedger ledger, DeadLetterMover mover, AdminConfig config) {
    this.ledger = ledger;
    this.mover = mover;
    this.config = config;
  }

  public Result replay(Selection selection) {
    Result result =
        QuarkusTransaction.requiringNew()
            .timeout((int) config.replay().timeout().toSeconds())
            .call(() -> inTransaction(selection));
    if (!result.replayed().isEmpty()) {
      LOG.infof(
          "replayed %d dead job(s): %s",
          result.replayed().size(),
          result.replayed().stream()
              .map(r -> r.type() + " " + r.jobId() + " from " + r.source())
              .collect(Collectors.joining(", ")));
    }
    return result;
  }

  private Result inTransaction(Selection selection) {
    List<Skipped> skipped = new ArrayList<>();
    List<LedgerJob> chosen = choose(selection, skipped);
    if (chosen.isEmpty()) {
      return new Result(List.of(), skipped);
    }
    List<Replayed> replayed = new ArrayList<>();
    try (DeadLetterMover.Pass pass = mover.open()) {
      List<LedgerJob> fromLedger = new ArrayList<>();
      for (Map.Entry<String, Map<UUID, LedgerJob>> ofType : byType(chosen).entrySet()) {
        Set<UUID> moved = pass.fromDeadLetterQueue(ofType.getKey(), ofType.getValue());
        for (LedgerJob job : ofType.getValue().values()) {
          if (moved.contains(job.id())) {
            replayed.add(new Replayed(job.id(), job.type(), "dlq"));
          } else if (job.payload() != null) {
            fromLedger.add(job);
            replayed.add(new Replayed(job.id(), job.type(), "ledger"));
          } else {
            skipped.add(
                new Skipped(
                    job.id(),
                    "no message in "
                        + Topology.deadLetterQueue(job.type())
                        + " and no payload in the ledger to publish it from"));
          }
        }
      }
      pass.fromLedger(fromLedger);
      List<UUID> requeued = ledger.requeue(replayed.stream().map(Replayed::jobId).toList());
      if (requeued.size() != replayed.size()) {
        // The rows are locked since choose(): nothing else can have moved them.
        LOG.warnf("replay requeued %d ledger rows for %d jobs", requeued.size(), replayed.size());
      }
      pass.settle();
    } catch (IOException e) {
      throw ProblemException.unavailable(
          "broker-unavailable",
          "replay did not complete and the ledger is unchanged (a job already republished"
              + " still runs once); run it again: "
              + e.getMessage(),
          e);
    }
    return new Result(replayed, skipped);
  }

  /** Locks the jobs to replay; what was asked for and cannot be replayed goes to skipped. */
  private List<LedgerJob> choose(Selection selection, List<Skipped> skipped) {
    if (selection.jobIds() == null) {
      ledger.lockReplaysOf(selection.type());
      return ledger.lockOldestDead(selection.type(), selection.limit());
    }
    Map<UUID, String> types = ledger.typesOf(selection.jobIds());
    for (UUID id : selection.jobIds()) {
      if (!types.containsKey(id)) {
        skipped.add(new Skipped(id, "no such job"));
      }
    }
    new TreeSet<>(types.values()).forEach(ledger::lockReplaysOf);
    List<LedgerJob> dead = new ArrayList<>();
    for (LedgerJob job : ledger.lockJobs(types.keySet())) {
      if (job.status() == JobStatus.DEAD) {
        dead.add(job);
      } else {
        skipped.add(new Skipped(job.id(), "status is " + job.status().wire() + ", not dead"));
      }
    }
    return dead;
  }

  private static Map<String, Map<UUID, LedgerJob>> byType(Collection<LedgerJob> jobs) {
    Map<String, Map<UUID, LedgerJob>> byType = new TreeMap<>();
    for (LedgerJob job : jobs) {
      byType.computeIfAbsent(job.type(), t -> new LinkedHashMap<>()).put(job.id(), job);
    }
    return byType;
  }
}
