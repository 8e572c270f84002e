package io.pulse.api.why;

import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Every channel's decision for one dispatch job and one recipient. */
public record NotificationDecisions(
    long userId,
    UUID jobId,
    @Schema(description = "The notification type") String type,
    @Schema(
            description =
                "The dispatch job's status in the ledger: until it has run, no channel is decided")
        String dispatch,
    List<ChannelDecision> channels) {}
