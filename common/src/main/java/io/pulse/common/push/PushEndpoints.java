package io.pulse.common.push;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which push endpoints the platform accepts (API) and sends to (workers): an absolute https URL
 * naming a host, as every browser's push service gives. IP literals and {@code localhost} are
 * refused, so a subscription cannot point the workers at the cluster's own network; plain {@code
 * http://127.0.0.1} only where configuration allows it, for a local stand-in of a push service.
 */
public final class PushEndpoints {
  public static final int MAX_LENGTH = 2048;
  private static final Pattern IPV4 = Pattern.compile("[0-9.]+");

  private PushEndpoints() {}

  /** Why {@code endpoint} is refused, or empty when it is fine. */
  public static Optional<String> problem(String endpoint, boolean allowLoopbackHttp) {
    if (endpoint == null || endpoint.isBlank()) {
      return Optional.of("required: the subscription's push service URL");
    }
    if (endpoint.length() > MAX_LENGTH) {
      return Optional.of("at most " + MAX_LENGTH + " characters");
    }
    URI uri;
    try {
      uri = new URI(endpoint);
    } catch (URISyntaxException e) {
      return Optional.of("not a URL: " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    String host = uri.getHost();
    if (!uri.isAbsolute() || uri.isOpaque() || host == null || host.isEmpty()) {
      return Optional.of("must be an absolute https URL with a host");
    }
    if (uri.getRawUserInfo() != null || uri.getRawFragment() != null) {
      return Optional.of("must not carry credentials or a fragment");
    }
    if (scheme.equals("http") && allowLoopbackHttp && host.equals("127.0.0.1")) {
      return Optional.empty();
    }
    if (!scheme.equals("https")) {
      return Optional.of("must be an https URL (a browser's push service)");
    }
    String lower = host.toLowerCase(Locale.ROOT);
    if (host.startsWith("[")
        || IPV4.matcher(host).matches()
        || lower.equals("localhost")
        || lower.endsWith(".localhost")) {
      return Optional.of("must name a push service's host, not an address or localhost");
    }
    return Optional.empty();
  }
}
