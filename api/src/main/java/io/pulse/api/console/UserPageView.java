package io.pulse.api.console;

import io.pulse.api.notification.Inbox;
import io.pulse.api.notification.Preferences;
import io.pulse.api.users.User;
import java.util.List;

/** One user's notifications as support needs them: inbox, deliveries, preferences, digests. */
public record UserPageView(
    long userId,
    User user,
    Inbox inbox,
    Preferences preferences,
    List<UserActivity.DeliveryRow> deliveries,
    List<UserActivity.DigestRow> digests) {}
