package io.pulse.api.auth;

import io.pulse.common.jobs.JobCodec;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * An API key as stored: only its SHA-256 is kept. Keys are 256 random bits, so a fast hash is
 * enough (there is nothing to brute-force that a slow hash would protect).
 */
@Entity
@Table(name = "api_keys")
public class ApiKey extends PanacheEntityBase {
  private static final SecureRandom RANDOM = new SecureRandom();

  @Id public UUID id;

  public String name;

  @Column(name = "key_hash")
  public String keyHash;

  @JdbcTypeCode(SqlTypes.ARRAY)
  public String[] scopes;

  @Column(name = "created_at")
  public OffsetDateTime createdAt;

  @Column(name = "revoked_at")
  public OffsetDateTime revokedAt;

  /** After this the key is refused (401 naming its expiry); null: it does not expire. */
  @Column(name = "expires_at")
  public OffsetDateTime expiresAt;

  /** The hash of the secret this key had before its last rotation. */
  @Column(name = "previous_key_hash")
  public String previousKeyHash;

  /** Until when the previous secret still works (the rotation's grace period). */
  @Column(name = "previous_key_valid_until")
  public OffsetDateTime previousKeyValidUntil;

  /** Null: the configured default (pulse.api.limits.requests-per-second). */
  @Column(name = "requests_per_second")
  public Integer requestsPerSecond;

  /** Null: the configured default (pulse.api.limits.burst). */
  public Integer burst;

  /** Null: the configured default (pulse.api.limits.daily-job-quota), if any. */
  @Column(name = "daily_job_quota")
  public Long dailyJobQuota;

  /**
   * The key whose current or previous secret has this hash, unless it was revoked. Whether it has
   * expired, or its previous secret's grace ended, is checked per request ({@link KeyValidity}).
   */
  public static Optional<ApiKey> findActive(String keyHash) {
    return find("(keyHash = ?1 or previousKeyHash = ?1) and revokedAt is null", keyHash)
        .firstResultOptional();
  }

  /** A new secret: "pk_" and 43 URL-safe characters. */
  public static String newSecret() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return "pk_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  public static String hash(String key) {
    return JobCodec.sha256(key.getBytes(StandardCharsets.UTF_8));
  }
}
