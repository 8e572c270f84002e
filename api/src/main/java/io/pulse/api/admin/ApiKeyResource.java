package io.pulse.api.admin;

import io.pulse.api.auth.ApiKey;
import io.pulse.api.auth.RequireScope;
import io.pulse.api.auth.Scope;
import io.pulse.api.jobs.Ids;
import io.pulse.api.problem.ProblemException;
import jakarta.transaction.Transactional;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.TreeSet;
import java.util.UUID;

/** API keys: an admin creates one (its secret is shown once) and revokes it (refused at once). */
@Path("/api/v1/admin/api-keys")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
@RequireScope(Scope.ADMIN)
public class ApiKeyResource {

  public record CreateKey(
      @NotBlank @Size(max = 100) String name,
      @NotEmpty @Size(max = 3) List<@NotNull String> scopes) {}

  /** The only time the secret is returned: only its hash is stored. */
  public record CreatedKey(UUID id, String name, List<String> scopes, String key) {}

  public record RevokedKey(UUID id, OffsetDateTime revokedAt) {}

  @POST
  @Transactional
  public Response create(@Valid @NotNull CreateKey request) {
    for (String scope : request.scopes()) {
      if (!Scope.ALL.contains(scope)) {
        throw ProblemException.badField(
            "scopes", "unknown scope '" + scope + "'; known: " + new TreeSet<>(Scope.ALL));
      }
    }
    String secret = ApiKey.newSecret();
    ApiKey key = new ApiKey();
    key.id = UUID.randomUUID();
    key.name = request.name();
    key.keyHash = ApiKey.hash(secret);
    key.scopes = new TreeSet<>(request.scopes()).toArray(String[]::new);
    key.createdAt = OffsetDateTime.now();
    key.persist();
    return Response.created(URI.create("/api/v1/admin/api-keys/" + key.id))
        // The secret must not outlive this answer in a browser's or a proxy's cache.
        .header("Cache-Control", "no-store")
        .entity(new CreatedKey(key.id, key.name, List.of(key.scopes), secret))
        .build();
  }

  @DELETE
  @Path("/{id}")
  @Transactional
  public RevokedKey revoke(@PathParam("id") String id) {
    ApiKey key = ApiKey.findById(Ids.uuid("id", id));
    if (key == null) {
      throw ProblemException.notFound("API key " + id);
    }
    if (key.revokedAt == null) {
      key.revokedAt = OffsetDateTime.now();
    }
    return new RevokedKey(key.id, key.revokedAt);
  }
}
