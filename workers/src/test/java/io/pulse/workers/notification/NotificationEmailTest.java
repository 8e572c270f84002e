package io.pulse.workers.notification;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pulse.common.digest.UnsubscribeScope;
import io.pulse.common.digest.UnsubscribeTokens;
import io.pulse.common.notification.ChannelDelivery;
import io.pulse.workers.TestSql;
import io.pulse.workers.WithMailServer;
import io.quarkus.mailer.Mail;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.mail.internet.MimeMessage;
import java.time.Instant;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * A notification email as its reader gets it: their language (with the fallback), their clock, the
 * actor's and community's names, the caller's own title and body, and a signed one-click
 * unsubscribe link for its type (none for a critical type). Sent through GreenMail.
 */
@QuarkusTest
class NotificationEmailTest extends WithMailServer {
  static long nextId = 940_000_000L + (System.currentTimeMillis() % 100_000) * 100;

  @Inject NotificationFixtures fixtures;
  @Inject NotificationEmails emails;
  @Inject UnsubscribeTokens tokens;
  @Inject TestSql db;

  @ConfigProperty(name = "pulse.digests.public-url")
  String publicUrl;

  @Test
  void aKoreanReaderGetsKoreanWordsTheirClockAndTheNames() {
    long actor = user("minsu", "민수", null, "UTC");
    long post = clubPost("로보틱스 클럽");
    long reader = user("mina", "미나", "ko-KR", "Asia/Seoul");
    // 08:34 UTC is 17:34 in Seoul.
    Mail composed =
        compose(
            new ChannelDelivery(
                UUID.randomUUID(),
                reader,
                "comment.reply",
                "New reply",
                "Nice post",
                "/posts/" + post,
                actor,
                Instant.parse("2026-12-07T08:34:00Z")));
    String html = composed.getHtml();
    assertThat(html, containsString("<html lang=\"ko\">"));
    assertThat(html, containsString("미나님, 안녕하세요."));
    assertThat(html, containsString("로보틱스 클럽 · 민수님 · 2026. 12. 7. 오후 5:34"));
    assertThat(html, containsString("Pulse에서 보기"));
    // The caller's words stay as sent: the platform chose their language.
    assertEquals("New reply", composed.getSubject());
    assertThat(html, containsString(">New reply</h1>"));
    assertThat(html, containsString("Nice post"));
    assertThat(html, containsString("name=\"color-scheme\" content=\"light dark\""));
    assertThat(html, containsString("prefers-color-scheme: dark"));
    assertThat(composed.getText(), containsString("Pulse에서 보기: https://campus.example/posts/"));
    assertThat(
        composed.getText(), containsString("이 알림 메일 수신 거부: " + publicUrl + "/unsubscribe?token="));
  }

  @Test
  void aLanguageWithoutTemplatesReadsTheDefaultWithItsOwnDates() {
    long reader = user("amelie", "Amélie", "fr-FR", "Europe/Paris");
    Mail composed =
        compose(
            new ChannelDelivery(
                UUID.randomUUID(),
                reader,
                "comment.reply",
                "Nouvelle réponse",
                null,
                "/posts/0",
                null,
                Instant.parse("2026-12-07T08:34:00Z")));
    String html = composed.getHtml();
    assertThat(html, containsString("<html lang=\"en\">"));
    assertThat(html, containsString("Hi Amélie,"));
    assertThat(html, containsString("Open in Pulse"));
    // 09:34 in Paris, written the French way.
    assertThat(html, containsString("7 déc. 2026 09:34"));
    assertThat(html, not(containsString("From ")));
  }

  @Test
  void theSentMailCarriesAOneClickLinkForItsTypeAndNoMailto() throws Exception {
    long reader = fixtures.user("oneclick-" + nextId + "@uni.example", null);
    fixtures.dispatch("comment.reply", reader);
    assertTrue(mail.waitForIncomingEmail(15_000, 1));
    MimeMessage message = mail.getReceivedMessages()[0];
    String header = message.getHeader("List-Unsubscribe")[0];
    assertThat(header, containsString("<" + publicUrl + "/unsubscribe?token="));
    assertThat(header, not(containsString("mailto:")));
    assertEquals("List-Unsubscribe=One-Click", message.getHeader("List-Unsubscribe-Post")[0]);
    String token = header.substring(header.indexOf("token=") + 6, header.length() - 1);
    UnsubscribeTokens.Verified link = tokens.verify(token, Instant.now());
    assertEquals(reader, link.userId());
    assertEquals(UnsubscribeScope.emailOf("comment.reply"), link.scope());
    // The footer points at the same working link, not at the mail program.
    assertThat(Mails.html(message), containsString(token));
    assertThat(Mails.html(message), not(containsString("mail program")));
    assertThat(Mails.text(message), containsString(token));
  }

  @Test
  void aCriticalTypeCarriesNoUnsubscribeLink() throws Exception {
    long reader = fixtures.user("critical-" + nextId + "@uni.example", null);
    fixtures.dispatch("account.security", reader);
    assertTrue(mail.waitForIncomingEmail(15_000, 1));
    MimeMessage message = mail.getReceivedMessages()[0];
    assertNull(message.getHeader("List-Unsubscribe"));
    assertNull(message.getHeader("List-Unsubscribe-Post"));
    assertThat(Mails.html(message), containsString("security"));
    assertThat(Mails.html(message), not(containsString("/unsubscribe?token=")));
  }

  private Mail compose(ChannelDelivery delivery) {
    return QuarkusTransaction.requiringNew().call(() -> emails.compose(delivery, Instant.now()));
  }

  private long user(String handle, String name, String locale, String zone) {
    long id = nextId++;
    db.exec(
        "insert into users (id, handle, email, display_name, locale, time_zone) values ("
            + id
            + ", '"
            + handle
            + id
            + "', '"
            + handle
            + id
            + "@uni.example', '"
            + name
            + "', "
            + (locale == null ? "null" : "'" + locale + "'")
            + ", '"
            + zone
            + "')");
    return id;
  }

  /** A post in a new community of that name; its id. */
  private long clubPost(String community) {
    long id = nextId++;
    db.exec("insert into communities (id, name) values (" + id + ", '" + community + "')");
    db.exec(
        "insert into posts (id, community_id, author_id, title, created_at) values ("
            + id
            + ", "
            + id
            + ", 1, 'Meetup', now())");
    return id;
  }
}
