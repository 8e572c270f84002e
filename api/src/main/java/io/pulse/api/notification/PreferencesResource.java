package io.pulse.api.notification;

import io.pulse.api.auth.Scope;
import io.pulse.api.problem.Problem;
import io.pulse.api.problem.ProblemException;
import io.pulse.common.notification.Channel;
import io.pulse.common.notification.NotificationConfig;
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
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which channels a user wants per notification type. Types left out keep their current choice (or
 * the defaults); an empty list opts out of the type, except for critical types, which are always
 * delivered on their default channels.
 */
@Path("/api/v1/users/{id}/preferences")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class PreferencesResource {
  private final EntityManager em;
  private final NotificationConfig config;

  public PreferencesResource(EntityManager em, NotificationConfig config) {
    this.em = em;
    this.config = config;
  }

  @PUT
  @RolesAllowed(Scope.JOBS_WRITE)
  @Transactional
  public Preferences put(@PathParam("id") long userId, @Valid @NotNull PreferencesRequest request) {
    List<Problem.FieldError> errors = new ArrayList<>();
    request.channels().forEach((type, channels) -> check(type, channels, errors));
    if (!errors.isEmpty()) {
      throw new ProblemException(
          Problem.of(
                  Response.Status.BAD_REQUEST,
                  "invalid-request",
                  errors.get(0).field() + ": " + errors.get(0).message())
              .withErrors(errors));
    }
    // In type order: two requests that lock the same rows in different orders deadlock.
    new TreeMap<>(request.channels())
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
    return read(userId);
  }

  @GET
  @RolesAllowed(Scope.READ)
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
              LinkedHashSet<String> channels =
                  new LinkedHashSet<>(chosen.getOrDefault(type, settings.defaultChannels()));
              if (settings.critical()) {
                channels.addAll(settings.defaultChannels());
                critical.add(type);
              }
              effective.put(type, List.copyOf(channels));
            });
    return new Preferences(effective, critical.stream().sorted().toList());
  }
}
