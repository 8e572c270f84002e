package io.pulse.workers.notification;

import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;

/** A received mail's parts, decoded (GreenMail's raw text is quoted-printable or base64). */
public final class Mails {
  private Mails() {}

  public static String html(MimeMessage message) {
    return part(message, "text/html");
  }

  public static String text(MimeMessage message) {
    return part(message, "text/plain");
  }

  private static String part(MimeMessage message, String type) {
    try {
      return find(message.getContent(), type);
    } catch (IOException | MessagingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String find(Object content, String type) throws IOException, MessagingException {
    if (content instanceof Multipart multipart) {
      for (int i = 0; i < multipart.getCount(); i++) {
        BodyPart part = multipart.getBodyPart(i);
        String found =
            part.isMimeType(type) ? (String) part.getContent() : find(part.getContent(), type);
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }
}
