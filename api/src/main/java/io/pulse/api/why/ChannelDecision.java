package io.pulse.api.why;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.OffsetDateTime;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * What was decided for one channel of one notification to one recipient, and when. Fields that do
 * not apply to the decision are left out.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChannelDecision(
    @Schema(description = "in_app, email, webhook or push") String channel,
    @Schema(
            description =
                "sent, skipped (see reason), pending (not run yet), retrying (see error), dead (see error)")
        String decision,
    @Schema(
            description =
                "Why it was skipped: preference, no_address, no_subscription, quiet_hours, budget, read, recalled, grouped")
        String reason,
    @Schema(description = "When this decision was taken (or, pending, when it was made pending)")
        OffsetDateTime at,
    @Schema(description = "The inbox item (in_app, sent)") String itemId,
    @Schema(
            description =
                "The email's Message-ID, the webhook receiver's request id, or the push endpoint's host")
        String providerId,
    @Schema(description = "quiet_hours: when the window ends and the email or push goes out")
        OffsetDateTime deferredUntil,
    @Schema(description = "grouped: the inbox item it was folded into") GroupedInto groupedInto,
    @Schema(description = "retrying or dead: the last error") String error,
    @Schema(description = "retrying: when the next attempt is due; pending: when it is due")
        OffsetDateTime nextAttemptAt,
    @Schema(description = "Send attempts so far") Integer attempts) {

  /** The item a grouped notification went into: its current id and the job that opened it. */
  public record GroupedInto(
      @Schema(description = "The item's id now (null once it left the inbox)", nullable = true)
          String itemId,
      String jobId) {}
}
