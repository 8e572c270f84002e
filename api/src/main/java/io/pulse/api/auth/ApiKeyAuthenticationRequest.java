package io.pulse.api.auth;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/** The API key a request presented, for {@link ApiKeyIdentityProvider} to turn into an identity. */
public class ApiKeyAuthenticationRequest extends BaseAuthenticationRequest {
  private final String key;

  public ApiKeyAuthenticationRequest(String key) {
    this.key = key;
  }

  public String key() {
    return key;
  }
}
