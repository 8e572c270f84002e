package io.pulse.api.auth;

/**
 * Fired inside the transaction that revokes a key or changes its limits; {@link ApiKeyIdentities}
 * drops the key's cached identity on commit.
 */
public record ApiKeyChanged(String keyHash) {}
