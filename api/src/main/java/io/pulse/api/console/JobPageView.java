package io.pulse.api.console;

import io.pulse.common.jobs.Job;

/**
 * One job: its ledger row, its payload pretty-printed (folded when long), and where it sits now
 * (with a link to that queue in the RabbitMQ console when it is in one).
 */
public record JobPageView(
    Job job,
    String payload,
    int payloadSize,
    boolean folded,
    boolean dead,
    String where,
    String whereLink) {}
