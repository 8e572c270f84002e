package io.pulse.api.admin;

import io.pulse.api.audit.AuditTrail;
import io.pulse.api.auth.Scope;
import io.pulse.api.jobs.Ids;
import io.pulse.api.jobs.KeysetPage;
import io.pulse.api.jobs.QueryParams;
import io.pulse.api.problem.ProblemException;
import io.pulse.common.jobs.JobLedger;
import io.pulse.common.jobs.JobLedger.DeadRow;
import io.pulse.common.jobs.JobType;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/** Dead jobs: list them with their errors, and replay chosen ones (or a type's oldest). */
@Path("/api/v1/admin/dead-letters")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class DeadLetterResource {

  public record DeadLetter(
      UUID jobId,
      String type,
      String errorClass,
      String errorMessage,
      int attempts,
      Instant failedAt) {
    static DeadLetter of(DeadRow row) {
      LastError error = LastError.parse(row.lastError());
      return new DeadLetter(
          row.id(),
          row.type(),
          error.errorClass(),
          error.message(),
          row.attempts(),
          row.failedAt());
    }
  }

  public record Page(List<DeadLetter> items, String nextCursor) {}

  /** Either {@code jobIds}, or {@code type} with an optional {@code limit}. */
  public record ReplayRequest(List<String> jobIds, String type, Integer limit) {}

  private final JobLedger ledger;
  private final DeadLetterReplay replay;
  private final AdminConfig config;
  private final AuditTrail audit;

  public DeadLetterResource(
      JobLedger ledger, DeadLetterReplay replay, AdminConfig config, AuditTrail audit) {
    this.audit = audit;
    this.ledger = ledger;
    this.replay = replay;
    this.config = config;
  }

  @GET
  @RolesAllowed(Scope.ADMIN)
  public Page list(
      @QueryParam("type") String type,
      @QueryParam("limit") String limit,
      @QueryParam("cursor") String cursor) {
    String only = type == null ? null : knownType(type);
    int size = QueryParams.limit(limit);
    DeadLetterCursor after = DeadLetterCursor.decode(cursor);
    KeysetPage<DeadRow> page =
        KeysetPage.of(
            ledger.deadPage(
                only,
                after == null ? null : after.failedAt(),
                after == null ? null : after.jobId(),
                KeysetPage.fetch(size)),
            size);
    return new Page(
        page.map(DeadLetter::of),
        page.next(last -> new DeadLetterCursor(last.failedAt(), last.id()).encode()));
  }

  @POST
  @RolesAllowed(Scope.ADMIN)
  @Path("/replay")
  public DeadLetterReplay.Result replay(@NotNull ReplayRequest request) {
    DeadLetterReplay.Selection selection = selection(request);
    return audit.around(
        "dead-letters.replayed",
        selection.type() != null ? "type " + selection.type() : "jobs",
        () -> replay.replay(selection),
        result ->
            Map.of(
                "moved",
                result.replayed().stream().map(DeadLetterReplay.Replayed::jobId).toList(),
                "skipped",
                result.skipped()));
  }

  private DeadLetterReplay.Selection selection(ReplayRequest request) {
    int max = config.replay().maxJobs();
    if ((request.jobIds() == null) == (request.type() == null)) {
      throw ProblemException.badField(
          "jobIds", "give either jobIds or a type (with an optional limit)");
    }
    if (request.type() != null) {
      int limit = request.limit() == null ? max : request.limit();
      if (limit < 1 || limit > max) {
        throw ProblemException.badField("limit", "must be an integer from 1 to " + max);
      }
      return new DeadLetterReplay.Selection(null, knownType(request.type()), limit);
    }
    if (request.limit() != null) {
      throw ProblemException.badField("limit", "goes with type, not with jobIds");
    }
    if (request.jobIds().isEmpty() || request.jobIds().size() > max) {
      throw ProblemException.badField("jobIds", "must hold 1 to " + max + " job ids");
    }
    Set<UUID> ids = new LinkedHashSet<>();
    for (int i = 0; i < request.jobIds().size(); i++) {
      String id = request.jobIds().get(i);
      ids.add(Ids.uuid("jobIds[" + i + "]", id == null ? "null" : id));
    }
    return new DeadLetterReplay.Selection(new ArrayList<>(ids), null, 0);
  }

  private static String knownType(String type) {
    if (!JobType.ALL.contains(type)) {
      throw ProblemException.badField(
          "type", "unknown job type '" + type + "'; known: " + new TreeSet<>(JobType.ALL));
    }
    return type;
  }
}
