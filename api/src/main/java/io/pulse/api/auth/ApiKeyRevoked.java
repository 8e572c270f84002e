package io.pulse.api.auth;

/** Fired inside the transaction that revokes a key; {@link ApiKeyIdentities} acts on commit. */
public record ApiKeyRevoked(String keyHash) {}
