package io.pulse.api.admin;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.List;

public record CreateKey(
    @NotBlank @Size(max = 100) String name,
    @NotEmpty @Size(max = 3) List<@NotNull String> scopes) {}
