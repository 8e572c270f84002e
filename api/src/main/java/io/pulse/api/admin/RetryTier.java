package io.pulse.api.admin;

/** Retry tiers are shared by all job types, so their depth is per tier, not per type. */
public record RetryTier(String queue, String delay, Long messages) {}
