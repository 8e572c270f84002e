package io.pulse.common.jobs;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * JSON for job bodies. Unknown fields are ignored so an older worker can read a newer message; a
 * body that does not parse is the caller's to dead-letter.
 */
public final class JobCodec {
  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

  private JobCodec() {}

  public static byte[] encode(Object payload) {
    try {
      return MAPPER.writeValueAsBytes(payload);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode " + payload.getClass().getSimpleName(), e);
    }
  }

  /**
   * These top-level fields of a JSON payload as text (numbers too), null for a field that is absent
   * or null; a payload that does not parse gives every field null.
   */
  public static java.util.Map<String, String> fields(String json, List<String> names) {
    java.util.Map<String, String> values = new java.util.HashMap<>();
    com.fasterxml.jackson.databind.JsonNode tree;
    try {
      tree = MAPPER.readTree(json);
    } catch (IOException e) {
      tree = null;
    }
    for (String name : names) {
      com.fasterxml.jackson.databind.JsonNode value = tree == null ? null : tree.get(name);
      values.put(name, value == null || value.isNull() ? null : value.asText());
    }
    return values;
  }

  /** Throws {@link IOException} (a Jackson processing error) for a body that is not the payload. */
  public static <P> P decode(byte[] body, Class<P> type) throws IOException {
    return MAPPER.readValue(body, type);
  }

  public static String sha256(byte[] body) {
    return HexFormat.of().formatHex(sha256().digest(body));
  }

  /**
   * A job request's fingerprint: its body, and its send time when it has one (a job without one
   * hashes as it always did, so keys taken before send times existed still match).
   */
  public static String sha256(byte[] body, java.time.Instant sendAt) {
    if (sendAt == null) {
      return sha256(body);
    }
    return sha256(List.of(body, sendAt.toString().getBytes(StandardCharsets.UTF_8)));
  }

  /** One hash over several bodies, in order: a batch request's fingerprint. */
  public static String sha256(List<byte[]> bodies) {
    MessageDigest digest = sha256();
    for (byte[] body : bodies) {
      digest.update(body);
      // Encoded bodies hold no raw line break, so the break keeps [ab, c] apart from [a, bc].
      digest.update((byte) '\n');
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  public static String text(byte[] body) {
    return new String(body, StandardCharsets.UTF_8);
  }
}
