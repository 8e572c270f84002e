package io.pulse.api.users;

import io.pulse.api.auth.RequireScope;
import io.pulse.api.auth.Scope;
import io.pulse.api.jobs.Ids;
import io.pulse.api.problem.ProblemException;
import io.pulse.common.feed.FeedConfig;
import io.pulse.common.feed.FeedPayloads;
import io.pulse.common.jobs.JobEnqueuer;
import io.pulse.common.jobs.JobType;
import jakarta.transaction.Transactional;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.DateTimeException;
import java.time.OffsetDateTime;
import java.time.ZoneId;

@Path("/api/v1")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class UserResource {
  private final JobEnqueuer enqueuer;
  private final FeedConfig feed;

  public UserResource(JobEnqueuer enqueuer, FeedConfig feed) {
    this.enqueuer = enqueuer;
    this.feed = feed;
  }

  public record UserView(
      long id,
      String handle,
      String email,
      String displayName,
      String timeZone,
      String digest,
      OffsetDateTime lastActiveAt) {
    static UserView of(User u) {
      return new UserView(
          u.id, u.handle, u.email, u.displayName, u.timeZone, u.digest, u.lastActiveAt);
    }
  }

  /** Creates or replaces the user; a last-active time never moves backwards. */
  @PUT
  @Path("/users/{id}")
  @RequireScope(Scope.JOBS_WRITE)
  @Transactional
  public UserView put(@PathParam("id") String id, @Valid @NotNull UserRequest request) {
    long userId = Ids.positive("id", id);
    String zone = request.timeZone() == null ? "UTC" : request.timeZone();
    try {
      ZoneId.of(zone);
    } catch (DateTimeException e) {
      throw ProblemException.badField("timeZone", "unknown time zone '" + zone + "'");
    }
    User user = User.findById(userId);
    if (user == null) {
      user = new User();
      user.id = userId;
    }
    user.handle = request.handle();
    user.email = request.email();
    user.displayName = request.displayName();
    user.timeZone = zone;
    user.digest = request.digest() == null ? "off" : request.digest();
    OffsetDateTime activeSince = OffsetDateTime.now().minus(feed.inactiveAfter());
    boolean wasInactive = user.lastActiveAt != null && user.lastActiveAt.isBefore(activeSince);
    if (request.lastActiveAt() != null
        && (user.lastActiveAt == null || request.lastActiveAt().isAfter(user.lastActiveAt))) {
      user.lastActiveAt = request.lastActiveAt();
    }
    if (wasInactive && user.lastActiveAt.isAfter(activeSince)) {
      // Fan-out skipped this user while away: fill their feed with what they missed.
      enqueuer.enqueue(
          JobType.FEED_BACKFILL,
          new FeedPayloads.Backfill(userId, null),
          "backfill-" + userId + "-" + user.lastActiveAt.toInstant(),
          null);
    }
    user.updatedAt = OffsetDateTime.now();
    user.persist();
    return UserView.of(user);
  }
}
