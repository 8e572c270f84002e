package io.pulse.common.jobs;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.jboss.logging.Logger;

/**
 * Records broker confirms in the ledger ({@code published_at}) in batches: one UPDATE and one
 * commit for everything confirmed in the last second, instead of a commit per job on the request
 * path. A mark lost in a crash only means the sweeper publishes that job once more after its grace
 * period, and the workers skip a job that already succeeded.
 *
 * <p>Only rows still {@code queued} need the mark (the sweeper looks at no other): a job a worker
 * has already run, or is running (its row locked), is skipped rather than waited for. Waiting would
 * hold the locks of every row marked so far against the workers, and by then most jobs of a burst
 * are done, so the UPDATE would rewrite rows for nothing.
 */
@ApplicationScoped
public class PublishedMarks {
  private static final Logger LOG = Logger.getLogger(PublishedMarks.class);
  private static final int MAX_BATCH = 5_000;

  private final EntityManager em;
  private final ConcurrentLinkedQueue<UUID> confirmed = new ConcurrentLinkedQueue<>();

  public PublishedMarks(EntityManager em) {
    this.em = em;
  }

  public void add(UUID jobId) {
    confirmed.add(jobId);
  }

  public void addAll(List<UUID> jobIds) {
    confirmed.addAll(jobIds);
  }

  @Scheduled(
      every = "${pulse.ledger.mark-published-every:1s}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void flush() {
    while (!confirmed.isEmpty()) {
      List<UUID> batch = new ArrayList<>();
      UUID id;
      while (batch.size() < MAX_BATCH && (id = confirmed.poll()) != null) {
        batch.add(id);
      }
      try {
        QuarkusTransaction.requiringNew()
            .run(
                () ->
                    em.createNativeQuery(
                            """
                            update jobs set published_at = now() where id in (
                                select id from jobs
                                where id = any(?1) and status = 'queued' and published_at is null
                                for update skip locked)
                            """)
                        .setParameter(1, batch.toArray(UUID[]::new))
                        .executeUpdate());
      } catch (RuntimeException e) {
        // The sweeper covers these rows; a broker-confirmed job is never lost, only re-sent.
        LOG.warnf("could not record %d publisher confirms: %s", batch.size(), e.getMessage());
        return;
      }
    }
  }

  void onStop(@Observes ShutdownEvent event) {
    flush();
  }
}
