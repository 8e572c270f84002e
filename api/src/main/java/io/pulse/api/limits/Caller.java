package io.pulse.api.limits;

import io.quarkus.security.identity.SecurityIdentity;

/**
 * Who is calling, as the audit trail and the limiter need it: the key's id and name (never its
 * secret) and its limits. Carried as an attribute of the request's {@link SecurityIdentity}.
 */
public record Caller(String keyId, String keyName, KeyLimits limits) {
  public static final String ATTRIBUTE = "pulse.caller";

  /** The caller of an authenticated identity, or null for an anonymous one. */
  public static Caller of(SecurityIdentity identity) {
    return identity == null || identity.isAnonymous() ? null : identity.getAttribute(ATTRIBUTE);
  }
}
