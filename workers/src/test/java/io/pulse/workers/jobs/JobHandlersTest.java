package io.pulse.workers.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pulse.common.jobs.JobType;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The workers run exactly one handler per registered job type (JobType.ALL), and every handler
 * outside the tests handles a registered type: a type without a handler would fill its queue with
 * nobody consuming it, and a handler without a registered type would get no job from the API.
 */
@QuarkusTest
class JobHandlersTest {
  /** Handlers under src/test use types of their own; the API never enqueues those. */
  static final String TEST_PREFIX = "test.";

  @Inject @Any Instance<JobHandler<?>> handlers;

  @Test
  void everyRegisteredTypeHasExactlyOneHandlerAndEveryHandlerARegisteredType() {
    List<String> types = handlers.stream().map(JobHandler::type).toList();

    assertEquals(List.of(), problems(JobType.ALL, types));
  }

  static List<String> problems(Collection<String> registered, List<String> handlerTypes) {
    Map<String, Long> handled =
        handlerTypes.stream()
            .collect(
                Collectors.groupingBy(Function.identity(), TreeMap::new, Collectors.counting()));
    List<String> problems = new ArrayList<>();
    for (String type : registered) {
      long count = handled.getOrDefault(type, 0L);
      if (count != 1) {
        problems.add("job type " + type + " has " + count + " handlers, not one");
      }
    }
    handled.keySet().stream()
        .filter(t -> !registered.contains(t) && !t.startsWith(TEST_PREFIX))
        .forEach(t -> problems.add("a handler handles " + t + ", which JobType does not register"));
    return problems;
  }

  // ------------------------------------------------------------ the check can fail

  @Test
  void aTypeWithoutAHandlerOrWithTwoIsCaught() {
    assertEquals(
        List.of(
            "job type feed.fanout has 0 handlers, not one",
            "job type feed.retract has 2 handlers, not one"),
        problems(
            List.of("feed.fanout", "feed.retract"),
            List.of("feed.retract", "feed.retract", "test.scripted")));
  }

  @Test
  void aHandlerOfAnUnregisteredTypeIsCaught() {
    assertEquals(
        List.of("a handler handles feed.rebuilt, which JobType does not register"),
        problems(List.of("feed.fanout"), List.of("feed.fanout", "feed.rebuilt")));
  }
}
