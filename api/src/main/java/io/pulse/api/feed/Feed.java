package io.pulse.api.feed;

import java.util.List;

public record Feed(List<FeedItem> items, String nextCursor) {}
