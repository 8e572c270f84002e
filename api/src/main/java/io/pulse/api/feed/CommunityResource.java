package io.pulse.api.feed;

import io.pulse.api.auth.Scope;
import io.pulse.api.jobs.Ids;
import io.pulse.api.jobs.JobAccepted;
import io.pulse.api.problem.ProblemException;
import io.pulse.common.feed.FeedPayloads;
import io.pulse.common.jobs.JobEnqueuer;
import io.pulse.common.jobs.JobType;
import io.pulse.common.tracing.Traceparent;
import jakarta.annotation.security.RolesAllowed;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * Communities and their members. Joining backfills the feed; leaving empties it of the community.
 */
@Path("/api/v1/communities/{id}")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class CommunityResource {
  private final EntityManager em;
  private final JobEnqueuer enqueuer;

  public CommunityResource(EntityManager em, JobEnqueuer enqueuer) {
    this.em = em;
    this.enqueuer = enqueuer;
  }

  public record CommunityRequest(@NotBlank @Size(max = 200) String name) {}

  public record CommunityView(long id, String name) {}

  public record Left(long communityId, long userId, int feedEntriesRemoved) {}

  @PUT
  @RolesAllowed(Scope.JOBS_WRITE)
  @Transactional
  public CommunityView put(@PathParam("id") String id, @Valid @NotNull CommunityRequest request) {
    long communityId = Ids.positive("id", id);
    em.createNativeQuery(
            """
            insert into communities (id, name) values (?1, ?2)
            on conflict (id) do update set name = excluded.name, updated_at = now()
            """)
        .setParameter(1, communityId)
        .setParameter(2, request.name())
        .executeUpdate();
    return new CommunityView(communityId, request.name());
  }

  /** Joins (idempotent) and enqueues {@code feed.backfill} for the new member. */
  @PUT
  @Path("/members/{userId}")
  @RolesAllowed(Scope.JOBS_WRITE)
  public Response join(@PathParam("id") String id, @PathParam("userId") String user) {
    long communityId = Ids.positive("id", id);
    long userId = Ids.positive("userId", user);
    requireCommunity(communityId);
    JobEnqueuer.Enqueued backfill =
        enqueuer.enqueue(
            JobType.FEED_BACKFILL,
            new FeedPayloads.Backfill(userId, communityId),
            null,
            Traceparent.ofCurrentSpan(),
            () ->
                em.createNativeQuery(
                        """
                        insert into community_members (community_id, user_id) values (?1, ?2)
                        on conflict do nothing
                        """)
                    .setParameter(1, communityId)
                    .setParameter(2, userId)
                    .executeUpdate());
    return JobAccepted.response(backfill);
  }

  /** Leaves and removes the community's posts from the member's feed (at most a feed's length). */
  @DELETE
  @Path("/members/{userId}")
  @RolesAllowed(Scope.JOBS_WRITE)
  @Transactional
  public Left leave(@PathParam("id") String id, @PathParam("userId") String user) {
    long communityId = Ids.positive("id", id);
    long userId = Ids.positive("userId", user);
    int left =
        em.createNativeQuery(
                "delete from community_members where community_id = ?1 and user_id = ?2")
            .setParameter(1, communityId)
            .setParameter(2, userId)
            .executeUpdate();
    if (left == 0) {
      throw ProblemException.notFound(
          "membership of user " + userId + " in community " + communityId);
    }
    int removed =
        em.createNativeQuery("delete from feed_entries where user_id = ?1 and community_id = ?2")
            .setParameter(1, userId)
            .setParameter(2, communityId)
            .executeUpdate();
    return new Left(communityId, userId, removed);
  }

  private void requireCommunity(long communityId) {
    if (!exists(em, communityId)) {
      throw ProblemException.notFound("community " + communityId);
    }
  }

  static boolean exists(EntityManager em, long communityId) {
    return !em.createNativeQuery("select 1 from communities where id = ?1")
        .setParameter(1, communityId)
        .getResultList()
        .isEmpty();
  }
}
