package io.pulse.workers.notification;

import io.pulse.common.jobs.JobEnqueuer;
import io.pulse.common.jobs.JobType;
import io.pulse.common.notification.NotificationDispatch;
import io.pulse.workers.TestSql;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.util.List;
import java.util.UUID;

/**
 * Recipients with chosen channels, a dispatch to them, and what was sent: the channel tests'
 * set-up.
 */
@ApplicationScoped
public class NotificationFixtures {
  private static long nextUser = 600_000 + (System.currentTimeMillis() % 100_000) * 10;

  private final EntityManager em;
  private final JobEnqueuer enqueuer;
  private final TestSql db;

  public NotificationFixtures(EntityManager em, JobEnqueuer enqueuer, TestSql db) {
    this.em = em;
    this.enqueuer = enqueuer;
    this.db = db;
  }

  /** A user with an email (or none) and, when a type is given, these channels for it. */
  public synchronized long user(String email, String type, String... channels) {
    long id = nextUser++;
    QuarkusTransaction.requiringNew()
        .run(
            () -> {
              em.createNativeQuery("insert into users (id, handle, email) values (?1, ?2, ?3)")
                  .setParameter(1, id)
                  .setParameter(2, "u" + id)
                  .setParameter(3, email)
                  .executeUpdate();
              if (type != null) {
                em.createNativeQuery(
                        "insert into notification_preferences (user_id, type, channels) values (?1, ?2, cast(?3 as text[]))")
                    .setParameter(1, id)
                    .setParameter(2, type)
                    .setParameter(3, "{" + String.join(",", channels) + "}")
                    .executeUpdate();
              }
            });
    return id;
  }

  /** Enqueues a "New reply" notification of {@code type} to {@code recipients}; its job id. */
  public UUID dispatch(String type, Long... recipients) {
    return enqueuer
        .enqueue(
            JobType.NOTIFICATION_DISPATCH,
            new NotificationDispatch(
                type, List.of(recipients), "New reply", "Nice post", "/posts/9", 5L),
            null,
            null)
        .jobId();
  }

  /** How many of the notification's deliveries were sent. */
  public long sent(UUID job) {
    return db.count(
        "select count(*) from deliveries where notification_job_id = '"
            + job
            + "' and status = 'sent'");
  }
}
