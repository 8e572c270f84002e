package io.pulse.api.console;

import io.pulse.api.auth.Scope;
import io.pulse.api.limits.Caller;
import io.quarkus.security.identity.SecurityIdentity;

/** What every console page's header needs: who is signed in, what they may do, the CSRF token. */
public record Nav(String keyName, boolean admin, String csrf) {
  static Nav of(SecurityIdentity identity) {
    Caller caller = Caller.of(identity);
    return new Nav(
        caller == null ? "?" : caller.keyName(),
        identity.hasRole(Scope.ADMIN),
        identity.getAttribute(ConsoleSessionIdentityProvider.CSRF));
  }
}
