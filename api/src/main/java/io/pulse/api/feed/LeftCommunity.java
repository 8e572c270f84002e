package io.pulse.api.feed;

public record LeftCommunity(long communityId, long userId, int feedEntriesRemoved) {}
