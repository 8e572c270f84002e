package io.pulse.api.feed;

import io.pulse.api.validation.PlausibleTime;
import io.pulse.api.validation.SendTime;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.time.OffsetDateTime;

/** Body of {@code POST /posts}; {@code publishAt} schedules its fan-out (an announcement). */
public record PostRequest(
    @NotNull @Positive Long postId,
    @NotNull @Positive Long communityId,
    @NotNull @Positive Long authorId,
    @NotBlank @Size(max = 300) String title,
    @Size(max = 1_000) String excerpt,
    @NotNull @PlausibleTime OffsetDateTime createdAt,
    @SendTime OffsetDateTime publishAt) {

  /** When the post goes out to feeds, or null for now. */
  public Instant publishInstant() {
    return publishAt == null ? null : publishAt.toInstant();
  }
}
