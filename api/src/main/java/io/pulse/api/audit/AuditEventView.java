package io.pulse.api.audit;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.OffsetDateTime;

/** One audit event as the listing shows it. */
public record AuditEventView(
    long id,
    OffsetDateTime occurredAt,
    String actorId,
    String actorName,
    String address,
    String action,
    String target,
    String outcome,
    JsonNode details) {}
