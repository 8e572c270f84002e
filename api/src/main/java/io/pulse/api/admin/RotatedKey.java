package io.pulse.api.admin;

import java.time.OffsetDateTime;
import java.util.UUID;

/** The new secret, shown once, and until when the previous one still works. */
public record RotatedKey(UUID id, String key, OffsetDateTime previousKeyValidUntil) {}
