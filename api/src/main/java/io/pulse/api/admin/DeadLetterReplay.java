package io.pulse.api.admin;

import io.pulse.api.problem.ProblemException;
import io.pulse.common.jobs.JobLedger;
import io.pulse.common.jobs.JobLedger.LedgerJob;
import io.pulse.common.jobs.JobStatus;
import io.pulse.common.messaging.ConfirmingPublisher;
import io.pulse.common.messaging.JobMessage;
import io.pulse.common.messaging.PublishFailedException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Replays dead jobs from the ledger, which holds each job's payload: in one database transaction it
 * locks the chosen rows that are still {@code dead}, publishes each job again from its row (same
 * id, body, idempotency key and trace, attempt 1) with publisher confirms, moves the rows back to
 * {@code queued}, and commits. The dead-letter queues are not read at all, so a replay costs what
 * the chosen jobs cost, whatever the depth of their DLQ; the copies left there are dropped by the
 * workers' {@code DeadLetterReconciler} once it sees their rows are no longer dead.
 *
 * <p>A job that is no longer dead is skipped, so replaying it twice, or from two nodes at once (the
 * second waits for the first's row locks), runs it once. A broker failure half-way rolls the ledger
 * back; a copy already published finds its row still dead and is dropped by the worker, so running
 * the same replay again is safe.
 */
@ApplicationScoped
public class DeadLetterReplay {
  private static final Logger LOG = Logger.getLogger(DeadLetterReplay.class);

  /** Which dead jobs to replay: these ids, or the oldest {@code limit} of one type. */
  public record Selection(List<UUID> jobIds, String type, int limit) {}

  /**
   * {@code source}: where the message came from, always {@code ledger} (the job's row); kept in the
   * answer for clients written when a replay could also move the dead letter itself ({@code dlq}).
   */
  public record Replayed(UUID jobId, String type, String source) {}

  public record Skipped(UUID jobId, String reason) {}

  public record Result(List<Replayed> replayed, List<Skipped> skipped) {}

  static final String FROM_LEDGER = "ledger";

  private final JobLedger ledger;
  private final ConfirmingPublisher publisher;
  private final AdminConfig config;

  public DeadLetterReplay(JobLedger ledger, ConfirmingPublisher publisher, AdminConfig config) {
    this.ledger = ledger;
    this.publisher = publisher;
    this.config = config;
  }

  public Result replay(Selection selection) {
    Result result =
        QuarkusTransaction.requiringNew()
            .timeout((int) config.replay().timeout().toSeconds())
            .call(() -> inTransaction(selection));
    if (!result.replayed().isEmpty()) {
      LOG.infof(
          "replayed %d dead job(s) from the ledger: %s",
          result.replayed().size(),
          result.replayed().stream()
              .map(r -> r.type() + " " + r.jobId())
              .collect(Collectors.joining(", ")));
    }
    return result;
  }

  private Result inTransaction(Selection selection) {
    List<Skipped> skipped = new ArrayList<>();
    List<LedgerJob> chosen = choose(selection, skipped);
    List<JobMessage> messages = new ArrayList<>();
    for (LedgerJob job : chosen) {
      if (job.payload() != null) {
        messages.add(job.message());
      } else {
        skipped.add(
            new Skipped(
                job.id(),
                "no payload in the ledger to publish it from (the workers copy it from the job's"
                    + " dead letter when there is one; try again in a minute)"));
      }
    }
    if (messages.isEmpty()) {
      return new Result(List.of(), skipped);
    }
    List<PublishFailedException> failures = publisher.publishJobs(messages);
    for (PublishFailedException failure : failures) {
      if (failure != null) {
        throw ProblemException.unavailable(
            "broker-unavailable",
            "replay did not complete and the ledger is unchanged (a copy already published finds"
                + " its job still dead and is dropped); run it again: "
                + failure.getMessage(),
            failure);
      }
    }
    List<UUID> requeued = ledger.requeue(messages.stream().map(JobMessage::jobId).toList());
    if (requeued.size() != messages.size()) {
      // The rows are locked since choose(): nothing else can have moved them.
      LOG.warnf("replay requeued %d ledger rows for %d jobs", requeued.size(), messages.size());
    }
    List<Replayed> replayed =
        messages.stream().map(m -> new Replayed(m.jobId(), m.type(), FROM_LEDGER)).toList();
    return new Result(replayed, skipped);
  }

  /** Locks the jobs to replay; what was asked for and cannot be replayed goes to skipped. */
  private List<LedgerJob> choose(Selection selection, List<Skipped> skipped) {
    if (selection.jobIds() == null) {
      return ledger.lockOldestDead(selection.type(), selection.limit());
    }
    Map<UUID, String> types = ledger.typesOf(selection.jobIds());
    for (UUID id : selection.jobIds()) {
      if (!types.containsKey(id)) {
        skipped.add(new Skipped(id, "no such job"));
      }
    }
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
}
