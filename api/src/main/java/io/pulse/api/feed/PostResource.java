package io.pulse.api.feed;

import io.pulse.api.auth.Scope;
import io.pulse.api.jobs.EnqueueRequestHeaders;
import io.pulse.api.jobs.Ids;
import io.pulse.api.jobs.JobAccepted;
import io.pulse.api.limits.JobQuota;
import io.pulse.api.problem.Problem;
import io.pulse.api.problem.ProblemException;
import io.pulse.common.feed.FeedPayloads;
import io.pulse.common.jobs.JobEnqueuer;
import io.pulse.common.jobs.JobType;
import jakarta.annotation.security.RolesAllowed;
import jakarta.persistence.EntityManager;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/**
 * Posts: recording one fans it out ({@code feed.fanout}), deleting one retracts it ({@code
 * feed.retract}). The post row and its job row commit together. A post id is its own idempotency
 * key: posting it again returns the first job, with another body it is 422.
 */
@Path("/api/v1/posts")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class PostResource {
  private final EntityManager em;
  private final JobEnqueuer enqueuer;
  private final JobQuota quota;

  public PostResource(EntityManager em, JobEnqueuer enqueuer, JobQuota quota) {
    this.em = em;
    this.enqueuer = enqueuer;
    this.quota = quota;
  }

  @POST
  @RolesAllowed(Scope.JOBS_WRITE)
  public Response post(
      @Valid @NotNull PostRequest post, @HeaderParam("traceparent") String traceparent) {
    boolean community = CommunityResource.exists(em, post.communityId());
    if (!community) {
      throw ProblemException.badField("communityId", "unknown community " + post.communityId());
    }
    quota.take(1);
    JobEnqueuer.Enqueued fanout =
        enqueuer.enqueueWith(
            JobType.FEED_FANOUT,
            new FeedPayloads.Fanout(post.postId(), post.communityId()),
            "post-" + post.postId(),
            EnqueueRequestHeaders.traceparent(traceparent),
            () -> record(post));
    return JobAccepted.response(fanout);
  }

  @DELETE
  @Path("/{id}")
  @RolesAllowed(Scope.JOBS_WRITE)
  public Response delete(
      @PathParam("id") String id, @HeaderParam("traceparent") String traceparent) {
    long postId = Ids.positive("id", id);
    if (em.createNativeQuery("select 1 from posts where id = ?1")
        .setParameter(1, postId)
        .getResultList()
        .isEmpty()) {
      throw ProblemException.notFound("post " + postId);
    }
    quota.take(1);
    JobEnqueuer.Enqueued retract =
        enqueuer.enqueueWith(
            JobType.FEED_RETRACT,
            new FeedPayloads.Retract(postId, null, null),
            "retract-" + postId,
            EnqueueRequestHeaders.traceparent(traceparent),
            // Marking the post waits for running fan-out chunks (they share-lock it) and stops
            // every later one, so the retraction that follows leaves nothing behind.
            () ->
                em.createNativeQuery(
                        "update posts set deleted_at = now() where id = ?1 and deleted_at is null")
                    .setParameter(1, postId)
                    .executeUpdate());
    return JobAccepted.response(retract);
  }

  /**
   * Records the post, or, when its id is taken, refuses other content. A request racing the first
   * one waits here on the primary key until that one commits, so it compares with what was stored
   * rather than with what it read before.
   */
  private void record(PostRequest post) {
    int inserted =
        em.createNativeQuery(
                """
                insert into posts (id, community_id, author_id, title, excerpt, created_at)
                values (?1, ?2, ?3, ?4, ?5, ?6)
                on conflict (id) do nothing
                """)
            .setParameter(1, post.postId())
            .setParameter(2, post.communityId())
            .setParameter(3, post.authorId())
            .setParameter(4, post.title())
            .setParameter(5, post.excerpt())
            .setParameter(6, post.createdAt())
            .executeUpdate();
    if (inserted == 0) {
      refuseChangedRepeat(post);
    }
  }

  /**
   * A post id already recorded with other content is refused; the same content is a repeat. The
   * stored content never changes (only {@code deleted_at} does), so it is read without a lock.
   */
  private void refuseChangedRepeat(PostRequest post) {
    @SuppressWarnings("unchecked")
    List<Object[]> existing =
        em.createNativeQuery(
                "select community_id, author_id, title, coalesce(excerpt, ''), created_at = ?2"
                    + " from posts where id = ?1")
            .setParameter(1, post.postId())
            .setParameter(2, post.createdAt())
            .getResultList();
    if (existing.isEmpty()) {
      return;
    }
    Object[] row = existing.get(0);
    boolean same =
        ((Number) row[0]).longValue() == post.communityId()
            && ((Number) row[1]).longValue() == post.authorId()
            && row[2].equals(post.title())
            && row[3].equals(post.excerpt() == null ? "" : post.excerpt())
            && Boolean.TRUE.equals(row[4]);
    if (!same) {
      throw new ProblemException(
          Problem.of(
              422,
              "Unprocessable Content",
              "post-changed",
              "post " + post.postId() + " was already recorded with other content"));
    }
  }
}
