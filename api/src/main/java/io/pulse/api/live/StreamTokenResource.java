package io.pulse.api.live;

import io.pulse.api.auth.Scope;
import io.pulse.api.auth.StreamTokens;
import io.pulse.api.openapi.ApiDocs;
import io.pulse.api.problem.ProblemException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Tag(name = ApiDocs.NOTIFICATIONS)
@Path("/api/v1/users/{id}/stream-tokens")
@Produces(MediaType.APPLICATION_JSON)
public class StreamTokenResource {
  private final StreamTokens tokens;

  public StreamTokenResource(StreamTokens tokens) {
    this.tokens = tokens;
  }

  @POST
  @RolesAllowed(Scope.JOBS_WRITE)
  @Operation(
      summary = "Mint a stream token",
      description =
          "For a browser, whose EventSource cannot send an Authorization header: the platform backend mints a token with its key and hands it over; the browser opens `GET /users/{id}/notifications/stream?token=...`. HMAC-signed, bound to this user (it opens no other user's stream) and valid for connecting until `expiresAt` (`pulse.api.stream.token-ttl`, default 5 minutes); a stream it opened stays open. No body.")
  @SecurityRequirement(name = ApiDocs.API_KEY, scopes = Scope.JOBS_WRITE)
  @APIResponse(
      responseCode = "200",
      description = "The token",
      content =
          @Content(
              mediaType = "application/json",
              schema = @Schema(implementation = StreamToken.class),
              examples =
                  @ExampleObject(
                      name = "200",
                      value =
                          "{\"token\":\"s1.42.1796036400.3q2-7w...\",\"expiresAt\":\"2026-11-30T09:05:00Z\"}")))
  @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
  @APIResponse(responseCode = "401", ref = ApiDocs.UNAUTHORIZED)
  @APIResponse(responseCode = "403", ref = ApiDocs.FORBIDDEN)
  @APIResponse(responseCode = "503", ref = ApiDocs.UNAVAILABLE)
  public StreamToken mint(@PathParam("id") long userId) {
    return tokens
        .mint(userId, Instant.now())
        .map(minted -> new StreamToken(minted.token(), minted.expiresAt()))
        .orElseThrow(
            () ->
                ProblemException.unavailable(
                    "stream-tokens-off",
                    "stream tokens are not configured (pulse.api.stream.token-secret)",
                    null));
  }
}
