package io.pulse.api.feed;

import io.pulse.api.auth.Scope;
import io.pulse.api.jobs.JobAccepted;
import io.pulse.api.limits.JobQuota;
import io.pulse.api.notification.NotificationRecaller;
import io.pulse.api.openapi.ApiDocs;
import io.pulse.api.problem.Problem;
import io.pulse.api.problem.ProblemException;
import io.pulse.common.feed.FeedPayloads;
import io.pulse.common.jobs.JobEnqueuer;
import io.pulse.common.jobs.JobType;
import io.pulse.common.notification.Recalls;
import io.pulse.common.tracing.Traceparent;
import jakarta.annotation.security.RolesAllowed;
import jakarta.persistence.EntityManager;
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
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Posts: recording one fans it out ({@code feed.fanout}), deleting one retracts it ({@code
 * feed.retract}). The post row and its job row commit together. A post id is its own idempotency
 * key: posting it again returns the first job, with another body it is 422.
 */
@Tag(name = ApiDocs.FEEDS)
@Path("/api/v1/posts")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class PostResource {
  private final EntityManager em;
  private final JobEnqueuer enqueuer;
  private final JobQuota quota;
  private final NotificationRecaller recaller;

  public PostResource(
      EntityManager em, JobEnqueuer enqueuer, JobQuota quota, NotificationRecaller recaller) {
    this.recaller = recaller;
    this.em = em;
    this.enqueuer = enqueuer;
    this.quota = quota;
  }

  @POST
  @RolesAllowed(Scope.JOBS_WRITE)
  @Operation(
      summary = "Record a post",
      description =
          "Records the post and its `feed.fanout` job in one transaction; the fan-out puts it in every active member's feed. The post id is the idempotency key: a repeat answers `200` with the same job, the same id with other content is `422` (also in a race), an unknown community `400`. `202` once the job's ledger row is committed and the broker has confirmed the message; `Location` points at the job. A `503` (broker or database away) is safe to retry: a row already written is published by the sweeper, and a retry of the same post returns that job rather than a second one.")
  @SecurityRequirement(name = ApiDocs.API_KEY, scopes = Scope.JOBS_WRITE)
  @RequestBody(
      content =
          @Content(
              mediaType = "application/json",
              examples =
                  @ExampleObject(
                      name = "request",
                      value =
                          "{\"postId\":9,\"communityId\":7,\"authorId\":5,\"title\":\"Sunday at the crag\",\"excerpt\":\"Who is in?\",\"createdAt\":\"2026-11-30T09:00:00Z\"}")))
  @APIResponse(responseCode = "202", ref = ApiDocs.JOB_ACCEPTED)
  @APIResponse(responseCode = "200", ref = ApiDocs.JOB_REPEATED)
  @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
  @APIResponse(responseCode = "401", ref = ApiDocs.UNAUTHORIZED)
  @APIResponse(responseCode = "403", ref = ApiDocs.FORBIDDEN)
  @APIResponse(responseCode = "413", ref = ApiDocs.TOO_LARGE)
  @APIResponse(responseCode = "415", ref = ApiDocs.NOT_JSON)
  @APIResponse(responseCode = "422", ref = ApiDocs.KEY_REUSED)
  @APIResponse(responseCode = "503", ref = ApiDocs.UNAVAILABLE)
  public Response post(@Valid @NotNull PostRequest post) {
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
            Traceparent.ofCurrentSpan(),
            post.publishInstant(),
            () -> record(post));
    return JobAccepted.response(fanout);
  }

  @DELETE
  @Path("/{id}")
  @RolesAllowed(Scope.JOBS_WRITE)
  @Operation(
      summary = "Delete a post",
      description =
          "Marks the post deleted (stopping any fan-out still running) and enqueues `feed.retract`, which removes it from every feed. It also recalls the notifications with `source` `post:{id}` (as `POST /notifications/recall` does, recorded in the audit trail): unread in-app items disappear, deliveries not yet sent are skipped, scheduled ones cancelled, later ones write nothing. Deleting again answers `200` with the same job. `202` once the job's ledger row is committed and the broker has confirmed the message; `Location` points at the job. A `503` (broker or database away) is safe to retry: a row already written is published by the sweeper, and a retry of the same post returns that job rather than a second one.")
  @SecurityRequirement(name = ApiDocs.API_KEY, scopes = Scope.JOBS_WRITE)
  @APIResponse(responseCode = "202", ref = ApiDocs.JOB_ACCEPTED)
  @APIResponse(responseCode = "200", ref = ApiDocs.JOB_REPEATED)
  @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
  @APIResponse(responseCode = "401", ref = ApiDocs.UNAUTHORIZED)
  @APIResponse(responseCode = "403", ref = ApiDocs.FORBIDDEN)
  @APIResponse(responseCode = "404", ref = ApiDocs.NOT_FOUND)
  @APIResponse(responseCode = "503", ref = ApiDocs.UNAVAILABLE)
  public Response delete(@PathParam("id") long postId) {
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
            Traceparent.ofCurrentSpan(),
            // Marking the post waits for running fan-out chunks (they share-lock it) and stops
            // every later one, so the retraction that follows leaves nothing behind.
            () ->
                em.createNativeQuery(
                        "update posts set deleted_at = now() where id = ?1 and deleted_at is null")
                    .setParameter(1, postId)
                    .executeUpdate());
    // After the retraction is accepted: a failure here is a 503, and the client's retry of the
    // delete returns the same retraction and recalls again (a recall repeats harmlessly).
    recaller.recall(Recalls.Target.source("post:" + postId));
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
