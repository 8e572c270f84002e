package io.pulse.api.auth;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/** A {@code ?token=} on the notification stream, for {@link StreamTokenIdentityProvider}. */
public class StreamTokenRequest extends BaseAuthenticationRequest {
  static final String PARAMETER = "token";
  private static final String STREAM_PATH = "/notifications/stream";

  private final String token;

  public StreamTokenRequest(String token) {
    this.token = token;
  }

  public String token() {
    return token;
  }

  /** Only the stream takes a token: everywhere else a query parameter is no credential. */
  static boolean covers(String path) {
    return path.startsWith("/api/v1/users/") && path.endsWith(STREAM_PATH);
  }
}
