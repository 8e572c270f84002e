package io.pulse.api.auth;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/**
 * The operator console's session cookie, for the console's identity provider to turn into the
 * identity of the API key that signed in.
 */
public class ConsoleSessionRequest extends BaseAuthenticationRequest {
  public static final String COOKIE = "pulse_console";
  public static final String PATH = "/console";

  private final String token;

  public ConsoleSessionRequest(String token) {
    this.token = token;
  }

  public String token() {
    return token;
  }

  /** The peer's address, as the API key's own failed-key throttle counts it. */
  public String address() {
    return ApiKeyIdentityProvider.clientAddress(this);
  }

  static boolean covers(String path) {
    return path.equals(PATH) || path.startsWith(PATH + "/");
  }
}
