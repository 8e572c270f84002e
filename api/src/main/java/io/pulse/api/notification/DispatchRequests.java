package io.pulse.api.notification;

import io.pulse.api.auth.ApiConfig;
import io.pulse.api.problem.ProblemException;
import io.pulse.common.notification.NotificationConfig;
import io.pulse.common.notification.NotificationDispatch;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.TreeSet;

/** Turns a notification request into the dispatch job's payload, refusing what cannot be sent. */
@ApplicationScoped
public class DispatchRequests {
  private final ApiConfig config;
  private final NotificationConfig notifications;

  public DispatchRequests(ApiConfig config, NotificationConfig notifications) {
    this.config = config;
    this.notifications = notifications;
  }

  /**
   * @param field where the request sits in the body ({@code ""} for a single request, {@code
   *     "[3]."} for an item of a batch), so a refusal names the field exactly
   */
  public NotificationDispatch dispatch(NotificationRequest request, String field) {
    if (!notifications.knows(request.type())) {
      throw ProblemException.badField(
          field + "type",
          "unknown notification type '"
              + request.type()
              + "'; known: "
              + new TreeSet<>(notifications.types().keySet()));
    }
    if (request.recipientIds().size() > config.maxRecipients()) {
      throw ProblemException.badField(
          field + "recipientIds",
          "at most " + config.maxRecipients() + " recipients per notification");
    }
    return new NotificationDispatch(
        request.type(),
        request.recipientIds().stream().distinct().toList(),
        request.title(),
        request.body(),
        request.link(),
        request.actorId(),
        request.source(),
        request.groupKey());
  }
}
