package io.pulse.api.validation;

import static java.lang.annotation.ElementType.FIELD;
import static java.lang.annotation.ElementType.METHOD;
import static java.lang.annotation.ElementType.PARAMETER;
import static java.lang.annotation.ElementType.TYPE_USE;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.Retention;
import java.lang.annotation.Target;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;

/**
 * A moment the calling platform reports as already past (a post's creation, a user's last
 * activity): from 1970 to one day ahead of our clock, which leaves room for skewed clocks. Later
 * ones do harm that lasts: last-active times never move backwards, and a post from the future sits
 * on top of every feed. Years outside PostgreSQL's range would fail the insert (a 500).
 */
@Target({FIELD, METHOD, PARAMETER, TYPE_USE})
@Retention(RUNTIME)
@Constraint(validatedBy = PlausibleTime.Check.class)
public @interface PlausibleTime {
  Instant EARLIEST = Instant.EPOCH;
  Duration CLOCK_SKEW = Duration.ofDays(1);

  String message() default "must lie between 1970-01-01T00:00:00Z and one day from now";

  Class<?>[] groups() default {};

  Class<? extends Payload>[] payload() default {};

  class Check implements ConstraintValidator<PlausibleTime, OffsetDateTime> {
    @Override
    public boolean isValid(OffsetDateTime value, ConstraintValidatorContext context) {
      if (value == null) {
        return true;
      }
      Instant at = value.toInstant();
      return !at.isBefore(EARLIEST) && !at.isAfter(Instant.now().plus(CLOCK_SKEW));
    }
  }
}
