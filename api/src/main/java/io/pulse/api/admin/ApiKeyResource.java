package io.pulse.api.admin;

import io.pulse.api.auth.ApiKeys;
import io.pulse.api.auth.Scope;
import io.pulse.api.openapi.ApiDocs;
import io.pulse.api.problem.ProblemException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** API keys: an admin creates one (its secret is shown once) and revokes it (refused at once). */
@Tag(name = ApiDocs.ADMIN)
@Path("/api/v1/admin/api-keys")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class ApiKeyResource {

  private final ApiKeys keys;

  public ApiKeyResource(ApiKeys keys) {
    this.keys = keys;
  }

  @POST
  @RolesAllowed(Scope.ADMIN)
  @Operation(
      summary = "Create an API key",
      description =
          "Answers `201` with the key's secret, shown this once (`Cache-Control: no-store`); only its hash is stored. Scopes: `jobs:write`, `read`, `admin` (includes the others).")
  @SecurityRequirement(name = ApiDocs.API_KEY, scopes = Scope.ADMIN)
  @RequestBody(
      content =
          @Content(
              mediaType = "application/json",
              examples =
                  @ExampleObject(
                      name = "request",
                      value =
                          "{\"name\":\"campus-backend\",\"scopes\":[\"jobs:write\",\"read\"]}")))
  @APIResponse(
      responseCode = "201",
      description = "Created; the secret is in `key`",
      content =
          @Content(
              mediaType = "application/json",
              schema = @Schema(implementation = CreatedKey.class),
              examples =
                  @ExampleObject(
                      name = "201",
                      value =
                          "{\"id\":\"5a1d6f0e-2b7c-4e7a-9c3d-1f2e3a4b5c6d\",\"name\":\"campus-backend\",\"scopes\":[\"jobs:write\",\"read\"],\"key\":\"pk_3q2Vb8...\"}")))
  @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
  @APIResponse(responseCode = "401", ref = ApiDocs.UNAUTHORIZED)
  @APIResponse(responseCode = "403", ref = ApiDocs.FORBIDDEN)
  @APIResponse(responseCode = "413", ref = ApiDocs.TOO_LARGE)
  @APIResponse(responseCode = "415", ref = ApiDocs.NOT_JSON)
  public Response create(@Valid @NotNull CreateKey request) {
    ApiKeys.Issued issued = keys.create(request.name(), request.scopes());
    return Response.created(URI.create("/api/v1/admin/api-keys/" + issued.key().id))
        // The secret must not outlive this answer in a browser's or a proxy's cache.
        .header("Cache-Control", "no-store")
        .entity(
            new CreatedKey(
                issued.key().id, issued.key().name, List.of(issued.key().scopes), issued.secret()))
        .build();
  }

  @DELETE
  @Path("/{id}")
  @RolesAllowed(Scope.ADMIN)
  @Operation(
      summary = "Revoke an API key",
      description =
          "The key is refused at once by this instance and by the others within `pulse.api.key-cache-ttl` (10 s).")
  @SecurityRequirement(name = ApiDocs.API_KEY, scopes = Scope.ADMIN)
  @APIResponse(
      responseCode = "200",
      description = "Revoked",
      content =
          @Content(
              mediaType = "application/json",
              schema = @Schema(implementation = RevokedKey.class),
              examples =
                  @ExampleObject(
                      name = "200",
                      value =
                          "{\"id\":\"5a1d6f0e-2b7c-4e7a-9c3d-1f2e3a4b5c6d\",\"revokedAt\":\"2026-11-30T09:00:00Z\"}")))
  @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
  @APIResponse(responseCode = "401", ref = ApiDocs.UNAUTHORIZED)
  @APIResponse(responseCode = "403", ref = ApiDocs.FORBIDDEN)
  @APIResponse(responseCode = "404", ref = ApiDocs.NOT_FOUND)
  public RevokedKey revoke(@PathParam("id") UUID id) {
    return keys.revoke(id)
        .map(key -> new RevokedKey(key.id, key.revokedAt))
        .orElseThrow(() -> ProblemException.notFound("API key " + id));
  }
}
