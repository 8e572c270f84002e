package io.pulse.workers.notification;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@code Pulse-Signature: t=<timestamp>,v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>}, one
 * {@code v1} per active secret (Stripe's format), with the timestamp (Unix seconds) also in {@code
 * Pulse-Timestamp}. Signing the timestamp lets a receiver refuse replays older than its tolerance;
 * several {@code v1} let a receiver that still knows only the previous secret, or already only the
 * new one, verify every delivery while a rotation rolls out.
 */
public final class WebhookSignature {
  public static final String TIMESTAMP_HEADER = "Pulse-Timestamp";
  public static final String SIGNATURE_HEADER = "Pulse-Signature";

  private WebhookSignature() {}

  /** The header's value: the timestamp, then one signature per secret, the current one first. */
  public static String header(List<String> secrets, long timestamp, String body) {
    StringBuilder header = new StringBuilder("t=").append(timestamp);
    for (String secret : secrets) {
      header.append(",v1=").append(sign(secret, timestamp, body));
    }
    return header.toString();
  }

  /** The hex HMAC-SHA256 of {@code timestamp + "." + body} with {@code secret}. */
  public static String sign(String secret, long timestamp, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      byte[] digest = mac.doFinal((timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}
