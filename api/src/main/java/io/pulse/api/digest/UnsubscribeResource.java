package io.pulse.api.digest;

import io.pulse.api.openapi.ApiDocs;
import io.pulse.common.digest.UnsubscribeTokens;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.annotation.security.PermitAll;
import jakarta.persistence.EntityManager;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The page a digest's unsubscribe link opens: a person, not an API client, so it answers HTML and
 * needs no key (the signed token is the credential). GET only shows a button, because mail scanners
 * fetch links; the POST (also RFC 8058 one-click from the mail client) switches the digest off.
 * Each link works once.
 */
// Both pages answer a token that does not verify the same way.
@APIResponse(
    responseCode = "400",
    description = "The token is not valid",
    content = @Content(mediaType = "text/html"))
@APIResponse(
    responseCode = "410",
    description = "The token expired, or its link was used already",
    content = @Content(mediaType = "text/html"))
@Tag(name = ApiDocs.DIGESTS)
@Path("/digests/unsubscribe")
@Produces(MediaType.TEXT_HTML)
public class UnsubscribeResource {
  /**
   * The page runs no script and loads nothing: it needs its inline style attribute (Qute escapes
   * every value put into the page, so no one can add styles of their own) and its form, which posts
   * back here. Nobody may frame it, so no other site can trick a click on the button.
   */
  static final String POLICY =
      "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
          + "frame-ancestors 'none'; base-uri 'none'";

  private final UnsubscribeTokens tokens;
  private final EntityManager em;

  public UnsubscribeResource(UnsubscribeTokens tokens, EntityManager em) {
    this.tokens = tokens;
    this.em = em;
  }

  @GET
  @PermitAll
  @Operation(
      summary = "Open a digest's unsubscribe link",
      description =
          "The page a digest's link opens (for a person, no API key: the signed token is the"
              + " credential). It only shows a button, because mail scanners fetch links; nothing"
              + " changes until the form is posted.")
  @APIResponse(
      responseCode = "200",
      description = "The confirmation page",
      content = @Content(mediaType = "text/html"))
  public Response confirm(@QueryParam("token") String token) {
    UnsubscribeTokens.Verified verified;
    try {
      verified = tokens.verify(token, Instant.now());
    } catch (UnsubscribeTokens.RefusedException e) {
      return refused(e);
    }
    if (used(verified)) {
      return alreadyUsed();
    }
    return render(Response.Status.OK, "confirm", "Unsubscribe from digests?", null, token);
  }

  @POST
  @PermitAll
  @Consumes({MediaType.APPLICATION_FORM_URLENCODED, MediaType.WILDCARD})
  @Operation(
      summary = "Unsubscribe from digests",
      description =
          "Switches the user's digest off (also RFC 8058 one-click from the mail client). Each link"
              + " works once: a second post is 410 and changes nothing.")
  @APIResponse(
      responseCode = "200",
      description = "Unsubscribed",
      content = @Content(mediaType = "text/html"))
  public Response unsubscribe(
      @QueryParam("token") String inQuery, @FormParam("token") String inForm) {
    String token = inForm != null ? inForm : inQuery;
    UnsubscribeTokens.Verified verified;
    try {
      verified = tokens.verify(token, Instant.now());
    } catch (UnsubscribeTokens.RefusedException e) {
      return refused(e);
    }
    boolean first =
        QuarkusTransaction.requiringNew()
            .call(
                () -> {
                  int claimed =
                      em.createNativeQuery(
                              """
                              insert into digest_unsubscribes (token_hash, user_id) values (?1, ?2)
                              on conflict do nothing
                              """)
                          .setParameter(1, verified.fingerprint())
                          .setParameter(2, verified.userId())
                          .executeUpdate();
                  if (claimed == 1) {
                    em.createNativeQuery("update users set digest = 'off' where id = ?1")
                        .setParameter(1, verified.userId())
                        .executeUpdate();
                  }
                  return claimed == 1;
                });
    if (!first) {
      return alreadyUsed();
    }
    return render(
        Response.Status.OK,
        "done",
        "You are unsubscribed",
        "You will get no more digest emails. You can turn them back on in the app's settings.",
        null);
  }

  private boolean used(UnsubscribeTokens.Verified token) {
    return !em.createNativeQuery("select 1 from digest_unsubscribes where token_hash = ?1")
        .setParameter(1, token.fingerprint())
        .getResultList()
        .isEmpty();
  }

  private Response alreadyUsed() {
    return render(
        Response.Status.GONE,
        "refused",
        "This link was already used",
        "Your digest was switched off when this link was first used. Each link works once.",
        null);
  }

  private Response refused(UnsubscribeTokens.RefusedException e) {
    boolean expired = e.refusal() == UnsubscribeTokens.Refusal.EXPIRED;
    return render(
        expired ? Response.Status.GONE : Response.Status.BAD_REQUEST,
        "refused",
        expired ? "This link has expired" : "This link is not valid",
        e.getMessage()
            + ". Use the link in your latest digest, or turn digests off in the app's settings.",
        null);
  }

  private Response render(
      Response.Status status, String state, String title, String message, String token) {
    String html = UnsubscribePages.unsubscribe(state, title, message, token).render();
    return Response.status(status)
        .type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"))
        .header("Cache-Control", "no-store")
        .header("Referrer-Policy", "no-referrer")
        .header("Content-Security-Policy", POLICY)
        .header("X-Content-Type-Options", "nosniff")
        .entity(html)
        .build();
  }
}
