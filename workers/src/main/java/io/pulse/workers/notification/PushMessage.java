package io.pulse.workers.notification;

import io.pulse.common.jobs.JobCodec;
import io.pulse.common.notification.ChannelDelivery;
import io.pulse.common.push.WebPushEncryption;
import java.time.Instant;
import java.util.UUID;

/**
 * The JSON a browser's service worker receives in its {@code push} event, once decrypted. {@code
 * link} is absolute (the platform's address in front of a relative one), for {@code
 * clients.openWindow}. A message must fit one push record ({@link WebPushEncryption#MAX_PLAINTEXT}
 * bytes): a longer body is cut (ending in "…"), and a link that still does not fit is left out; the
 * inbox item has everything.
 */
public record PushMessage(
    UUID id,
    UUID notificationId,
    String type,
    String title,
    String body,
    String link,
    Long actorId,
    Instant createdAt) {

  static PushMessage of(UUID deliveryId, ChannelDelivery delivery, String absoluteLink) {
    return new PushMessage(
        deliveryId,
        delivery.notificationJobId(),
        delivery.type(),
        delivery.title(),
        delivery.body(),
        absoluteLink,
        delivery.actorId(),
        delivery.createdAt());
  }

  /** The JSON bytes, shortened until they fit one record. */
  byte[] encodeToFit() {
    PushMessage message = this;
    byte[] json = JobCodec.encode(message);
    while (json.length > WebPushEncryption.MAX_PLAINTEXT) {
      int excess = json.length - WebPushEncryption.MAX_PLAINTEXT;
      String body = message.body();
      if (body != null && !body.isEmpty()) {
        // Characters are at most 4 bytes in UTF-8 (and 6 escaped in JSON), so this over-cuts a
        // little rather than looping long.
        int keep = Math.max(0, body.codePointCount(0, body.length()) - excess - 1);
        String cut = keep == 0 ? null : body.substring(0, body.offsetByCodePoints(0, keep)) + "…";
        message = message.withBody(cut);
      } else if (message.link() != null) {
        message = message.withLink(null);
      } else {
        throw new IllegalStateException("a push message without body and link is still too long");
      }
      json = JobCodec.encode(message);
    }
    return json;
  }

  private PushMessage withBody(String body) {
    return new PushMessage(id, notificationId, type, title, body, link, actorId, createdAt);
  }

  private PushMessage withLink(String link) {
    return new PushMessage(id, notificationId, type, title, body, link, actorId, createdAt);
  }
}
