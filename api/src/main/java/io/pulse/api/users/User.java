package io.pulse.api.users;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;

/** A user of the calling platform, as far as notifications, feeds and digests need to know. */
@Entity
@Table(name = "users")
public class User extends PanacheEntityBase {
  @Id public Long id;
  public String handle;
  public String email;

  @Column(name = "display_name")
  public String displayName;

  @Column(name = "time_zone")
  public String timeZone;

  public String digest;

  /** BCP 47, normalized; null follows {@code pulse.notifications.default-locale}. */
  public String locale;

  @Column(name = "last_active_at")
  public OffsetDateTime lastActiveAt;

  @Column(name = "created_at", insertable = false, updatable = false)
  public OffsetDateTime createdAt;

  @Column(name = "updated_at")
  public OffsetDateTime updatedAt;
}
