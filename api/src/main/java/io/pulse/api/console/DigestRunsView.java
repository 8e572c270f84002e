package io.pulse.api.console;

import java.util.List;

/** The digest runs of the last days; {@code failed} per "period periodStart" from the ledger. */
public record DigestRunsView(List<Row> runs, int days) {
  /** One period over all users: sent and empty from {@code digests}, failed from dead jobs. */
  public record Row(UserActivity.DigestRun run, long failed, String jobsHref) {}
}
