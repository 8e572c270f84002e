package io.pulse.api.notification;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;
import java.util.List;

/** Either the ids to mark read, or {@code "all": true}. */
public record ReadRequest(@Size(max = 1_000) List<@NotNull @Positive Long> ids, Boolean all) {}
