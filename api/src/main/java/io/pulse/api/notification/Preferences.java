package io.pulse.api.notification;

import java.util.List;
import java.util.Map;

/** Every known type with the channels that apply now, and whether the user chose them. */
public record Preferences(Map<String, List<String>> channels, List<String> critical) {}
