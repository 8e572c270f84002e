package io.pulse.api.notification;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Quiet hours as the API takes and answers them: {@code HH:mm} on the user's own clock. */
@Schema(
    description =
        "Daily quiet hours on the wall clock of the user's timeZone: from start (included) to end (excluded); start after end crosses midnight. Emails of non-critical types wait until the window ends.")
public record QuietHoursWindow(
    @Schema(examples = "22:00", pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$") String start,
    @Schema(examples = "07:00", pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$") String end) {}
