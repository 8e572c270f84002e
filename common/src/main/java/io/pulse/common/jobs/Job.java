package io.pulse.common.jobs;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.hibernate.annotations.Immutable;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * A row of the job ledger, read-only: what was asked, where it is in its life, and its last error.
 * Every write goes through {@link JobLedger}, where the transition table guards it.
 */
@Entity
@Immutable
@Table(name = "jobs")
public class Job extends PanacheEntityBase {
  @Id public UUID id;

  @Column(nullable = false)
  public String type;

  @Column(nullable = false)
  public String status;

  @Column(name = "idempotency_key")
  public String idempotencyKey;

  @Column(name = "request_hash")
  public String requestHash;

  @JdbcTypeCode(SqlTypes.JSON)
  public String payload;

  public int attempts;

  @Column(name = "last_error")
  public String lastError;

  @Column(name = "next_attempt_at")
  public OffsetDateTime nextAttemptAt;

  @Column(name = "created_at", nullable = false)
  public OffsetDateTime createdAt;

  @Column(name = "updated_at", nullable = false)
  public OffsetDateTime updatedAt;

  @Column(name = "published_at")
  public OffsetDateTime publishedAt;

  @Column(name = "finished_at")
  public OffsetDateTime finishedAt;

  public String traceparent;

  /** When a scheduled job is (or was) due; null for a job sent at once. */
  @Column(name = "send_at")
  public OffsetDateTime sendAt;

  /** The job whose handler created this one; null for a job the API accepted. */
  @Column(name = "parent_id")
  public UUID parentId;

  public JobStatus jobStatus() {
    return JobStatus.fromWire(status);
  }
}
