package io.pulse.api.feed;

public record CommunityView(long id, String name) {}
