package io.pulse.api.feed;

import java.time.OffsetDateTime;

public record FeedItem(
    long postId,
    long communityId,
    long authorId,
    String title,
    String excerpt,
    OffsetDateTime createdAt) {}
