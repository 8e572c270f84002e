package io.pulse.api.admin;

import java.util.List;

public record QueueOverview(List<WorkQueue> queues, List<RetryTier> retryTiers) {}
