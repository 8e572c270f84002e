package io.pulse.workers.notification;

import io.pulse.common.jobs.JobType;
import io.pulse.common.notification.ChannelDelivery;
import io.pulse.common.notification.NotificationConfig;
import io.pulse.common.push.P256;
import io.pulse.common.push.PushEndpoints;
import io.pulse.common.push.WebPushEncryption;
import io.pulse.workers.jobs.JobContext;
import io.pulse.workers.jobs.PermanentJobException;
import io.pulse.workers.jobs.RetryLaterException;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * {@code notification.push}: one notification to one browser push subscription, encrypted for it
 * (RFC 8291) and signed for its push service (VAPID, RFC 8292). 2xx is sent. 404 or 410: the
 * subscription is gone for good, so it is deleted and the delivery ends {@code skipped} ({@code
 * subscription_gone}), the job succeeds. 429 and 5xx, refused connections and timeouts are retried,
 * no sooner than a {@code Retry-After}; any other 4xx is dead with the push service's reply. A
 * repeat after a crash between send and commit carries the same {@code Topic}, so a push service
 * still holding the first copy replaces it instead of showing both.
 */
@Singleton
public class PushDeliveryHandler extends ChannelDeliveryHandler {
  private static final Logger LOG = Logger.getLogger(PushDeliveryHandler.class);
  static final String GONE = "subscription_gone";

  private final NotificationConfig config;
  private final NotificationConfig.Push push;
  private final PushSubscriptionRows subscriptions;
  private final PlatformLinks links;
  private final Optional<Vapid> vapid;
  private final HttpClient http;

  public PushDeliveryHandler(
      DeliveryLedger deliveries,
      InAppReadState inApp,
      NotificationConfig config,
      PushSubscriptionRows subscriptions,
      PlatformLinks links) {
    super(deliveries, inApp);
    this.config = config;
    this.push = config.push();
    this.subscriptions = subscriptions;
    this.links = links;
    this.vapid =
        push.configured()
            ? Optional.of(
                new Vapid(
                    push.vapidPublicKey().get(), push.vapidPrivateKey().get(), push.vapidSubject()))
            : Optional.empty();
    this.http = HttpClient.newBuilder().connectTimeout(push.connectTimeout()).build();
  }

  @Override
  public String type() {
    return JobType.NOTIFICATION_PUSH;
  }

  @Override
  protected Outcome send(ChannelDelivery delivery, JobContext context) throws Exception {
    Vapid signer =
        vapid.orElseThrow(
            () -> new PermanentJobException("pulse.notifications.push VAPID keys are not set"));
    Optional<PushSubscriptionRows.Target> found = subscriptions.forDelivery(context.jobId());
    if (found.isEmpty()) {
      return Outcome.skipped(GONE);
    }
    PushSubscriptionRows.Target target = found.get();
    Optional<String> refused = PushEndpoints.problem(target.endpoint(), push.allowLoopbackHttp());
    if (refused.isPresent()) {
      throw new PermanentJobException("push endpoint refused: " + refused.get());
    }
    byte[] message =
        PushMessage.of(context.jobId(), delivery, links.absolute(delivery.link())).encodeToFit();
    byte[] body =
        WebPushEncryption.encrypt(message, P256.publicKey(target.p256dh()), target.auth());
    URI endpoint = URI.create(target.endpoint());
    HttpRequest request =
        HttpRequest.newBuilder(endpoint)
            .timeout(push.readTimeout())
            .header("Authorization", signer.authorization(endpoint, Instant.now()))
            .header("Content-Encoding", "aes128gcm")
            .header("Content-Type", "application/octet-stream")
            .header("TTL", Long.toString(push.ttl().toSeconds()))
            .header("Urgency", config.critical(delivery.type()) ? "high" : "normal")
            .header("Topic", topic(delivery.notificationJobId()))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    int status = response.statusCode();
    if (status >= 200 && status < 300) {
      return Outcome.sent(response.headers().firstValue("Location").orElse("http " + status));
    }
    String answer =
        "push service "
            + Vapid.origin(endpoint)
            + " answered "
            + status
            + ": "
            + abbreviate(response.body());
    if (status == 404 || status == 410) {
      subscriptions.delete(target);
      LOG.infof("push subscription %d is gone (%d): deleted", target.id(), status);
      return Outcome.skipped(GONE);
    }
    if (status == 429 || status >= 500) {
      Optional<java.time.Duration> wait =
          RetryAfter.parse(response.headers().firstValue("Retry-After"), Instant.now());
      if (wait.isPresent()) {
        throw new RetryLaterException(answer, wait.get());
      }
      throw new IOException(answer);
    }
    throw new PermanentJobException(answer);
  }

  /**
   * The same for every copy of one notification (RFC 8030 §5.4: at most 32 base64url characters),
   * so a repeat replaces an undelivered first copy at the push service.
   */
  static String topic(UUID notificationJobId) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(notificationJobId.toString().getBytes(StandardCharsets.US_ASCII));
      return P256.base64Url(Arrays.copyOf(digest, 24));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String abbreviate(String text) {
    return text == null ? "" : text.length() > 500 ? text.substring(0, 500) + "..." : text;
  }
}
