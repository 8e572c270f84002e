package io.pulse.workers;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.util.List;
import java.util.UUID;

/** Plain SQL for tests, each call in its own transaction so it sees what the workers committed. */
@ApplicationScoped
public class TestSql {
  private final EntityManager em;

  public TestSql(EntityManager em) {
    this.em = em;
  }

  public long count(String sql) {
    return QuarkusTransaction.requiringNew()
        .call(() -> ((Number) em.createNativeQuery(sql).getSingleResult()).longValue());
  }

  /** The first column of the first row as text, or null. */
  public String one(String sql) {
    return QuarkusTransaction.requiringNew()
        .call(
            () -> {
              List<?> rows = em.createNativeQuery(sql).getResultList();
              return rows.isEmpty() || rows.get(0) == null ? null : rows.get(0).toString();
            });
  }

  public void exec(String sql) {
    QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(sql).executeUpdate());
  }

  public String jobColumn(UUID job, String column) {
    return one("select " + column + " from jobs where id = '" + job + "'");
  }

  public String jobStatus(UUID job) {
    return jobColumn(job, "status");
  }
}
