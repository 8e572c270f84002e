package io.pulse.api.notification;

import io.pulse.common.notification.QuietHours;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.time.LocalTime;
import java.util.List;
import java.util.Optional;

/** A user's quiet hours in {@code quiet_hours} (one row or none), and the zone they apply in. */
@ApplicationScoped
public class QuietHoursStore {
  private final EntityManager em;

  public QuietHoursStore(EntityManager em) {
    this.em = em;
  }

  /** Sets the window, or clears it when {@code hours} is null. */
  public void save(long userId, QuietHours hours) {
    if (hours == null) {
      em.createNativeQuery("delete from quiet_hours where user_id = ?1")
          .setParameter(1, userId)
          .executeUpdate();
      return;
    }
    em.createNativeQuery(
            """
            insert into quiet_hours (user_id, starts, ends) values (?1, ?2, ?3)
            on conflict (user_id) do update
            set starts = excluded.starts, ends = excluded.ends, updated_at = now()
            """)
        .setParameter(1, userId)
        .setParameter(2, hours.start())
        .setParameter(3, hours.end())
        .executeUpdate();
  }

  public Optional<QuietHours> find(long userId) {
    @SuppressWarnings("unchecked")
    List<Object[]> rows =
        em.createNativeQuery("select starts, ends from quiet_hours where user_id = ?1")
            .setParameter(1, userId)
            .getResultList();
    return rows.stream().findFirst().map(row -> new QuietHours(time(row[0]), time(row[1])));
  }

  /** The user's zone; {@code UTC} (the users table's default) for a user not upserted yet. */
  public String timeZone(long userId) {
    @SuppressWarnings("unchecked")
    List<String> zones =
        em.createNativeQuery("select time_zone from users where id = ?1")
            .setParameter(1, userId)
            .getResultList();
    return zones.isEmpty() ? "UTC" : zones.get(0);
  }

  private static LocalTime time(Object value) {
    return value instanceof java.sql.Time time ? time.toLocalTime() : (LocalTime) value;
  }
}
