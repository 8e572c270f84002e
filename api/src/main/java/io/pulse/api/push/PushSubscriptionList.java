package io.pulse.api.push;

import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A user's push subscriptions, oldest first, and the VAPID public key browsers subscribe with. */
public record PushSubscriptionList(
    List<PushSubscriptionView> items,
    @Schema(
            nullable = true,
            description =
                "The VAPID public key to pass as applicationServerKey to pushManager.subscribe (base64url); null while push is not configured")
        String applicationServerKey) {}
