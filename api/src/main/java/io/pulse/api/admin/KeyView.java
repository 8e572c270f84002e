package io.pulse.api.admin;

import java.util.List;
import java.util.UUID;

public record KeyView(UUID id, String name, List<String> scopes, LimitsView limits) {}
