package io.pulse.workers.notification;

import io.pulse.workers.jobs.PermanentJobException;
import io.vertx.ext.mail.SMTPException;

/** How a failed SMTP send is retried: every mail a worker sends goes through here. */
public final class SmtpFailures {
  private SmtpFailures() {}

  /** A 5xx is the server's final word; everything else (4xx, refused, timeout) may pass later. */
  public static RuntimeException classify(RuntimeException failure, String to) {
    for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
      if (t instanceof SMTPException smtp && smtp.isPermanent()) {
        return new PermanentJobException(
            "SMTP server rejected mail to "
                + to
                + ": "
                + smtp.getReplyCode()
                + " "
                + smtp.getReplyMessage(),
            failure);
      }
    }
    return failure;
  }
}
