package io.pulse.bench;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.time.Duration;
import java.util.Properties;

/**
 * What SMTP alone allows here: plain Jakarta Mail sending two-part (text and HTML) mails one after
 * another over one connection to a GreenMail server on the same port the workers send to. No
 * rendering, no database, no broker: the yardstick of the email and digest scenarios.
 */
final class PlainSmtp {
  /** How many mails went out and how long that took. */
  record Result(long sent, Duration took) {
    double perSecond() {
      return sent / (took.toNanos() / 1e9);
    }
  }

  /** A mail's subject and its two bodies. */
  record Shape(String subject, String text, String html) {}

  private static final int WARM_UP = 2_000;

  private PlainSmtp() {}

  /** Starts GreenMail on {@code port}, sends {@code count} mails of {@code shape}, stops it. */
  static Result send(int port, int count, String recipientPrefix, Shape shape) throws Exception {
    GreenMail smtp = server(port);
    try {
      Properties props = new Properties();
      props.put("mail.smtp.host", BenchSettings.HOST);
      props.put("mail.smtp.port", Integer.toString(port));
      Session session = Session.getInstance(props);
      long started = 0;
      long sent = 0;
      try (Transport transport = session.getTransport("smtp")) {
        transport.connect();
        // Warmed up as Pulse's workers are before their measured run: 2,000 mails, not measured.
        for (int i = -WARM_UP; i < count; i++) {
          if (i == 0) {
            started = System.nanoTime();
          }
          MimeMessage mail = mail(session, recipientPrefix + i + "@bench.example", shape);
          transport.sendMessage(mail, mail.getAllRecipients());
          sent += i < 0 ? 0 : 1;
        }
      }
      return new Result(sent, Duration.ofNanos(System.nanoTime() - started));
    } finally {
      smtp.stop();
    }
  }

  /** The bench's SMTP server, started on {@code port}. */
  static GreenMail server(int port) {
    GreenMail smtp =
        new GreenMail(new ServerSetup(port, BenchSettings.HOST, ServerSetup.PROTOCOL_SMTP));
    smtp.start();
    return smtp;
  }

  private static MimeMessage mail(Session session, String to, Shape shape) throws Exception {
    MimeMessage mail = new MimeMessage(session);
    mail.setFrom(new InternetAddress("notifications@pulse.example"));
    mail.setRecipient(Message.RecipientType.TO, new InternetAddress(to));
    mail.setSubject(shape.subject());
    MimeBodyPart text = new MimeBodyPart();
    text.setText(shape.text());
    MimeBodyPart html = new MimeBodyPart();
    html.setContent(shape.html(), "text/html; charset=utf-8");
    MimeMultipart parts = new MimeMultipart("alternative");
    parts.addBodyPart(text);
    parts.addBodyPart(html);
    mail.setContent(parts);
    return mail;
  }
}
