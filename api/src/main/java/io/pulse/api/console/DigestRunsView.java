package io.pulse.api.console;

import java.util.List;

/** The digest runs of the last days; {@code failed} per "period periodStart" from the ledger. */
public record DigestRunsView(List<Row> runs, int days) {
  /**
   * One period over all users: planned from {@code digest_runs}, sent and empty from {@code
   * digests}, failed from dead jobs.
   */
  public record Row(UserActivity.DigestRun run, long failed, String jobsHref) {
    /** Planned jobs neither built nor dead yet: queued, running or retrying ("?" if unknown). */
    public String unfinished() {
      if (run.planned() == null) {
        return "?";
      }
      return Long.toString(Math.max(0, run.planned() - run.sent() - run.empty() - failed));
    }

    public String planned() {
      return run.planned() == null ? "?" : run.planned().toString();
    }
  }
}
