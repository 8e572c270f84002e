package io.pulse.api.admin;

import io.pulse.api.audit.AuditTrail;
import io.pulse.api.auth.ApiConfig;
import io.pulse.api.auth.ApiKeys;
import io.pulse.api.auth.Scope;
import io.pulse.api.limits.LimitsConfig;
import io.pulse.api.openapi.ApiDocs;
import io.pulse.api.problem.ProblemException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Tag(name = ApiDocs.ADMIN)
@Path("/api/v1/admin/api-keys")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class ApiKeyResource {
  private static final String KEY_EXAMPLE =
      "{\"id\":\"5a1d6f0e-2b7c-4e7a-9c3d-1f2e3a4b5c6d\",\"name\":\"campus-backend\",\"scopes\":[\"jobs:write\",\"read\"],\"limits\":{\"requestsPerSecond\":50,\"burst\":100,\"dailyJobQuota\":null}";

  private final ApiKeys keys;
  private final LimitsConfig defaults;
  private final AuditTrail audit;
  private final ApiConfig api;

  public ApiKeyResource(ApiKeys keys, LimitsConfig defaults, AuditTrail audit, ApiConfig api) {
    this.api = api;
    this.keys = keys;
    this.defaults = defaults;
    this.audit = audit;
  }

  @POST
  @RolesAllowed(Scope.ADMIN)
  @Operation(
      summary = "Create an API key",
      description =
          "Answers `201` with the key's secret, shown this once (`Cache-Control: no-store`); only its hash is stored. Scopes: `jobs:write`, `read`, `admin` (includes the others). Optional per-key limits (`requestsPerSecond`, `burst`, `dailyJobQuota`; the configured defaults where left out) and an expiry (`expiresAt`, in the future). Recorded in the audit trail.")
  @SecurityRequirement(name = ApiDocs.API_KEY, scopes = Scope.ADMIN)
  @RequestBody(
      content =
          @Content(
              mediaType = "application/json",
              examples =
                  @ExampleObject(
                      name = "request",
                      value =
                          "{\"name\":\"campus-backend\",\"scopes\":[\"jobs:write\",\"read\"],\"requestsPerSecond\":50}")))
  @APIResponse(
      responseCode = "201",
      description = "Created; the secret is in `key`",
      content =
          @Content(
              mediaType = "application/json",
              schema = @Schema(implementation = CreatedKey.class),
              examples =
                  @ExampleObject(name = "201", value = KEY_EXAMPLE + ",\"key\":\"pk_3q2Vb8...\"}")))
  @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
  @APIResponse(responseCode = "401", ref = ApiDocs.UNAUTHORIZED)
  @APIResponse(responseCode = "403", ref = ApiDocs.FORBIDDEN)
  @APIResponse(responseCode = "413", ref = ApiDocs.TOO_LARGE)
  @APIResponse(responseCode = "415", ref = ApiDocs.NOT_JSON)
  public Response create(@Valid @NotNull CreateKey request) {
    ApiKeys.Issued issued =
        audit.around(
            "api-key.created",
            null,
            () ->
                keys.create(
                    request.name(), request.scopes(), request.limits(), request.expiresAt()),
            done ->
                Map.of(
                    "keyId",
                    done.key().id,
                    "name",
                    done.key().name,
                    "scopes",
                    List.of(done.key().scopes),
                    "limits",
                    LimitsView.of(done.key(), defaults)));
    return Response.created(URI.create("/api/v1/admin/api-keys/" + issued.key().id))
        // The secret must not outlive this answer in a browser's or a proxy's cache.
        .header("Cache-Control", "no-store")
        .entity(
            new CreatedKey(
                issued.key().id,
                issued.key().name,
                List.of(issued.key().scopes),
                LimitsView.of(issued.key(), defaults),
                issued.secret()))
        .build();
  }

  @PUT
  @Path("/{id}/limits")
  @RolesAllowed(Scope.ADMIN)
  @Operation(
      summary = "Change a key's limits",
      description =
          "Sets the key's request rate, burst and daily job quota; a field left out goes back to the configured default. Takes effect on the key's next request on every instance (the bucket lives in PostgreSQL). Recorded in the audit trail.")
  @SecurityRequirement(name = ApiDocs.API_KEY, scopes = Scope.ADMIN)
  @RequestBody(
      content =
          @Content(
              mediaType = "application/json",
              examples =
                  @ExampleObject(
                      name = "request",
                      value = "{\"requestsPerSecond\":20,\"burst\":40,\"dailyJobQuota\":100000}")))
  @APIResponse(
      responseCode = "200",
      description = "The key with its limits",
      content =
          @Content(
              mediaType = "application/json",
              schema = @Schema(implementation = KeyView.class),
              examples = @ExampleObject(name = "200", value = KEY_EXAMPLE + "}")))
  @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
  @APIResponse(responseCode = "401", ref = ApiDocs.UNAUTHORIZED)
  @APIResponse(responseCode = "403", ref = ApiDocs.FORBIDDEN)
  @APIResponse(responseCode = "404", ref = ApiDocs.NOT_FOUND)
  @APIResponse(responseCode = "413", ref = ApiDocs.TOO_LARGE)
  @APIResponse(responseCode = "415", ref = ApiDocs.NOT_JSON)
  public KeyView changeLimits(@PathParam("id") UUID id, @Valid @NotNull ChangeLimits request) {
    return audit.around(
        "api-key.limits-changed",
        id.toString(),
        () ->
            keys.changeLimits(
                    id,
                    new ApiKeys.Limits(
                        request.requestsPerSecond(), request.burst(), request.dailyJobQuota()))
                .map(
                    key ->
                        new KeyView(
                            key.id, key.name, List.of(key.scopes), LimitsView.of(key, defaults)))
                .orElseThrow(() -> ProblemException.notFound("API key " + id)),
        view -> Map.of("name", view.name(), "limits", view.limits()));
  }

  @POST
  @Path("/{id}/rotate")
  @RolesAllowed(Scope.ADMIN)
  @Operation(
      summary = "Rotate a key's secret",
      description =
          "Answers with a new secret, shown this once (`Cache-Control: no-store`). The previous secret keeps working until `previousKeyValidUntil` (`graceSeconds`, default `pulse.api.rotation-grace`), then stops, on every instance at once (checked per request, not cached). Recorded in the audit trail.")
  @SecurityRequirement(name = ApiDocs.API_KEY, scopes = Scope.ADMIN)
  @RequestBody(
      content =
          @Content(
              mediaType = "application/json",
              examples = @ExampleObject(name = "request", value = "{\"graceSeconds\":3600}")))
  @APIResponse(
      responseCode = "200",
      description = "The new secret",
      content =
          @Content(
              mediaType = "application/json",
              schema = @Schema(implementation = RotatedKey.class),
              examples =
                  @ExampleObject(
                      name = "200",
                      value =
                          "{\"id\":\"5a1d6f0e-2b7c-4e7a-9c3d-1f2e3a4b5c6d\",\"key\":\"pk_9xY...\",\"previousKeyValidUntil\":\"2026-12-01T10:00:00Z\"}")))
  @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
  @APIResponse(responseCode = "401", ref = ApiDocs.UNAUTHORIZED)
  @APIResponse(responseCode = "403", ref = ApiDocs.FORBIDDEN)
  @APIResponse(responseCode = "404", ref = ApiDocs.NOT_FOUND)
  @APIResponse(responseCode = "413", ref = ApiDocs.TOO_LARGE)
  @APIResponse(responseCode = "415", ref = ApiDocs.NOT_JSON)
  public Response rotate(@PathParam("id") UUID id, @Valid RotateKey request) {
    Duration grace =
        request == null || request.graceSeconds() == null
            ? api.rotationGrace()
            : Duration.ofSeconds(request.graceSeconds());
    RotatedKey rotated =
        audit.around(
            "api-key.rotated",
            id.toString(),
            () ->
                keys.rotate(id, grace)
                    .map(
                        done ->
                            new RotatedKey(
                                done.key().id, done.secret(), done.key().previousKeyValidUntil))
                    .orElseThrow(() -> ProblemException.notFound("active API key " + id)),
            done -> Map.of("previousKeyValidUntil", done.previousKeyValidUntil().toString()));
    return Response.ok(rotated).header("Cache-Control", "no-store").build();
  }

  @DELETE
  @Path("/{id}")
  @RolesAllowed(Scope.ADMIN)
  @Operation(
      summary = "Revoke an API key",
      description =
          "The key is refused at once by this instance and by the others within `pulse.api.key-cache-ttl` (10 s). Recorded in the audit trail.")
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
    return audit.around(
        "api-key.revoked",
        id.toString(),
        () ->
            keys.revoke(id)
                .map(key -> new RevokedKey(key.id, key.revokedAt))
                .orElseThrow(() -> ProblemException.notFound("API key " + id)),
        revoked -> Map.of("revokedAt", revoked.revokedAt().toString()));
  }
}
