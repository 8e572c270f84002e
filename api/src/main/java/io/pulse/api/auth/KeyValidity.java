package io.pulse.api.auth;

import java.time.Instant;
import java.time.OffsetDateTime;

/**
 * Until when a presented secret works, and why it stops: the key's expiry, or for a rotated-out
 * secret the end of its grace period, whichever is first. Kept with the cached identity and checked
 * on every request, so both edges are exact rather than late by the cache's TTL.
 */
record KeyValidity(Instant until, String reason) {
  static final String ATTRIBUTE = "pulse.key-validity";

  /** The validity of {@code key} presented with the secret of {@code presentedHash}, or null. */
  static KeyValidity of(ApiKey key, String presentedHash) {
    KeyValidity validity =
        key.expiresAt == null ? null : new KeyValidity(key.expiresAt.toInstant(), "expired at");
    if (!presentedHash.equals(key.keyHash) && key.previousKeyValidUntil != null) {
      Instant graceEnd = key.previousKeyValidUntil.toInstant();
      if (validity == null || graceEnd.isBefore(validity.until())) {
        validity = new KeyValidity(graceEnd, "was rotated; this secret's grace period ended at");
      }
    }
    return validity;
  }

  boolean over(Instant now) {
    return !now.isBefore(until);
  }

  String refusal() {
    return "API key " + reason + " " + OffsetDateTime.ofInstant(until, java.time.ZoneOffset.UTC);
  }
}
