package io.pulse.api.notification;

import java.util.List;

public record Inbox(List<NotificationView> items, String nextCursor) {}
