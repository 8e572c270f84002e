package io.pulse.api.users;

import io.pulse.api.auth.Scope;
import io.pulse.api.openapi.ApiDocs;
import io.pulse.api.problem.ProblemException;
import io.pulse.common.feed.FeedConfig;
import io.pulse.common.feed.FeedPayloads;
import io.pulse.common.jobs.JobCodec;
import io.pulse.common.jobs.JobEnqueuer;
import io.pulse.common.jobs.JobIds;
import io.pulse.common.jobs.JobType;
import io.pulse.common.messaging.JobMessage;
import io.pulse.common.notification.UserLocales;
import io.pulse.common.tracing.Traceparent;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.annotation.security.RolesAllowed;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Tag(name = ApiDocs.USERS)
@Path("/api/v1")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class UserResource {
  private final EntityManager em;
  private final JobEnqueuer enqueuer;
  private final FeedConfig feed;
  private final UserLocales locales;

  public UserResource(
      EntityManager em, JobEnqueuer enqueuer, FeedConfig feed, UserLocales locales) {
    this.em = em;
    this.enqueuer = enqueuer;
    this.feed = feed;
    this.locales = locales;
  }

  /** What a PUT saved, and the backfill it brought about (written with it, published after). */
  private record Saved(UserView view, List<JobMessage> jobs) {}

  /**
   * Creates or replaces the user; a last-active time never moves backwards. Concurrent PUTs of one
   * id run one after the other on the row's lock, so exactly one of them sees the user come back
   * from inactivity and enqueues the backfill.
   */
  @PUT
  @Path("/users/{id}")
  @RolesAllowed(Scope.JOBS_WRITE)
  @Operation(
      summary = "Create or update a user",
      description =
          "An idempotent upsert. `locale` (BCP 47, for example `ko` or `en-GB`) picks the language of the user's mails and pages and how their dates read; left out, the user follows pulse.notifications.default-locale; a tag that is not well-formed is 400. `lastActiveAt` never moves backwards; concurrent PUTs of one id apply one after the other. The PUT that brings a user back from inactivity writes a `feed.backfill` job with the user and publishes it after the commit (one the broker does not confirm is published by the sweeper), so of concurrent PUTs exactly one enqueues it.")
  @SecurityRequirement(name = ApiDocs.API_KEY, scopes = Scope.JOBS_WRITE)
  @RequestBody(
      content =
          @Content(
              mediaType = "application/json",
              examples =
                  @ExampleObject(
                      name = "request",
                      value =
                          "{\"handle\":\"ada\",\"email\":\"ada@example.org\",\"displayName\":\"Ada\",\"timeZone\":\"Europe/Berlin\",\"digest\":\"daily\",\"lastActiveAt\":\"2026-11-30T09:00:00Z\",\"locale\":\"de-DE\"}")))
  @APIResponse(
      responseCode = "200",
      description = "The user as saved",
      content =
          @Content(
              mediaType = "application/json",
              schema = @Schema(implementation = UserView.class),
              examples =
                  @ExampleObject(
                      name = "200",
                      value =
                          "{\"id\":42,\"handle\":\"ada\",\"email\":\"ada@example.org\",\"displayName\":\"Ada\",\"timeZone\":\"Europe/Berlin\",\"digest\":\"daily\",\"lastActiveAt\":\"2026-11-30T09:00:00Z\",\"locale\":\"de-DE\"}")))
  @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
  @APIResponse(responseCode = "401", ref = ApiDocs.UNAUTHORIZED)
  @APIResponse(responseCode = "403", ref = ApiDocs.FORBIDDEN)
  @APIResponse(responseCode = "413", ref = ApiDocs.TOO_LARGE)
  @APIResponse(responseCode = "415", ref = ApiDocs.NOT_JSON)
  public UserView put(@PathParam("id") long userId, @Valid @NotNull UserRequest request) {
    String zone = request.timeZone() == null ? "UTC" : request.timeZone();
    try {
      ZoneId.of(zone);
    } catch (DateTimeException e) {
      throw ProblemException.badField("timeZone", "unknown time zone '" + zone + "'");
    }
    Locale locale = null;
    if (request.locale() != null) {
      locale =
          UserLocales.parse(request.locale())
              .orElseThrow(
                  () ->
                      ProblemException.badField(
                          "locale",
                          "not a BCP 47 language tag with a language (ko, ko-KR, en-GB): '"
                              + request.locale()
                              + "'"));
    }
    String tag = locale == null ? null : locale.toLanguageTag();
    Saved saved = QuarkusTransaction.requiringNew().call(() -> save(userId, zone, tag, request));
    // The backfill's row committed with the user; one the broker does not confirm now is
    // published by the sweeper, so the PUT stands either way.
    enqueuer.publishAll(saved.jobs());
    return saved.view();
  }

  private Saved save(long userId, String zone, String locale, UserRequest request) {
    // A new id gets its row first (concurrent creators wait on the primary key here, then find
    // it), so every PUT is an update of a row it holds locked, never an insert that can collide.
    em.createNativeQuery(
            "insert into users (id, handle) values (?1, ?2) on conflict (id) do nothing")
        .setParameter(1, userId)
        .setParameter(2, request.handle())
        .executeUpdate();
    User user = User.findById(userId, LockModeType.PESSIMISTIC_WRITE);
    user.handle = request.handle();
    user.email = request.email();
    user.displayName = request.displayName();
    user.timeZone = zone;
    user.digest = request.digest() == null ? "off" : request.digest();
    user.locale = locale;
    OffsetDateTime activeSince = OffsetDateTime.now().minus(feed.inactiveAfter());
    boolean wasInactive = user.lastActiveAt != null && user.lastActiveAt.isBefore(activeSince);
    if (request.lastActiveAt() != null
        && (user.lastActiveAt == null || request.lastActiveAt().isAfter(user.lastActiveAt))) {
      user.lastActiveAt = request.lastActiveAt();
    }
    List<JobMessage> jobs = List.of();
    if (wasInactive && user.lastActiveAt.isAfter(activeSince)) {
      // Fan-out skipped this user while away: fill their feed with what they missed. A job whose
      // key is already in the ledger was published by whoever inserted it.
      JobMessage job = backfill(userId, user.lastActiveAt);
      jobs = enqueuer.insertInCurrentTransaction(List.of(job)).isEmpty() ? List.of() : List.of(job);
    }
    user.updatedAt = OffsetDateTime.now();
    return new Saved(UserView.of(user, locales.of(user.locale)), jobs);
  }

  private static JobMessage backfill(long userId, OffsetDateTime back) {
    return new JobMessage(
        JobIds.next(),
        JobType.FEED_BACKFILL,
        1,
        "backfill-" + userId + "-" + back.toInstant(),
        Traceparent.ofCurrentSpan(),
        Instant.now(),
        JobCodec.encode(new FeedPayloads.Backfill(userId, null)));
  }
}
