package io.pulse.api.audit;

import java.util.List;

public record AuditPage(List<AuditEventView> items, String nextCursor) {}
