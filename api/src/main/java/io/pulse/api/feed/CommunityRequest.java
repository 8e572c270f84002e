package io.pulse.api.feed;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

public record CommunityRequest(@NotBlank @Size(max = 200) String name) {}
