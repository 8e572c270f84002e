package io.pulse.workers.notification;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@code Pulse-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>}, with the timestamp
 * (Unix seconds) in {@code Pulse-Timestamp}. Signing the timestamp lets a receiver refuse replays
 * older than its tolerance.
 */
public final class WebhookSignature {
  public static final String TIMESTAMP_HEADER = "Pulse-Timestamp";
  public static final String SIGNATURE_HEADER = "Pulse-Signature";

  private WebhookSignature() {}

  public static String sign(String secret, long timestamp, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      byte[] digest = mac.doFinal((timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
      return "v1=" + HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}
