package io.pulse.api.push;

import java.time.Instant;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A stored push subscription; its keys are not answered (the auth secret is a credential). */
public record PushSubscriptionView(
    String id,
    String endpoint,
    @Schema(nullable = true, description = "epoch milliseconds, as the browser gave it")
        Long expirationTime,
    Instant createdAt) {}
