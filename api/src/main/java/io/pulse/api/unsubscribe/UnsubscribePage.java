package io.pulse.api.unsubscribe;

import io.quarkus.qute.TemplateData;

/**
 * What an unsubscribe page shows; the words are the templates'. {@code state} is {@code confirm}
 * (nothing changed yet), {@code done} or {@code refused}. {@code scope} is what the page is about:
 * {@code digest}, {@code type} (one notification type's email, {@code type} names it) or {@code
 * all} (every non-critical type's email). A refusal has a {@code reason} ({@code malformed}, {@code
 * forged}, {@code expired}, {@code used}, {@code critical}, {@code choice}) and a {@code detail}
 * for people who read English. {@code offerAll} shows the form that switches off all non-critical
 * email; {@code token} (for the forms) is null when there is no form.
 */
@TemplateData
public record UnsubscribePage(
    String state,
    String scope,
    String type,
    String reason,
    String detail,
    String token,
    boolean offerAll,
    String settingsUrl) {

  public boolean confirming() {
    return "confirm".equals(state);
  }
}
