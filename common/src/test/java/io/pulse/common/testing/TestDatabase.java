package io.pulse.common.testing;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The test database for tests that run without Quarkus: the one the apps' tests use (or the one a
 * build moved its tests to with {@code _TEST_QUARKUS_DATASOURCE_JDBC_URL}), emptied and migrated
 * once per run by the same Flyway migrations the apps run at start.
 */
public final class TestDatabase {
  private static DataSource dataSource;

  private TestDatabase() {}

  public static synchronized DataSource migrated() {
    if (dataSource == null) {
      PGSimpleDataSource ds = new PGSimpleDataSource();
      String url = System.getenv("_TEST_QUARKUS_DATASOURCE_JDBC_URL");
      ds.setUrl(url != null ? url : "jdbc:postgresql://127.0.0.1:5432/pulse_test");
      ds.setUser("pulse");
      ds.setPassword("pulse");
      Flyway flyway =
          Flyway.configure()
              .dataSource(ds)
              .locations("classpath:db/migration")
              .cleanDisabled(false)
              .load();
      flyway.clean();
      flyway.migrate();
      dataSource = ds;
    }
    return dataSource;
  }
}
