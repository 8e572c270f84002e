package io.pulse.api.admin;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.PositiveOrZero;

/** How long the current secret keeps working after the rotation; the configured default if null. */
public record RotateKey(@PositiveOrZero @Max(30L * 24 * 3600) Long graceSeconds) {}
