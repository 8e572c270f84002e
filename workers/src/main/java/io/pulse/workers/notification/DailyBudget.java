package io.pulse.workers.notification;

import io.pulse.common.notification.NotificationConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;

/**
 * The per-user daily budget of deliveries that reach a person (email, and push once it exists):
 * {@code pulse.notifications.daily-budget}, or the user's own lower one, per day of the user's own
 * calendar. Critical types neither count nor are limited.
 *
 * <p>A send is taken in the delivery's own transaction with one {@code INSERT ... ON CONFLICT DO
 * UPDATE ... WHERE spent < budget}: concurrent deliveries of one user queue on the day's row, so
 * exactly the budget's number go out, and a send that fails (rolled back) gives its place back. The
 * price: one user's budgeted sends go out one after another, each holding the row until it commits;
 * different users never wait for each other.
 */
@ApplicationScoped
public class DailyBudget {
  private final EntityManager em;
  private final NotificationConfig config;

  public DailyBudget(EntityManager em, NotificationConfig config) {
    this.em = em;
    this.config = config;
  }

  /** Whether a delivery of {@code type} on {@code channel} is held to the budget at all. */
  public boolean applies(String type, String channel) {
    return config.countsTowardsBudget(channel) && !config.critical(type);
  }

  /** The user's zone, day budget and digest setting, read when a send is taken. */
  public record Owner(ZoneId zone, int budget, String digest) {}

  /** What {@link #take} decided, and for whom. */
  public record Taken(boolean taken, Owner owner, LocalDate day) {}

  /** Takes one send from the user's budget of their day at {@code now}. */
  public Taken take(long userId, Instant now) {
    Owner owner = owner(userId);
    LocalDate day = now.atZone(owner.zone()).toLocalDate();
    if (owner.budget() <= 0) {
      return new Taken(false, owner, day);
    }
    List<?> spent =
        em.createNativeQuery(
                """
                insert into notification_budget_days as d (user_id, day, spent)
                values (?1, ?2, 1)
                on conflict (user_id, day) do update set spent = d.spent + 1
                where d.spent < ?3
                returning spent
                """)
            .setParameter(1, userId)
            .setParameter(2, day)
            .setParameter(3, owner.budget())
            .getResultList();
    if (!spent.isEmpty() && ((Number) spent.get(0)).intValue() == 1) {
      // The user's first send of a new day: their earlier days are done with. Kept from growing
      // here, once per user and day, rather than by a sweep over the whole table.
      em.createNativeQuery("delete from notification_budget_days where user_id = ?1 and day < ?2")
          .setParameter(1, userId)
          .setParameter(2, day.minusDays(1))
          .executeUpdate();
    }
    return new Taken(!spent.isEmpty(), owner, day);
  }

  private Owner owner(long userId) {
    @SuppressWarnings("unchecked")
    List<Object[]> rows =
        em.createNativeQuery(
                """
                select coalesce(u.time_zone, 'UTC'), b.daily_budget, coalesce(u.digest, 'off')
                from (select cast(?1 as bigint) as id) x
                left join users u on u.id = x.id
                left join notification_budgets b on b.user_id = x.id
                """)
            .setParameter(1, userId)
            .getResultList();
    Object[] row = rows.get(0);
    int budget = config.dailyBudget();
    if (row[1] != null) {
      // A user may lower the budget, never raise it past the platform's.
      budget = Math.min(budget, ((Number) row[1]).intValue());
    }
    return new Owner(zone((String) row[0]), budget, (String) row[2]);
  }

  /** The API only stores zones Java knows; one it no longer knows counts days in UTC. */
  private static ZoneId zone(String name) {
    try {
      return ZoneId.of(name);
    } catch (DateTimeException unknown) {
      return ZoneOffset.UTC;
    }
  }
}
