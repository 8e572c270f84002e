package io.pulse.api.admin;

import java.util.List;
import java.util.UUID;

/** The only time the secret is returned: only its hash is stored. */
public record CreatedKey(
    UUID id, String name, List<String> scopes, LimitsView limits, String key) {}
