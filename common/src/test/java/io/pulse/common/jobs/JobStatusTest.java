package io.pulse.common.jobs;

import static io.pulse.common.jobs.JobStatus.CANCELLED;
import static io.pulse.common.jobs.JobStatus.DEAD;
import static io.pulse.common.jobs.JobStatus.QUEUED;
import static io.pulse.common.jobs.JobStatus.RETRYING;
import static io.pulse.common.jobs.JobStatus.RUNNING;
import static io.pulse.common.jobs.JobStatus.SCHEDULED;
import static io.pulse.common.jobs.JobStatus.SUCCEEDED;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The transition table, walked one from-state at a time, and the SQL guards built from it. */
class JobStatusTest {
  /** Written out by hand: a change to the table must change this too. */
  private static final Map<JobStatus, Set<JobStatus>> ALLOWED =
      Map.of(
          SCHEDULED, EnumSet.of(QUEUED, CANCELLED),
          QUEUED, EnumSet.of(RUNNING, RETRYING, SUCCEEDED, DEAD),
          RUNNING, EnumSet.of(RETRYING, SUCCEEDED, DEAD),
          RETRYING, EnumSet.of(RUNNING, RETRYING, SUCCEEDED, DEAD),
          SUCCEEDED, EnumSet.noneOf(JobStatus.class),
          DEAD, EnumSet.of(QUEUED),
          CANCELLED, EnumSet.noneOf(JobStatus.class));

  @ParameterizedTest
  @EnumSource(JobStatus.class)
  void eachStateMovesExactlyWhereTheTableSays(JobStatus from) {
    for (JobStatus to : JobStatus.values()) {
      boolean allowed = ALLOWED.get(from).contains(to);
      assertEquals(allowed, from.canMoveTo(to), from + " -> " + to);
      if (allowed) {
        assertDoesNotThrow(() -> from.checkMoveTo(to));
      } else {
        var refused =
            assertThrows(
                JobStatus.IllegalJobStateChangeException.class, () -> from.checkMoveTo(to));
        assertEquals(
            "a job cannot move from " + from.wire() + " to " + to.wire(), refused.getMessage());
      }
    }
  }

  @ParameterizedTest
  @EnumSource(JobStatus.class)
  void theSqlGuardForATargetListsExactlyTheStatesThatMayReachIt(JobStatus target) {
    Set<JobStatus> from = EnumSet.noneOf(JobStatus.class);
    ALLOWED.forEach(
        (state, targets) -> {
          if (targets.contains(target)) {
            from.add(state);
          }
        });
    assertEquals(from, JobStatus.allowedFrom(target));
    String guard = JobStatus.sqlFrom("jobs.status", target);
    for (JobStatus state : JobStatus.values()) {
      assertEquals(
          from.contains(state), guard.contains("'" + state.wire() + "'"), guard + " / " + state);
    }
  }

  @Test
  void finalStatesAreTheOnesOnlyAReplayLeaves() {
    assertEquals("status in ('scheduled', 'dead')", JobStatus.sqlFrom("status", QUEUED));
    assertEquals(
        "status in ('queued', 'running', 'retrying')", JobStatus.sqlFrom("status", SUCCEEDED));
    assertEquals("status in ('scheduled')", JobStatus.sqlFrom("status", CANCELLED));
    for (JobStatus state : JobStatus.values()) {
      assertEquals(
          state == SUCCEEDED || state == DEAD || state == CANCELLED, state.isFinal(), state.name());
      assertEquals(
          state.isFinal() || state == SCHEDULED, state.skipsDelivery(), "skips: " + state.name());
    }
  }

  @ParameterizedTest
  @EnumSource(JobStatus.class)
  void aSingleMoveGuardNamesItsOneSourceAndRefusesWhatTheTableForbids(JobStatus from) {
    for (JobStatus to : JobStatus.values()) {
      if (ALLOWED.get(from).contains(to)) {
        assertEquals("s = '" + from.wire() + "'", JobStatus.sqlMove("s", from, to));
      } else {
        assertThrows(
            JobStatus.IllegalJobStateChangeException.class, () -> JobStatus.sqlMove("s", from, to));
      }
    }
  }

  @ParameterizedTest
  @EnumSource(JobStatus.class)
  void wireNamesRoundTrip(JobStatus state) {
    assertEquals(state, JobStatus.fromWire(state.wire()));
  }
}
