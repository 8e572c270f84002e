package io.pulse.api.console;

import io.pulse.api.auth.Scope;
import io.pulse.api.jobs.Ids;
import io.pulse.api.notification.NotificationResource;
import io.pulse.api.notification.PreferencesResource;
import io.pulse.api.users.User;
import io.pulse.api.why.DecisionReader;
import io.pulse.common.jobs.JobLedger;
import io.pulse.common.jobs.JobType;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jboss.resteasy.reactive.RestResponse;

/**
 * A user's notifications (inbox and preferences through their own API resources, deliveries and
 * digests from their tables) and the digest runs of the last days.
 */
@Path("/console")
@Produces(MediaType.TEXT_HTML)
public class ConsoleUsers {
  static final int ROWS = 50;
  static final int DIGEST_DAYS = 14;

  private final NotificationResource notifications;
  private final PreferencesResource preferences;
  private final UserActivity activity;
  private final JobLedger ledger;
  private final DecisionReader decisions;
  private final SecurityIdentity identity;

  public ConsoleUsers(
      NotificationResource notifications,
      PreferencesResource preferences,
      UserActivity activity,
      JobLedger ledger,
      DecisionReader decisions,
      SecurityIdentity identity) {
    this.notifications = notifications;
    this.preferences = preferences;
    this.activity = activity;
    this.ledger = ledger;
    this.decisions = decisions;
    this.identity = identity;
  }

  /** The header's "user" box: to that user's page. */
  @GET
  @Path("/users")
  @RolesAllowed(Scope.READ)
  public RestResponse<Void> find(@QueryParam("id") String id) {
    return RestResponse.seeOther(URI.create("/console/users/" + Ids.positive("id", id)));
  }

  @GET
  @Path("/users/{id}")
  @RolesAllowed(Scope.READ)
  public String user(@PathParam("id") long userId) {
    return ConsolePages.user(
            Nav.of(identity),
            new UserPageView(
                userId,
                User.findById(userId),
                notifications.inbox(userId, null, Integer.toString(ROWS), null),
                preferences.get(userId),
                activity.deliveries(userId, ROWS),
                activity.digests(userId, ROWS)))
        .render();
  }

  /** "Why did they (not) get it": the admin API's decisions for one dispatch and one recipient. */
  @GET
  @Path("/users/{id}/notifications/{jobId}")
  @RolesAllowed(Scope.READ)
  public String why(@PathParam("id") long userId, @PathParam("jobId") UUID jobId) {
    return ConsolePages.why(Nav.of(identity), decisions.read(userId, jobId)).render();
  }

  @GET
  @Path("/digests")
  @RolesAllowed(Scope.READ)
  public String digests() {
    Instant since = Instant.now().minus(Duration.ofDays(DIGEST_DAYS));
    Map<String, Long> failed =
        ledger.deadCountsByPayload(JobType.DIGEST_BUILD, since, "period", "periodStart");
    List<DigestRunsView.Row> rows =
        activity.digestRuns(since).stream()
            .map(
                run ->
                    new DigestRunsView.Row(
                        run,
                        failed.getOrDefault(run.period() + " " + run.periodStart(), 0L),
                        "/console/jobs?type=" + JobType.DIGEST_BUILD))
            .toList();
    return ConsolePages.digests(Nav.of(identity), new DigestRunsView(rows, DIGEST_DAYS)).render();
  }
}
