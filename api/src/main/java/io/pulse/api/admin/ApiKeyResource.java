package io.pulse.api.admin;

import io.pulse.api.audit.AuditTrail;
import io.pulse.api.auth.ApiConfig;
import io.pulse.api.auth.ApiKey;
import io.pulse.api.auth.ApiKeys;
import io.pulse.api.auth.Scope;
import io.pulse.api.jobs.Ids;
import io.pulse.api.limits.KeyLimits;
import io.pulse.api.limits.LimitsConfig;
import io.pulse.api.problem.ProblemException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Future;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
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
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** API keys: an admin creates one (its secret is shown once) and revokes it (refused at once). */
@Path("/api/v1/admin/api-keys")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class ApiKeyResource {

  /** Limits left out (null) are the configured defaults (pulse.api.limits.*). */
  public record CreateKey(
      @NotBlank @Size(max = 100) String name,
      @NotEmpty @Size(max = 3) List<@NotNull String> scopes,
      @Positive Integer requestsPerSecond,
      @Positive Integer burst,
      @Positive Long dailyJobQuota,
      @Future OffsetDateTime expiresAt) {

    ApiKeys.Limits limits() {
      return new ApiKeys.Limits(requestsPerSecond, burst, dailyJobQuota);
    }
  }

  /** A key's own limits; one left out (null) is the configured default. */
  public record ChangeLimits(
      @Positive Integer requestsPerSecond, @Positive Integer burst, @Positive Long dailyJobQuota) {}

  /** The limits a key runs under, its own or the defaults. */
  public record LimitsView(int requestsPerSecond, int burst, Long dailyJobQuota) {
    static LimitsView of(ApiKey key, LimitsConfig defaults) {
      KeyLimits limits =
          KeyLimits.of(key.requestsPerSecond, key.burst, key.dailyJobQuota, defaults);
      return new LimitsView(
          limits.requestsPerSecond(),
          limits.burst(),
          limits.dailyJobQuota().isPresent() ? limits.dailyJobQuota().getAsLong() : null);
    }
  }

  /** The only time the secret is returned: only its hash is stored. */
  public record CreatedKey(
      UUID id, String name, List<String> scopes, LimitsView limits, String key) {}

  /**
   * How long the current secret keeps working after the rotation; the configured default if null.
   */
  public record RotateKey(@PositiveOrZero @Max(30L * 24 * 3600) Long graceSeconds) {}

  /** The new secret, shown once, and until when the previous one still works. */
  public record RotatedKey(UUID id, String key, OffsetDateTime previousKeyValidUntil) {}

  public record KeyView(UUID id, String name, List<String> scopes, LimitsView limits) {}

  public record RevokedKey(UUID id, OffsetDateTime revokedAt) {}

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
  public KeyView changeLimits(@PathParam("id") String id, @Valid @NotNull ChangeLimits request) {
    return audit.around(
        "api-key.limits-changed",
        id,
        () ->
            keys.changeLimits(
                    Ids.uuid("id", id),
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
  public Response rotate(@PathParam("id") String id, @Valid RotateKey request) {
    Duration grace =
        request == null || request.graceSeconds() == null
            ? api.rotationGrace()
            : Duration.ofSeconds(request.graceSeconds());
    RotatedKey rotated =
        audit.around(
            "api-key.rotated",
            id,
            () ->
                keys.rotate(Ids.uuid("id", id), grace)
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
  public RevokedKey revoke(@PathParam("id") String id) {
    return audit.around(
        "api-key.revoked",
        id,
        () ->
            keys.revoke(Ids.uuid("id", id))
                .map(key -> new RevokedKey(key.id, key.revokedAt))
                .orElseThrow(() -> ProblemException.notFound("API key " + id)),
        revoked -> Map.of("revokedAt", revoked.revokedAt().toString()));
  }
}
