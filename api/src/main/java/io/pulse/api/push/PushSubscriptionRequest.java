package io.pulse.api.push;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Body of {@code POST /users/{id}/push-subscriptions}: a browser's {@code PushSubscription} as its
 * {@code toJSON()} gives it, unchanged.
 */
public record PushSubscriptionRequest(
    @Schema(description = "The push service URL of this subscription (https)") String endpoint,
    @Schema(
            description =
                "When the subscription expires, epoch milliseconds (the browser's expirationTime); null: no expiry",
            nullable = true)
        Long expirationTime,
    PushSubscriptionKeys keys) {

  /** The subscription's keys, base64url as browsers give them. */
  public record PushSubscriptionKeys(
      @Schema(description = "The browser's P-256 public key: 65-byte uncompressed point, base64url")
          String p256dh,
      @Schema(description = "The authentication secret: 16 bytes, base64url") String auth) {}
}
