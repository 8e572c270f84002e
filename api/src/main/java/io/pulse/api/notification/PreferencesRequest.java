package io.pulse.api.notification;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Body of {@code PUT /users/{id}/preferences}. Any part may be left out and keeps its setting;
 * {@code quietHours} and {@code dailyBudget} are tri-state: absent (Java null) keeps it, JSON null
 * ({@link Optional#empty}) clears it, a window sets it.
 */
public record PreferencesRequest(
    @Schema(description = "Channels per notification type; types left out keep their setting")
        Map<String, List<String>> channels,
    @Schema(
            description =
                "Quiet hours on the user's own clock; null clears them, leaving the field out keeps them",
            nullable = true,
            implementation = QuietHoursWindow.class)
        @JsonDeserialize(using = QuietHoursOrNull.class)
        Optional<QuietHoursWindow> quietHours,
    @Schema(
            description =
                "The most emails (and pushes) of non-critical types a day, on the user's own clock: 0 up to pulse.notifications.daily-budget; null goes back to the platform's budget, leaving the field out keeps it",
            nullable = true,
            implementation = Integer.class)
        @JsonDeserialize(using = BudgetOrNull.class)
        Optional<Integer> dailyBudget) {

  /** The same tri-state as {@code quietHours}, for the budget. */
  static final class BudgetPresentOrNull extends StdDeserializer<Optional<Integer>> {
    BudgetPresentOrNull() {
      super(Optional.class);
    }

    @Override
    public Optional<Integer> deserialize(JsonParser parser, DeserializationContext context)
        throws IOException {
      return Optional.of(context.readValue(parser, Integer.class));
    }

    @Override
    public Optional<Integer> getNullValue(DeserializationContext context) {
      return Optional.empty();
    }

    @Override
    public Object getAbsentValue(DeserializationContext context) {
      return null;
    }
  }

  /**
   * Tells a JSON null (clear) from a missing field (keep): Jackson's own Optional reads both as
   * empty when the record is built.
   */
  abstract static class PresentOrNull<T> extends StdDeserializer<Optional<T>> {
    private final Class<T> type;

    PresentOrNull(Class<T> type) {
      super(Optional.class);
      this.type = type;
    }

    @Override
    public Optional<T> deserialize(JsonParser parser, DeserializationContext context)
        throws IOException {
      return Optional.of(context.readValue(parser, type));
    }

    @Override
    public Optional<T> getNullValue(DeserializationContext context) {
      return Optional.empty();
    }

    @Override
    public Object getAbsentValue(DeserializationContext context) {
      return null;
    }
  }

  static final class QuietHoursOrNull extends PresentOrNull<QuietHoursWindow> {
    QuietHoursOrNull() {
      super(QuietHoursWindow.class);
    }
  }

  static final class BudgetOrNull extends PresentOrNull<Integer> {
    BudgetOrNull() {
      super(Integer.class);
    }
  }
}
