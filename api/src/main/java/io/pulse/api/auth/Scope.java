package io.pulse.api.auth;

import java.util.Collection;
import java.util.Set;

/**
 * What an API key may do; each scope is a role of the caller's identity, checked by
 * {@code @RolesAllowed}. {@code admin} includes the others.
 */
public final class Scope {
  public static final String JOBS_WRITE = "jobs:write";
  public static final String READ = "read";
  public static final String ADMIN = "admin";
  public static final Set<String> ALL = Set.of(JOBS_WRITE, READ, ADMIN);

  private Scope() {}

  /**
   * The roles a key with these scopes holds: an admin key holds every scope, so an endpoint names
   * only the one scope it needs.
   */
  public static Set<String> rolesOf(Collection<String> scopes) {
    return scopes.contains(ADMIN) ? ALL : Set.copyOf(scopes);
  }
}
