package io.pulse.api.live;

import java.time.Instant;

/** A minted stream token and until when it opens a stream. */
public record StreamToken(String token, Instant expiresAt) {}
