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
 * When a scheduled job is to go out ({@code sendAt}, {@code publishAt}): after now, and at most a
 * year ahead, so that a typo in the year does not park a job for a decade. A time already past is
 * refused rather than sent at once: the caller asked for a time, and it is gone.
 */
@Target({FIELD, METHOD, PARAMETER, TYPE_USE})
@Retention(RUNTIME)
@Constraint(validatedBy = SendTime.Check.class)
public @interface SendTime {
  Duration MAX_AHEAD = Duration.ofDays(365);

  String message() default "must lie in the future and at most 365 days from now";

  Class<?>[] groups() default {};

  Class<? extends Payload>[] payload() default {};

  class Check implements ConstraintValidator<SendTime, OffsetDateTime> {
    @Override
    public boolean isValid(OffsetDateTime value, ConstraintValidatorContext context) {
      if (value == null) {
        return true;
      }
      Instant at = value.toInstant();
      Instant now = Instant.now();
      return at.isAfter(now) && !at.isAfter(now.plus(MAX_AHEAD));
    }
  }
}
