package io.pulse.api.notification;

import io.pulse.api.auth.Scope;
import io.pulse.api.openapi.ApiDocs;
import io.pulse.api.problem.Problem;
import io.pulse.api.problem.ProblemException;
import io.pulse.common.notification.Channel;
import io.pulse.common.notification.NotificationConfig;
import io.pulse.common.notification.QuietHours;
import jakarta.annotation.security.RolesAllowed;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Which channels a user wants per notification type. Types left out keep their current choice (or
 * the defaults); an empty list opts out of the type, except for critical types, which are always
 * delivered on their default channels.
 */
// Both operations answer the channels that apply now.
@APIResponse(
    responseCode = "200",
    description = "The channels that apply now, per type",
    content =
        @Content(
            mediaType = "application/json",
            schema = @Schema(implementation = Preferences.class),
            examples =
                @ExampleObject(
                    name = "200",
                    value =
                        "{\"channels\":{\"comment.reply\":[\"in_app\",\"email\"]},\"critical\":[\"account.security\"],\"quietHours\":{\"start\":\"22:00\",\"end\":\"07:00\"},\"timeZone\":\"Asia/Seoul\",\"dailyBudget\":20}")))
@Tag(name = ApiDocs.NOTIFICATIONS)
@Path("/api/v1/users/{id}/preferences")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class PreferencesResource {
  private final EntityManager em;
  private final NotificationConfig config;
  private final QuietHoursStore quietHoursStore;

  public PreferencesResource(
      EntityManager em, NotificationConfig config, QuietHoursStore quietHoursStore) {
    this.em = em;
    this.config = config;
    this.quietHoursStore = quietHoursStore;
  }

  @PUT
  @RolesAllowed(Scope.JOBS_WRITE)
  @Transactional
  @Operation(
      summary = "Choose a user's channels, quiet hours and daily budget",
      description =
          "Sets the channels per notification type; types left out keep their choice (or the defaults), an empty list opts out of the type, and critical types are always delivered on their default channels. quietHours {start, end} (HH:mm on the user's own clock, start != end, may cross midnight) defers the emails and pushes of non-critical types until the window ends; null clears it, leaving it out keeps it. dailyBudget (0 up to the platform's `pulse.notifications.daily-budget`, default 20) lowers how many emails (and pushes) of non-critical types the user gets a day, on their own clock; past it deliveries are skipped (reason `budget`) and listed in the next digest; null goes back to the platform's budget. Any part may be left out, not all. Idempotent; concurrent PUTs never deadlock (types are written in order). Answers the channels and quiet hours that apply now.")
  @SecurityRequirement(name = ApiDocs.API_KEY, scopes = Scope.JOBS_WRITE)
  @RequestBody(
      content =
          @Content(
              mediaType = "application/json",
              examples =
                  @ExampleObject(
                      name = "request",
                      value =
                          "{\"channels\":{\"comment.reply\":[\"in_app\",\"email\"],\"mention\":[]},\"quietHours\":{\"start\":\"22:00\",\"end\":\"07:00\"},\"dailyBudget\":10}")))
  @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
  @APIResponse(responseCode = "401", ref = ApiDocs.UNAUTHORIZED)
  @APIResponse(responseCode = "403", ref = ApiDocs.FORBIDDEN)
  @APIResponse(responseCode = "413", ref = ApiDocs.TOO_LARGE)
  @APIResponse(responseCode = "415", ref = ApiDocs.NOT_JSON)
  public Preferences put(@PathParam("id") long userId, @Valid @NotNull PreferencesRequest request) {
    List<Problem.FieldError> errors = new ArrayList<>();
    if (request.channels() != null) {
      request.channels().forEach((type, channels) -> check(type, channels, errors));
    } else if (request.quietHours() == null && request.dailyBudget() == null) {
      errors.add(
          new Problem.FieldError(
              "channels", "must not be null (send channels, quietHours, dailyBudget or some)"));
    }
    Integer budget = null;
    if (request.dailyBudget() != null && request.dailyBudget().isPresent()) {
      budget = request.dailyBudget().get();
      if (budget < 0 || budget > config.dailyBudget()) {
        errors.add(
            new Problem.FieldError(
                "dailyBudget",
                "must be 0 to "
                    + config.dailyBudget()
                    + " (a user can lower the platform's daily budget, not raise it)"));
      }
    }
    QuietHours quietHours = null;
    if (request.quietHours() != null && request.quietHours().isPresent()) {
      quietHours = check(request.quietHours().get(), errors);
    }
    if (!errors.isEmpty()) {
      throw ProblemException.badFields(errors);
    }
    // In type order: two requests that lock the same rows in different orders deadlock.
    new TreeMap<>(request.channels() == null ? Map.of() : request.channels())
        .forEach(
            (type, channels) ->
                em.createNativeQuery(
                        """
                        insert into notification_preferences (user_id, type, channels)
                        values (?1, ?2, cast(?3 as text[]))
                        on conflict (user_id, type) do update
                        set channels = excluded.channels, updated_at = now()
                        """)
                    .setParameter(1, userId)
                    .setParameter(2, type)
                    .setParameter(3, "{" + String.join(",", new LinkedHashSet<>(channels)) + "}")
                    .executeUpdate());
    if (request.quietHours() != null) {
      quietHoursStore.save(userId, quietHours);
    }
    if (request.dailyBudget() != null) {
      saveBudget(userId, budget);
    }
    return read(userId);
  }

  @GET
  @RolesAllowed(Scope.READ)
  @Operation(
      summary = "Read a user's channels",
      description =
          "Every known notification type with the channels that apply now, which types are critical, the quiet hours and the daily budget that applies. Reads only.")
  @SecurityRequirement(name = ApiDocs.API_KEY, scopes = Scope.READ)
  @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
  @APIResponse(responseCode = "401", ref = ApiDocs.UNAUTHORIZED)
  @APIResponse(responseCode = "403", ref = ApiDocs.FORBIDDEN)
  public Preferences get(@PathParam("id") long userId) {
    return read(userId);
  }

  private void check(String type, List<String> channels, List<Problem.FieldError> errors) {
    String field = "channels." + type;
    if (!config.knows(type)) {
      errors.add(
          new Problem.FieldError(
              field,
              "unknown notification type; known: " + new TreeMap<>(config.types()).keySet()));
    } else if (channels == null) {
      errors.add(new Problem.FieldError(field, "must be a list of channels (empty to opt out)"));
    } else {
      for (String channel : channels) {
        // List.of(...).contains(null) throws: a null in the list was a 500.
        if (channel == null || !Channel.ALL.contains(channel)) {
          errors.add(
              new Problem.FieldError(
                  field, "unknown channel '" + channel + "'; known: " + Channel.ALL));
        }
      }
    }
  }

  /** The window, or null with the fields' errors added. */
  private static QuietHours check(QuietHoursWindow window, List<Problem.FieldError> errors) {
    int before = errors.size();
    checkTime("quietHours.start", window.start(), errors);
    checkTime("quietHours.end", window.end(), errors);
    if (errors.size() > before) {
      return null;
    }
    if (window.start().equals(window.end())) {
      errors.add(
          new Problem.FieldError(
              "quietHours",
              "start and end must differ (" + window.start() + " to itself is no window)"));
      return null;
    }
    return QuietHours.of(window.start(), window.end());
  }

  private static void checkTime(String field, String time, List<Problem.FieldError> errors) {
    if (time == null || !QuietHours.TIME.matcher(time).matches()) {
      errors.add(new Problem.FieldError(field, "must be a 24-hour time HH:mm, 00:00 to 23:59"));
    }
  }

  /** Sets the user's own budget, or drops it (back to the platform's) when null. */
  private void saveBudget(long userId, Integer budget) {
    if (budget == null) {
      em.createNativeQuery("delete from notification_budgets where user_id = ?1")
          .setParameter(1, userId)
          .executeUpdate();
      return;
    }
    em.createNativeQuery(
            """
            insert into notification_budgets (user_id, daily_budget) values (?1, ?2)
            on conflict (user_id) do update
            set daily_budget = excluded.daily_budget, updated_at = now()
            """)
        .setParameter(1, userId)
        .setParameter(2, budget)
        .executeUpdate();
  }

  /** The budget that applies: the user's own (never above the platform's), or the platform's. */
  private int budget(long userId) {
    List<?> own =
        em.createNativeQuery("select daily_budget from notification_budgets where user_id = ?1")
            .setParameter(1, userId)
            .getResultList();
    return own.isEmpty()
        ? config.dailyBudget()
        : Math.min(config.dailyBudget(), ((Number) own.get(0)).intValue());
  }

  private Preferences read(long userId) {
    @SuppressWarnings("unchecked")
    List<Object[]> rows =
        em.createNativeQuery(
                "select type, channels from notification_preferences where user_id = ?1")
            .setParameter(1, userId)
            .getResultList();
    Map<String, List<String>> chosen = new TreeMap<>();
    for (Object[] row : rows) {
      chosen.put((String) row[0], List.of((String[]) row[1]));
    }
    Map<String, List<String>> effective = new TreeMap<>();
    List<String> critical = new ArrayList<>();
    config
        .types()
        .forEach(
            (type, settings) -> {
              if (settings.critical()) {
                critical.add(type);
              }
              effective.put(type, List.copyOf(config.channelsFor(type, chosen.get(type))));
            });
    QuietHoursWindow quiet =
        quietHoursStore
            .find(userId)
            .map(hours -> new QuietHoursWindow(hours.startText(), hours.endText()))
            .orElse(null);
    return new Preferences(
        effective,
        critical.stream().sorted().toList(),
        quiet,
        quietHoursStore.timeZone(userId),
        budget(userId));
  }
}
