package io.pulse.api.console;

import io.pulse.common.jobs.JobLedger.JobSummary;
import java.util.List;

/** The jobs page: the search as typed, what was wrong with it, one page of matches. */
public record JobsView(
    String id,
    String key,
    String type,
    String status,
    String from,
    String to,
    String parent,
    List<String> errors,
    List<JobSummary> rows,
    String nextHref,
    int pageSize,
    List<String> types,
    List<String> statuses) {}
