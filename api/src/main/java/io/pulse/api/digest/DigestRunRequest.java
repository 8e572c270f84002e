package io.pulse.api.digest;

import jakarta.validation.constraints.NotNull;

public record DigestRunRequest(@NotNull String period) {}
