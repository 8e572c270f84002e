package io.pulse.api.admin;

import io.pulse.api.auth.ApiKeys;
import io.pulse.api.auth.Scope;
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

/** API keys: an admin creates one (its secret is shown once) and revokes it (refused at once). */
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
  public RevokedKey revoke(@PathParam("id") UUID id) {
    return keys.revoke(id)
        .map(key -> new RevokedKey(key.id, key.revokedAt))
        .orElseThrow(() -> ProblemException.notFound("API key " + id));
  }
}
