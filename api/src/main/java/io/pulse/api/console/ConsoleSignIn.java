package io.pulse.api.console;

import io.pulse.api.audit.AuditTrail;
import io.pulse.api.auth.ApiKey;
import io.pulse.api.auth.ApiKeyAuthenticationRequest;
import io.pulse.api.auth.ConsoleSessionRequest;
import io.pulse.api.auth.Scope;
import io.pulse.api.limits.Caller;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.vertx.ext.web.RoutingContext;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * Signing in with an API key (a {@code read} or {@code admin} one) and out. The key is checked as
 * an API request's would be, failed-key throttle included; the session cookie is HttpOnly,
 * SameSite=Strict, Secure over https and scoped to {@code /console}. The sign-in form itself
 * carries a token that must match a cookie set with the form (double submit), so another site
 * cannot sign a browser in with its own key.
 */
@Path("/console")
@Produces(MediaType.TEXT_HTML)
public class ConsoleSignIn {
  static final String SIGN_IN_COOKIE = "pulse_console_sign_in";

  private final IdentityProviderManager identities;
  private final ConsoleSessions sessions;
  private final AuditTrail audit;

  public ConsoleSignIn(
      IdentityProviderManager identities, ConsoleSessions sessions, AuditTrail audit) {
    this.identities = identities;
    this.sessions = sessions;
    this.audit = audit;
  }

  @GET
  @Path("/sign-in")
  @PermitAll
  public Response form(UriInfo uri) {
    return form(uri, null, Response.Status.OK);
  }

  @POST
  @Path("/sign-in")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  @PermitAll
  public Response signIn(
      @FormParam("key") String key,
      @FormParam("csrf") String csrf,
      @CookieParam(SIGN_IN_COOKIE) String expected,
      UriInfo uri,
      RoutingContext context) {
    if (!ConsoleCsrf.matches(expected, csrf)) {
      return form(uri, "The form expired; please sign in again.", Response.Status.FORBIDDEN);
    }
    if (key == null || key.isBlank()) {
      return form(uri, "Enter an API key.", Response.Status.BAD_REQUEST);
    }
    SecurityIdentity identity;
    try {
      identity =
          identities
              .authenticate(
                  HttpSecurityUtils.setRoutingContextAttribute(
                      new ApiKeyAuthenticationRequest(key.trim()), context))
              .await()
              .atMost(Duration.ofSeconds(10));
    } catch (AuthenticationFailedException e) {
      return form(
          uri, "That key is not accepted: " + e.getMessage() + ".", Response.Status.UNAUTHORIZED);
    }
    Caller caller = Caller.of(identity);
    if (!identity.hasRole(Scope.READ)) {
      record(caller, context, "refused: no read scope");
      return form(
          uri,
          "That key cannot view the console: it needs the read or admin scope.",
          Response.Status.FORBIDDEN);
    }
    ConsoleSessions.Opened session = sessions.open(ApiKey.hash(key.trim()));
    record(caller, context, AuditTrail.SUCCEEDED);
    return Response.seeOther(URI.create(ConsoleSessionRequest.PATH))
        .cookie(
            cookie(uri, ConsoleSessionRequest.COOKIE, session.token(), session.expiresAt()),
            expired(uri, SIGN_IN_COOKIE))
        .build();
  }

  @POST
  @Path("/sign-out")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  @PermitAll
  public Response signOut(
      @FormParam("csrf") String csrf,
      @CookieParam(ConsoleSessionRequest.COOKIE) String token,
      UriInfo uri) {
    if (token != null) {
      // Only the session's own form may end it, so another site cannot sign an operator out.
      ConsoleSessions.Session session = sessions.find(token).orElse(null);
      if (session != null && !ConsoleCsrf.matches(session.csrfToken(), csrf)) {
        throw ConsoleCsrf.refused();
      }
      sessions.close(token);
    }
    return Response.seeOther(URI.create(ConsoleSessionRequest.PATH + "/sign-in"))
        .cookie(expired(uri, ConsoleSessionRequest.COOKIE))
        .build();
  }

  private Response form(UriInfo uri, String error, Response.Status status) {
    String token = ConsoleSessions.randomToken();
    TemplateInstance page = ConsolePages.signIn(token, error);
    return Response.status(status)
        .entity(page.render())
        .type(MediaType.TEXT_HTML_TYPE)
        .cookie(cookie(uri, SIGN_IN_COOKIE, token, Instant.now().plus(Duration.ofHours(1))))
        .build();
  }

  private void record(Caller caller, RoutingContext context, String outcome) {
    audit.record(
        new AuditTrail.Event(
            caller == null ? "unknown" : caller.keyId(),
            caller == null ? null : caller.keyName(),
            context.request().remoteAddress() == null
                ? null
                : context.request().remoteAddress().hostAddress(),
            "console.signed-in",
            null,
            outcome,
            Map.of()));
  }

  private static NewCookie cookie(UriInfo uri, String name, String value, Instant expires) {
    return new NewCookie.Builder(name)
        .value(value)
        .path(ConsoleSessionRequest.PATH)
        .httpOnly(true)
        .secure("https".equals(uri.getBaseUri().getScheme()))
        .sameSite(NewCookie.SameSite.STRICT)
        .maxAge((int) Math.max(0, Duration.between(Instant.now(), expires).toSeconds()))
        .build();
  }

  private static NewCookie expired(UriInfo uri, String name) {
    return cookie(uri, name, "", Instant.now());
  }
}
