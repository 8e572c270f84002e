package io.pulse.api.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pulse.api.auth.Scope;
import io.pulse.api.jobs.KeysetPage;
import io.pulse.api.jobs.QueryParams;
import io.pulse.api.openapi.ApiDocs;
import io.pulse.api.problem.ProblemException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Query;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The audit trail, newest first, keyset-paged; filters by action, actor (key id), outcome and a
 * time range ({@code since} inclusive, {@code until} exclusive, ISO-8601 instants).
 */
@Tag(name = ApiDocs.ADMIN)
@Path("/api/v1/admin/audit")
@Produces(MediaType.APPLICATION_JSON)
public class AuditResource {
  private final EntityManager em;
  private final ObjectMapper json;

  public AuditResource(EntityManager em, ObjectMapper json) {
    this.em = em;
    this.json = json;
  }

  @GET
  @RolesAllowed(Scope.ADMIN)
  @Operation(
      summary = "Read the audit trail",
      description =
          "Every admin action (key created, revoked, limits changed, rotated; dead-letter replay; digest run; feed rebuild), newest first: who (key id and name, never the secret), when, from which address, what, and the outcome. Filters: `action`, `actorId`, `outcome`, and a time range (`since` inclusive, `until` exclusive, ISO-8601 instants). Keyset paged. The rows are append-only: the database refuses to change or delete them.")
  @SecurityRequirement(name = ApiDocs.API_KEY, scopes = Scope.ADMIN)
  @APIResponse(
      responseCode = "200",
      description = "A page of audit events",
      content =
          @Content(
              mediaType = "application/json",
              schema = @Schema(implementation = AuditPage.class),
              examples =
                  @ExampleObject(
                      name = "200",
                      value =
                          "{\"items\":[{\"id\":42,\"occurredAt\":\"2026-12-01T09:00:00Z\",\"actorId\":\"5a1d6f0e-2b7c-4e7a-9c3d-1f2e3a4b5c6d\",\"actorName\":\"ops\",\"address\":\"10.0.0.7\",\"action\":\"api-key.revoked\",\"target\":\"0b8f...\",\"outcome\":\"success\",\"details\":{\"revokedAt\":\"2026-12-01T09:00:00Z\"}}],\"nextCursor\":null}")))
  @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
  @APIResponse(responseCode = "401", ref = ApiDocs.UNAUTHORIZED)
  @APIResponse(responseCode = "403", ref = ApiDocs.FORBIDDEN)
  public AuditPage list(
      @QueryParam("action") String action,
      @QueryParam("actorId") String actorId,
      @QueryParam("outcome") String outcome,
      @QueryParam("since") String since,
      @QueryParam("until") String until,
      @QueryParam("limit") String limit,
      @QueryParam("cursor") String cursor) {
    int size = QueryParams.limit(limit);
    AuditCursor after = AuditCursor.decode(cursor);
    StringBuilder sql =
        new StringBuilder(
            "select id, occurred_at, actor_id, actor_name, address, action, target, outcome,"
                + " cast(details as text) from audit_events where true");
    List<Object> values = new ArrayList<>();
    filter(sql, values, "action = ?", action);
    filter(sql, values, "actor_id = ?", actorId);
    filter(sql, values, "outcome = ?", outcome);
    filter(sql, values, "occurred_at >= ?", instant("since", since));
    filter(sql, values, "occurred_at < ?", instant("until", until));
    filter(sql, values, "id < ?", after == null ? null : after.id());
    sql.append(" order by id desc limit ").append(KeysetPage.fetch(size));
    Query query = em.createNativeQuery(sql.toString());
    for (int i = 0; i < values.size(); i++) {
      query.setParameter(i + 1, values.get(i));
    }
    @SuppressWarnings("unchecked")
    List<Object[]> rows = query.getResultList();
    KeysetPage<AuditEventView> page = KeysetPage.of(rows.stream().map(this::view).toList(), size);
    return new AuditPage(page.items(), page.next(last -> new AuditCursor(last.id()).encode()));
  }

  private static void filter(
      StringBuilder sql, List<Object> values, String condition, Object value) {
    if (value != null) {
      values.add(value);
      sql.append(" and ").append(condition.replace("?", "?" + values.size()));
    }
  }

  private static OffsetDateTime instant(String name, String value) {
    if (value == null) {
      return null;
    }
    try {
      return Instant.parse(value).atOffset(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      throw ProblemException.badField(
          name, "must be an ISO-8601 instant like 2026-12-01T00:00:00Z");
    }
  }

  private AuditEventView view(Object[] row) {
    try {
      return new AuditEventView(
          ((Number) row[0]).longValue(),
          row[1] instanceof Instant at ? at.atOffset(ZoneOffset.UTC) : ((OffsetDateTime) row[1]),
          (String) row[2],
          (String) row[3],
          (String) row[4],
          (String) row[5],
          (String) row[6],
          (String) row[7],
          json.readTree((String) row[8]));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("audit_events.details is not JSON", e);
    }
  }
}
