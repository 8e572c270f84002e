package io.pulse.workers.digest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pulse.common.notification.ChannelDelivery;
import io.pulse.common.notification.UserLocales;
import io.pulse.common.testing.Browsers;
import io.pulse.common.testing.PageFit;
import io.pulse.workers.TestSql;
import io.pulse.workers.notification.MailReader;
import io.pulse.workers.notification.NotificationEmails;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.WebDriver;

/**
 * The notification email and the digest, in Korean and English, in headless Chromium at a phone's
 * width (375 px) and a desktop mail pane's (700 px), with long words and links that must wrap:
 * nothing overflows sideways, and the dark scheme darkens the card. The mails are written to
 * target/mail-preview/ and screenshots to target/screenshots/ (docs/digest-ko.png is one of them).
 */
@QuarkusTest
class MailBrowserTest {
  static final String LONG_LINK =
      "https://campus.example/files/a-very-long-link-without-any-place-to-break-0123456789abcdefghij";
  static long nextId = 950_000_000L + (System.currentTimeMillis() % 100_000) * 100;

  @Inject NotificationEmails emails;
  @Inject UserLocales locales;
  @Inject TestSql db;

  @Test
  void everyMailFitsAPhoneAndAMailPaneInBothLanguages() throws IOException {
    Map<String, Path> mails = new LinkedHashMap<>();
    for (String language : List.of("ko", "en")) {
      mails.put(
          "notification-email-" + language,
          save("notification-email-" + language, notification(language)));
      mails.put("digest-email-" + language, save("digest-email-" + language, digest(language)));
    }
    for (int width : new int[] {375, 700}) {
      WebDriver browser = Browsers.chromium(Math.max(width, 500), 1400);
      try {
        PageFit.viewport(browser, width, 1300);
        for (Map.Entry<String, Path> mail : mails.entrySet()) {
          String name = mail.getKey() + "-" + width;
          browser.get(mail.getValue().toUri().toString());
          PageFit.assertFits(browser, name, width);
          Browsers.screenshot(browser, name);
          PageFit.prefersDark(browser, true);
          browser.navigate().refresh();
          PageFit.assertFits(browser, name + "-dark", width);
          assertEquals("rgb(27, 30, 37)", PageFit.background(browser, ".card"), name);
          Browsers.screenshot(browser, name + "-dark");
          PageFit.prefersDark(browser, false);
        }
      } finally {
        browser.quit();
      }
    }
  }

  /** What the handler mails: composed from users, a community and a post in the database. */
  private String notification(String language) {
    boolean ko = language.equals("ko");
    long actor = nextId++;
    long reader = nextId++;
    long post = nextId++;
    db.exec(
        "insert into users (id, handle, display_name) values ("
            + actor
            + ", 'actor"
            + actor
            + "', '"
            + (ko ? "김민수" : "Minsu Kim")
            + "')");
    db.exec(
        "insert into users (id, handle, email, display_name, locale, time_zone) values ("
            + reader
            + ", 'reader"
            + reader
            + "', 'reader"
            + reader
            + "@uni.example', '"
            + (ko ? "이미나" : "Mina Lee")
            + "', '"
            + language
            + "', 'Asia/Seoul')");
    db.exec(
        "insert into communities (id, name) values ("
            + post
            + ", '"
            + (ko ? "로보틱스 동아리" : "Robotics Club")
            + "')");
    db.exec(
        "insert into posts (id, community_id, author_id, title, created_at) values ("
            + post
            + ", "
            + post
            + ", "
            + actor
            + ", 'Meetup', now())");
    ChannelDelivery delivery =
        new ChannelDelivery(
            UUID.randomUUID(),
            reader,
            "comment.reply",
            ko
                ? "내 글에 새 댓글이 달렸습니다: 12월 정기 모임 장소 변경 안내"
                : "New reply to your post: December meetup moves",
            (ko ? "저도 이번 모임에 참석할게요! 발표 자료는 여기 있어요: " : "Count me in! The slides are here: ")
                + LONG_LINK,
            "/posts/" + post,
            actor,
            Instant.parse("2026-12-07T08:34:00Z"));
    return QuarkusTransaction.requiringNew()
        .call(() -> emails.compose(delivery, Instant.now()))
        .getHtml();
  }

  /** The digest as its templates render it, with a full day's news. */
  private String digest(String language) {
    boolean ko = language.equals("ko");
    MailReader reader =
        MailReader.of(locales, DigestEmailTemplates.HTML.keySet(), language, "Asia/Seoul");
    Instant at = Instant.parse("2026-12-07T23:00:00Z");
    List<DigestEmail.Item> notifications =
        ko
            ? List.of(
                item("새 댓글: 12월 정기 모임 장소 변경 안내", "저도 이번 모임에 참석할게요!", "김민수", null, reader),
                item("회원님을 언급했습니다", "@이미나 발표 자료 공유 부탁드려요 " + LONG_LINK, "박서준", null, reader),
                item("새 메시지", "내일 실험실에서 볼 수 있을까요?", "최유진", null, reader))
            : List.of(
                item("New reply: December meetup moves", "Count me in!", "Minsu Kim", null, reader),
                item(
                    "You were mentioned",
                    "@mina could you share the slides? " + LONG_LINK,
                    "Seojun Park",
                    null,
                    reader),
                item(
                    "New message", "Can we meet at the lab tomorrow?", "Yujin Choi", null, reader));
    List<DigestEmail.Item> posts =
        ko
            ? List.of(
                item(
                    "12월 정기 모임 안내",
                    "이번 주 금요일 저녁 7시, 공학관 B동 3층 세미나실에서 만나요.",
                    null,
                    "로보틱스 동아리",
                    reader),
                item("겨울방학 해커톤 팀원 모집", "프론트엔드 개발자와 디자이너를 찾고 있어요.", null, "컴퓨터공학과 학생회", reader))
            : List.of(
                item(
                    "December meetup",
                    "Friday at 7 pm, Engineering Hall B, room 301.",
                    null,
                    "Robotics Club",
                    reader),
                item(
                    "Winter hackathon: looking for teammates",
                    "We need a front-end developer and a designer.",
                    null,
                    "CS Student Council",
                    reader));
    DigestEmail digest =
        new DigestEmail(
            ko ? "이미나" : "Mina Lee",
            "daily",
            reader.date(at),
            7,
            false,
            // One held back by the daily budget, so its section is laid out too.
            notifications.subList(0, 1),
            notifications,
            4,
            posts,
            "https://campus.example",
            "https://campus.example/settings/notifications",
            "http://127.0.0.1:8090/unsubscribe?token=" + "x".repeat(120));
    return DigestEmailTemplates.HTML.get(language).apply(digest).render();
  }

  private static DigestEmail.Item item(
      String title, String detail, String actor, String community, MailReader reader) {
    return new DigestEmail.Item(
        title,
        detail,
        "https://campus.example/posts/9",
        actor,
        community,
        reader.dateTime(Instant.parse("2026-12-07T05:12:00Z")));
  }

  private static Path save(String name, String html) throws IOException {
    Path file = Path.of("target", "mail-preview", name + ".html").toAbsolutePath();
    Files.createDirectories(file.getParent());
    Files.writeString(file, html, StandardCharsets.UTF_8);
    return file;
  }
}
