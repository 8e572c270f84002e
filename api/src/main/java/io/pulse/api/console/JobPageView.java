package io.pulse.api.console;

import io.pulse.common.jobs.Job;
import io.pulse.common.jobs.JobLedger;
import java.util.List;

/**
 * One job: its ledger row, its payload pretty-printed (folded when long), where it sits now (with a
 * link to that queue in the RabbitMQ console when it is in one), its failed attempts and the
 * follow-up jobs it created ({@code moreFollowUps} when there are more than shown).
 */
public record JobPageView(
    Job job,
    String payload,
    int payloadSize,
    boolean folded,
    boolean dead,
    String where,
    String whereLink,
    List<JobLedger.Attempt> attempts,
    List<JobLedger.JobSummary> followUps,
    boolean moreFollowUps) {}
