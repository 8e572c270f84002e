package io.pulse.workers.notification;

import io.pulse.common.jobs.JobType;
import io.pulse.common.notification.NotificationDispatch;
import io.pulse.workers.jobs.JobContext;
import io.pulse.workers.jobs.JobHandler;
import jakarta.enterprise.context.ApplicationScoped;

/** Writes the in-app notification of every recipient in one statement. */
@ApplicationScoped
public class NotificationDispatchHandler implements JobHandler<NotificationDispatch> {
  private final InAppNotificationWriter inApp;

  public NotificationDispatchHandler(InAppNotificationWriter inApp) {
    this.inApp = inApp;
  }

  @Override
  public String type() {
    return JobType.NOTIFICATION_DISPATCH;
  }

  @Override
  public Class<NotificationDispatch> payloadType() {
    return NotificationDispatch.class;
  }

  @Override
  public void handle(NotificationDispatch payload, JobContext context) {
    inApp.write(context.jobId(), payload, payload.recipientIds());
  }
}
