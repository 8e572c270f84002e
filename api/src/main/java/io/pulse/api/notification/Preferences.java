package io.pulse.api.notification;

import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Every known type with the channels that apply now, which types are critical, and the user's quiet
 * hours (null: none) with the time zone they are read in, and the daily budget that applies.
 */
public record Preferences(
    Map<String, List<String>> channels,
    List<String> critical,
    @Schema(nullable = true) QuietHoursWindow quietHours,
    @Schema(description = "The user's time zone (PUT /users/{id}); UTC until the user has one")
        String timeZone,
    @Schema(
            description =
                "Budgeted deliveries (email, push) of non-critical types a day: the user's own budget, or the platform's")
        int dailyBudget) {}
