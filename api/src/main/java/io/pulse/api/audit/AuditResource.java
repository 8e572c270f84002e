package io.pulse.api.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pulse.api.auth.Scope;
import io.pulse.api.jobs.KeysetPage;
import io.pulse.api.jobs.QueryParams;
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

/**
 * The audit trail, newest first, keyset-paged; filters by action, actor (key id), outcome and a
 * time range ({@code since} inclusive, {@code until} exclusive, ISO-8601 instants).
 */
@Path("/api/v1/admin/audit")
@Produces(MediaType.APPLICATION_JSON)
public class AuditResource {
  public record AuditEventView(
      long id,
      OffsetDateTime occurredAt,
      String actorId,
      String actorName,
      String address,
      String action,
      String target,
      String outcome,
      JsonNode details) {}

  public record Page(List<AuditEventView> items, String nextCursor) {}

  private final EntityManager em;
  private final ObjectMapper json;

  public AuditResource(EntityManager em, ObjectMapper json) {
    this.em = em;
    this.json = json;
  }

  @GET
  @RolesAllowed(Scope.ADMIN)
  public Page list(
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
    return new Page(page.items(), page.next(last -> new AuditCursor(last.id()).encode()));
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
