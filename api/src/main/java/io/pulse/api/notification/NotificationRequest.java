package io.pulse.api.notification;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;
import java.util.List;

/** Body of {@code POST /notifications}. */
public record NotificationRequest(
    @NotBlank
        @Size(max = 100)
        @Pattern(
            regexp = "[a-z0-9][a-z0-9_.-]*",
            message = "must be lower-case letters, digits, '.', '_' or '-'")
        String type,
    @NotEmpty @Size(max = 10_000) List<@NotNull @Positive Long> recipientIds,
    @NotBlank @Size(max = 200) String title,
    @Size(max = 4_000) String body,
    @Size(max = 2_000) String link,
    @Positive Long actorId) {}
