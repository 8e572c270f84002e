package io.pulse.common.feed;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;

/** Payloads of the feed job types. */
public final class FeedPayloads {
  private FeedPayloads() {}

  /** {@code feed.fanout}: split the post's community into member-range chunks. */
  public record Fanout(@NotNull @Positive Long postId, @NotNull @Positive Long communityId) {}

  /** {@code feed.fanout.chunk}: one set-based insert for members in [fromUserId, toUserId]. */
  public record FanoutChunk(
      @NotNull @Positive Long postId,
      @NotNull @Positive Long communityId,
      @NotNull Long fromUserId,
      @NotNull Long toUserId) {}

  /**
   * {@code feed.retract}: without a range, split the post's feed entries into user-range chunks;
   * with one, delete that chunk.
   */
  public record Retract(@NotNull @Positive Long postId, Long fromUserId, Long toUserId) {}

  /** {@code feed.backfill}: recent posts of one community (or all of the user's) into a feed. */
  public record Backfill(@NotNull @Positive Long userId, @Positive Long communityId) {}

  /** {@code feed.rebuild}: one user's feed emptied and filled again from all their communities. */
  public record Rebuild(@NotNull @Positive Long userId) {}
}
