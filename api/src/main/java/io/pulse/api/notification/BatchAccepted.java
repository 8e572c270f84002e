package io.pulse.api.notification;

import java.util.List;

public record BatchAccepted(List<BatchJob> jobs) {}
