package io.pulse.api.notification;

import jakarta.validation.constraints.NotNull;
import java.util.List;
import java.util.Map;

public record PreferencesRequest(@NotNull Map<String, List<String>> channels) {}
