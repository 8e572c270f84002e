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
 * Where digests mailed before {@code /unsubscribe} existed point; it answers exactly as {@link
 * UnsubscribeResource} does. It can go once {@code pulse.digests.unsubscribe-ttl} has passed since
 * the release that moved the links.
 */
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
public class DigestUnsubscribeResource {
  private final UnsubscribeAnswers answers;

  public DigestUnsubscribeResource(UnsubscribeAnswers answers) {
    this.answers = answers;
  }

  @GET
  @PermitAll
  @Operation(
      summary = "Open a digest's unsubscribe link (links mailed before /unsubscribe)",
      description =
          "Answers as GET /unsubscribe does: the page of a digest's link, changing nothing.")
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
      summary = "Unsubscribe from digests (links mailed before /unsubscribe)",
      description =
          "Answers as POST /unsubscribe does (RFC 8058 one-click included): the digest is switched"
              + " off, each link once.")
  @APIResponse(
      responseCode = "200",
      description = "Unsubscribed",
      content = @Content(mediaType = "text/html"))
  public Response unsubscribe(
      @QueryParam("token") String inQuery,
      @FormParam("token") String inForm,
      @Context HttpHeaders headers) {
    return answers.unsubscribe(inForm != null ? inForm : inQuery, null, headers);
  }
}
