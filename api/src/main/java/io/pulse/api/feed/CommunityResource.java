package io.pulse.api.feed;

import io.pulse.api.auth.Scope;
import io.pulse.api.jobs.JobAccepted;
import io.pulse.api.openapi.ApiDocs;
import io.pulse.api.problem.ProblemException;
import io.pulse.common.feed.FeedPayloads;
import io.pulse.common.jobs.JobEnqueuer;
import io.pulse.common.jobs.JobType;
import io.pulse.common.tracing.Traceparent;
import jakarta.annotation.security.RolesAllowed;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Communities and their members. Joining backfills the feed; leaving empties it of the community.
 */
@Tag(name = ApiDocs.FEEDS)
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

  @PUT
  @RolesAllowed(Scope.JOBS_WRITE)
  @Transactional
  @Operation(
      summary = "Create or rename a community",
      description = "An idempotent upsert of the community's name. Enqueues nothing.")
  @SecurityRequirement(name = ApiDocs.API_KEY, scopes = Scope.JOBS_WRITE)
  @RequestBody(
      content =
          @Content(
              mediaType = "application/json",
              examples = @ExampleObject(name = "request", value = "{\"name\":\"Climbing\"}")))
  @APIResponse(
      responseCode = "200",
      description = "The community as saved",
      content =
          @Content(
              mediaType = "application/json",
              schema = @Schema(implementation = CommunityView.class),
              examples = @ExampleObject(name = "200", value = "{\"id\":7,\"name\":\"Climbing\"}")))
  @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
  @APIResponse(responseCode = "401", ref = ApiDocs.UNAUTHORIZED)
  @APIResponse(responseCode = "403", ref = ApiDocs.FORBIDDEN)
  @APIResponse(responseCode = "413", ref = ApiDocs.TOO_LARGE)
  @APIResponse(responseCode = "415", ref = ApiDocs.NOT_JSON)
  public CommunityView put(
      @PathParam("id") long communityId, @Valid @NotNull CommunityRequest request) {
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
  @Operation(
      summary = "Join a community",
      description =
          "Adds the member (joining twice is one membership) and enqueues `feed.backfill`, which fills their feed with the community's recent posts. The membership and the job commit together. `202` once the job's ledger row is committed and the broker has confirmed the message; `Location` points at the job. A `503` (broker or database away) is safe to retry: joining again is one membership, and a backfill row already written is published by the sweeper.")
  @SecurityRequirement(name = ApiDocs.API_KEY, scopes = Scope.JOBS_WRITE)
  @APIResponse(responseCode = "202", ref = ApiDocs.JOB_ACCEPTED)
  @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
  @APIResponse(responseCode = "401", ref = ApiDocs.UNAUTHORIZED)
  @APIResponse(responseCode = "403", ref = ApiDocs.FORBIDDEN)
  @APIResponse(responseCode = "404", ref = ApiDocs.NOT_FOUND)
  @APIResponse(responseCode = "503", ref = ApiDocs.UNAVAILABLE)
  public Response join(@PathParam("id") long communityId, @PathParam("userId") long userId) {
    requireCommunity(communityId);
    JobEnqueuer.Enqueued backfill =
        enqueuer.enqueueWith(
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
  @Operation(
      summary = "Leave a community",
      description =
          "Removes the membership and, at once, the community's posts from that member's feed. Enqueues nothing; leaving again is `404`.")
  @SecurityRequirement(name = ApiDocs.API_KEY, scopes = Scope.JOBS_WRITE)
  @APIResponse(
      responseCode = "200",
      description = "Left; how many feed entries were removed",
      content =
          @Content(
              mediaType = "application/json",
              schema = @Schema(implementation = LeftCommunity.class),
              examples =
                  @ExampleObject(
                      name = "200",
                      value = "{\"communityId\":7,\"userId\":42,\"feedEntriesRemoved\":12}")))
  @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
  @APIResponse(responseCode = "401", ref = ApiDocs.UNAUTHORIZED)
  @APIResponse(responseCode = "403", ref = ApiDocs.FORBIDDEN)
  @APIResponse(responseCode = "404", ref = ApiDocs.NOT_FOUND)
  public LeftCommunity leave(@PathParam("id") long communityId, @PathParam("userId") long userId) {
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
    return new LeftCommunity(communityId, userId, removed);
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
