package io.pulse.api.admin;

import java.util.List;

/** Either {@code jobIds}, or {@code type} with an optional {@code limit}. */
public record ReplayRequest(List<String> jobIds, String type, Integer limit) {}
