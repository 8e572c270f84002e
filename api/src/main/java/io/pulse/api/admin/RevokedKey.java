package io.pulse.api.admin;

import java.time.OffsetDateTime;
import java.util.UUID;

public record RevokedKey(UUID id, OffsetDateTime revokedAt) {}
