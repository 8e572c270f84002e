package io.pulse.workers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pulse.common.retention.RetentionJanitor;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/**
 * The retention janitor is a bean of the running app, so its {@code @Scheduled} pass runs on every
 * node: RetentionJanitorTest builds it by hand and cannot see whether the container makes it (it
 * did not, until its constructor was marked {@code @Inject}).
 */
@QuarkusTest
class RetentionWiringTest {
  @Inject RetentionJanitor janitor;

  @Test
  void theJanitorIsABeanThatRunsAPass() {
    assertTrue(janitor.pass(), "a pass on the test database takes the lock and finishes");
  }
}
