package io.pulse.api.notification;

import java.util.UUID;

public record BatchJob(UUID jobId, boolean created) {}
