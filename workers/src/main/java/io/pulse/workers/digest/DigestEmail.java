package io.pulse.workers.digest;

import io.quarkus.qute.TemplateData;
import java.util.List;

/**
 * What the digest templates render. {@code date} is the digest's day, written in the reader's
 * locale and time zone; {@code unread} counts every unread notification, listed or not. {@code
 * heldBack} lists what the daily budget kept from email or push ("While you were away"); a {@code
 * catchUp} mail, for a user with digests off, lists only that.
 */
@TemplateData
public record DigestEmail(
    String name,
    String period,
    String date,
    long unread,
    boolean catchUp,
    List<Item> heldBack,
    List<Item> notifications,
    long moreNotifications,
    List<Item> posts,
    String platformUrl,
    String settingsUrl,
    String unsubscribeUrl) {

  /**
   * One line of a digest: a notification (its body as the detail, its actor's name) or a post (its
   * excerpt, its community's name). Titles and details are the platform's, untranslated; {@code
   * when} is written for the reader.
   */
  @TemplateData
  public record Item(
      String title, String detail, String url, String actor, String community, String when) {}
}
