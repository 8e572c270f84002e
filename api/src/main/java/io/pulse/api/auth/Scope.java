package io.pulse.api.auth;

import java.util.Set;

/** What an API key may do. {@code admin} includes the others. */
public final class Scope {
  public static final String JOBS_WRITE = "jobs:write";
  public static final String READ = "read";
  public static final String ADMIN = "admin";
  public static final Set<String> ALL = Set.of(JOBS_WRITE, READ, ADMIN);

  private Scope() {}
}
