package io.pulse.api.unsubscribe;

import io.pulse.api.openapi.ApiDocs;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Where every unsubscribe link of a mail points (a digest's, and a notification email's): the
 * signed token says what it switches off (see {@link UnsubscribeAnswers}).
 */
@APIResponse(
    responseCode = "400",
    description = "The token is not valid, or the form asks what the link cannot do",
    content = @Content(mediaType = "text/html"))
@APIResponse(
    responseCode = "409",
    description = "The link is about a critical notification type, which cannot be switched off",
    content = @Content(mediaType = "text/html"))
@APIResponse(
    responseCode = "410",
    description = "The token expired, or its link was used already",
    content = @Content(mediaType = "text/html"))
@Tag(name = ApiDocs.NOTIFICATIONS)
@Path("/unsubscribe")
@Produces(MediaType.TEXT_HTML)
public class UnsubscribeResource {
  private final UnsubscribeAnswers answers;

  public UnsubscribeResource(UnsubscribeAnswers answers) {
    this.answers = answers;
  }

  @GET
  @PermitAll
  @Operation(
      summary = "Open an unsubscribe link",
      description =
          "The page a mail's unsubscribe link opens, in the user's language (for a person, no API"
              + " key: the signed token is the credential). It only shows the choice, because mail"
              + " scanners fetch links; nothing changes until a form is posted. A notification"
              + " email's page also offers to switch off all non-critical email.")
  @APIResponse(
      responseCode = "200",
      description = "The confirmation page",
      content = @Content(mediaType = "text/html"))
  public Response confirm(@QueryParam("token") String token, @Context HttpHeaders headers) {
    return answers.confirm(token, headers);
  }

  @POST
  @PermitAll
  @Consumes({MediaType.APPLICATION_FORM_URLENCODED, MediaType.WILDCARD})
  @Operation(
      summary = "Unsubscribe from what a mail's link names",
      description =
          "Switches off what the link is about: the digest, or email for one notification type"
              + " (its channels less email, a preference the user can see and change back);"
              + " with what=all-email, email for every non-critical type. Also RFC 8058 one-click"
              + " from the mail client (body List-Unsubscribe=One-Click, no cookie, no CSRF token)."
              + " Each use works once: a second post is 410 and changes nothing.")
  @APIResponse(
      responseCode = "200",
      description = "Unsubscribed",
      content = @Content(mediaType = "text/html"))
  public Response unsubscribe(
      @QueryParam("token") String inQuery,
      @FormParam("token") String inForm,
      @FormParam("what") String what,
      @Context HttpHeaders headers) {
    return answers.unsubscribe(inForm != null ? inForm : inQuery, what, headers);
  }
}
