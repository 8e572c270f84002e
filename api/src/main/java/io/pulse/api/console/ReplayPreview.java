package io.pulse.api.console;

import io.pulse.api.admin.DeadLetter;
import java.util.List;

/** A replay's dry run, and what the confirming form posts: one job, or a type and a limit. */
public record ReplayPreview(
    String jobId, String type, Integer limit, int count, boolean more, List<DeadLetter> sample) {}
