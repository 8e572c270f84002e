package io.pulse.api.feed;

import io.pulse.api.auth.Scope;
import io.pulse.api.jobs.KeysetPage;
import io.pulse.api.jobs.OpaqueCursor;
import io.pulse.api.jobs.QueryParams;
import io.pulse.api.openapi.ApiDocs;
import io.pulse.common.jobs.SqlTimes;
import jakarta.annotation.security.RolesAllowed;
import jakarta.persistence.EntityManager;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The home feed, newest first. The cursor is the (created_at, post_id) of the last entry served;
 * the next page starts strictly after it in that order, so entries arriving meanwhile (newer, or
 * older ones from a backfill) never make a page skip or repeat one.
 */
@Tag(name = ApiDocs.FEEDS)
@Path("/api/v1/users/{id}/feed")
@Produces(MediaType.APPLICATION_JSON)
public class FeedResource {
  private static final String PREFIX = "f1:";
  private static final long EARLIEST_MICROS = micros(Instant.parse("0001-01-01T00:00:00Z"));
  private static final long LATEST_MICROS = micros(Instant.parse("9999-12-31T23:59:59.999999Z"));

  private final EntityManager em;

  public FeedResource(EntityManager em) {
    this.em = em;
  }

  private record Position(Instant createdAt, long postId) {}

  @GET
  @RolesAllowed(Scope.READ)
  @Operation(
      summary = "Read a user's home feed",
      description =
          "Newest first, keyset-paged on (createdAt, postId) (`limit` 1-100, default 20): pass `nextCursor` back as `cursor`; entries arriving meanwhile never make a page skip or repeat one. Reads only.")
  @SecurityRequirement(name = ApiDocs.API_KEY, scopes = Scope.READ)
  @APIResponse(
      responseCode = "200",
      description = "One page of the feed",
      content =
          @Content(
              mediaType = "application/json",
              schema = @Schema(implementation = Feed.class),
              examples =
                  @ExampleObject(
                      name = "200",
                      value =
                          "{\"items\":[{\"postId\":9,\"communityId\":7,\"authorId\":5,\"title\":\"Sunday at the crag\",\"excerpt\":\"Who is in?\",\"createdAt\":\"2026-11-30T09:00:00Z\"}],\"nextCursor\":null}")))
  @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
  @APIResponse(responseCode = "401", ref = ApiDocs.UNAUTHORIZED)
  @APIResponse(responseCode = "403", ref = ApiDocs.FORBIDDEN)
  public Feed read(
      @PathParam("id") long userId,
      @Parameter(description = ApiDocs.LIMIT) @QueryParam("limit") String limit,
      @Parameter(description = ApiDocs.CURSOR) @QueryParam("cursor") String cursor) {
    int size = QueryParams.limit(limit);
    Position after = decode(cursor);
    @SuppressWarnings("unchecked")
    List<Object[]> rows =
        em.createNativeQuery(
                """
                select p.id, p.community_id, p.author_id, p.title, p.excerpt, f.created_at
                from feed_entries f join posts p on p.id = f.post_id
                where f.user_id = ?1 and (f.created_at, f.post_id) < (?2, ?3)
                order by f.created_at desc, f.post_id desc
                limit ?4
                """)
            .setParameter(1, userId)
            .setParameter(
                2,
                after == null
                    ? OffsetDateTime.parse("9999-12-31T00:00:00Z")
                    : after.createdAt().atOffset(ZoneOffset.UTC))
            .setParameter(3, after == null ? Long.MAX_VALUE : after.postId())
            .setParameter(4, KeysetPage.fetch(size))
            .getResultList();
    KeysetPage<FeedItem> page = KeysetPage.of(rows.stream().map(FeedResource::item).toList(), size);
    return new Feed(page.items(), page.next(FeedResource::encode));
  }

  private static FeedItem item(Object[] row) {
    return new FeedItem(
        ((Number) row[0]).longValue(),
        ((Number) row[1]).longValue(),
        ((Number) row[2]).longValue(),
        (String) row[3],
        (String) row[4],
        SqlTimes.instant(row[5]).atOffset(ZoneOffset.UTC));
  }

  private static String encode(FeedItem last) {
    return OpaqueCursor.wrap(PREFIX, micros(last.createdAt().toInstant()) + ":" + last.postId());
  }

  private static long micros(Instant at) {
    return at.getEpochSecond() * 1_000_000 + at.getNano() / 1_000;
  }

  private static Position decode(String cursor) {
    String position = OpaqueCursor.unwrap(PREFIX, cursor);
    if (position == null) {
      return null;
    }
    String[] parts = position.split(":", -1);
    try {
      if (parts.length == 2) {
        long micros = Long.parseLong(parts[0]);
        long postId = Long.parseLong(parts[1]);
        // A forged time outside PostgreSQL's range would fail the query (a 500), not the cursor.
        if (micros >= EARLIEST_MICROS && micros <= LATEST_MICROS && postId > 0) {
          return new Position(
              Instant.ofEpochSecond(
                  Math.floorDiv(micros, 1_000_000), Math.floorMod(micros, 1_000_000) * 1_000L),
              postId);
        }
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw OpaqueCursor.invalid();
  }
}
