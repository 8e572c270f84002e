package io.pulse.workers.notification;

import io.pulse.common.notification.NotificationConfig;
import io.pulse.workers.jobs.JobContext;
import io.pulse.workers.jobs.PermanentJobException;
import io.quarkus.mailer.Mail;
import io.quarkus.mailer.Mailer;
import io.vertx.ext.mail.SMTPException;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Sends the mail a job is about; every mail a worker sends goes through here. Its Message-ID is the
 * job's id, the same on every attempt, so a server that got the mail before a crash (send done,
 * commit lost) can drop the repeat. A failed send is classified for the retry policy.
 */
@ApplicationScoped
public class JobMailer {
  private final Mailer mailer;
  private final String messageIdDomain;

  public JobMailer(Mailer mailer, NotificationConfig config) {
    this.mailer = mailer;
    this.messageIdDomain = config.messageIdDomain();
  }

  /** Sends the mail; returns its Message-ID. */
  public String send(Mail mail, JobContext context) {
    String messageId = "<" + context.jobId() + "@" + messageIdDomain + ">";
    mail.addHeader("Message-ID", messageId);
    try {
      mailer.send(mail);
    } catch (RuntimeException e) {
      throw classify(e, String.join(", ", mail.getTo()));
    }
    return messageId;
  }

  /** A 5xx is the server's final word; everything else (4xx, refused, timeout) may pass later. */
  private static RuntimeException classify(RuntimeException failure, String to) {
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
