package io.pulse.workers.notification;

import io.pulse.common.jobs.JobCodec;
import io.pulse.common.jobs.JobType;
import io.pulse.common.notification.ChannelDelivery;
import io.pulse.common.notification.NotificationConfig;
import io.pulse.workers.jobs.JobContext;
import io.pulse.workers.jobs.PermanentJobException;
import io.pulse.workers.jobs.RetryLaterException;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code notification.webhook}: POSTs the notification as JSON to the configured URL, signed, with
 * the delivery id as {@code Idempotency-Key}. 2xx is sent; 408, 429 and 5xx, refused connections
 * and timeouts are retried (no sooner than a {@code Retry-After}); any other 4xx is the receiver's
 * final word (dead at once, no storm).
 */
@Singleton
public class WebhookDeliveryHandler extends ChannelDeliveryHandler {
  private final NotificationConfig.Webhook config;

  /**
   * java.net.http, not the REST client: the body sent must be byte for byte the string that was
   * signed, and the receiver's status and body are classified here rather than mapped to
   * exceptions; a typed client would add a serialisation step between the two and nothing else.
   */
  private final HttpClient http;

  public WebhookDeliveryHandler(
      DeliveryLedger deliveries, InAppReadState inApp, NotificationConfig config) {
    super(deliveries, inApp);
    this.config = config.webhook();
    this.http = HttpClient.newBuilder().connectTimeout(this.config.connectTimeout()).build();
  }

  /** The JSON a receiver gets. */
  public record WebhookEvent(
      UUID id,
      UUID notificationId,
      String type,
      long userId,
      String title,
      String body,
      String link,
      Long actorId,
      Instant createdAt) {}

  @Override
  public String type() {
    return JobType.NOTIFICATION_WEBHOOK;
  }

  @Override
  protected Outcome send(ChannelDelivery delivery, JobContext context) throws Exception {
    String url =
        config
            .url()
            .orElseThrow(
                () -> new PermanentJobException("pulse.notifications.webhook.url is not set"));
    List<String> secrets = signingSecrets();
    String body =
        JobCodec.text(
            JobCodec.encode(
                new WebhookEvent(
                    context.jobId(),
                    delivery.notificationJobId(),
                    delivery.type(),
                    delivery.userId(),
                    delivery.title(),
                    delivery.body(),
                    delivery.link(),
                    delivery.actorId(),
                    delivery.createdAt())));
    long timestamp = Instant.now().getEpochSecond();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(config.readTimeout())
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", context.jobId().toString())
            .header(WebhookSignature.TIMESTAMP_HEADER, Long.toString(timestamp))
            .header(
                WebhookSignature.SIGNATURE_HEADER,
                WebhookSignature.header(secrets, timestamp, body))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    int status = response.statusCode();
    if (status >= 200 && status < 300) {
      return Outcome.sent(response.headers().firstValue("X-Request-Id").orElse("http " + status));
    }
    String answer = "webhook " + url + " answered " + status + ": " + abbreviate(response.body());
    if (status == 408 || status == 429 || status >= 500) {
      Optional<Duration> wait =
          RetryAfter.parse(response.headers().firstValue("Retry-After"), Instant.now());
      if (wait.isPresent()) {
        throw new RetryLaterException(answer, wait.get());
      }
      throw new IOException(answer);
    }
    throw new PermanentJobException(answer);
  }

  /** The current secret, then the previous ones still accepted by receivers mid-rotation. */
  private List<String> signingSecrets() {
    List<String> secrets = new ArrayList<>();
    secrets.add(
        config
            .secret()
            .orElseThrow(
                () -> new PermanentJobException("pulse.notifications.webhook.secret is not set")));
    config.previousSecrets().ifPresent(secrets::addAll);
    return secrets;
  }

  private static String abbreviate(String text) {
    return text == null ? "" : text.length() > 200 ? text.substring(0, 200) + "..." : text;
  }
}
