package io.pulse.common.push;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Message encryption for Web Push, RFC 8291 with the {@code aes128gcm} content coding of RFC 8188,
 * in one record. JDK crypto only (ECDH on P-256, HKDF as HMAC-SHA256, AES-128-GCM): no maintained
 * Java library for it is in the build's dependency set, and the whole scheme is the forty lines
 * below, checked against the RFC's own example byte for byte ({@code WebPushEncryptionTest}). Every
 * message gets a fresh ephemeral key pair and salt, so nothing is reused across messages.
 */
public final class WebPushEncryption {
  /** The record size written into the header; one record holds the whole message. */
  public static final int RECORD_SIZE = 4096;

  /**
   * Push services must take bodies of 4096 bytes (RFC 8030 §7.2): minus the header (86 bytes), the
   * GCM tag (16) and the padding delimiter (1), this much plaintext fits.
   */
  public static final int MAX_PLAINTEXT = 4096 - 86 - 16 - 1;

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final byte[] KEY_INFO = "WebPush: info\0".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CEK_INFO =
      "Content-Encoding: aes128gcm\0\1".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] NONCE_INFO =
      "Content-Encoding: nonce\0\1".getBytes(StandardCharsets.US_ASCII);

  private WebPushEncryption() {}

  /** The request body for a subscription with public key {@code p256dh} and {@code auth}. */
  public static byte[] encrypt(byte[] plaintext, ECPublicKey p256dh, byte[] auth) {
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    return encrypt(plaintext, p256dh, auth, P256.generate(), salt);
  }

  /** With the sender's key pair and salt given: the RFC's example, and nothing else, needs this. */
  static byte[] encrypt(
      byte[] plaintext, ECPublicKey p256dh, byte[] auth, KeyPair sender, byte[] salt) {
    if (plaintext.length > MAX_PLAINTEXT) {
      throw new IllegalArgumentException(
          "a push message holds at most " + MAX_PLAINTEXT + " bytes, not " + plaintext.length);
    }
    try {
      KeyAgreement agreement = KeyAgreement.getInstance("ECDH");
      agreement.init(sender.getPrivate());
      agreement.doPhase(p256dh, true);
      byte[] ecdhSecret = agreement.generateSecret();
      byte[] uaPublic = P256.encode(p256dh);
      byte[] asPublic = P256.encode((ECPublicKey) sender.getPublic());

      // RFC 8291 §3.3: the auth secret and both public keys go into the input keying material.
      byte[] prkKey = hmac(auth, ecdhSecret);
      byte[] ikm = hmac(prkKey, concat(KEY_INFO, uaPublic, asPublic, new byte[] {1}));
      // RFC 8188 §2.2: content encryption key and nonce from the salt.
      byte[] prk = hmac(salt, ikm);
      byte[] cek = Arrays.copyOf(hmac(prk, CEK_INFO), 16);
      byte[] nonce = Arrays.copyOf(hmac(prk, NONCE_INFO), 12);

      Cipher aes = Cipher.getInstance("AES/GCM/NoPadding");
      aes.init(
          Cipher.ENCRYPT_MODE, new SecretKeySpec(cek, "AES"), new GCMParameterSpec(128, nonce));
      // The last (and only) record ends with the delimiter 0x02 and no further padding.
      byte[] ciphertext = aes.doFinal(concat(plaintext, new byte[] {2}));

      ByteBuffer header = ByteBuffer.allocate(16 + 4 + 1 + asPublic.length);
      header.put(salt).putInt(RECORD_SIZE).put((byte) asPublic.length).put(asPublic);
      return concat(header.array(), ciphertext);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("web push encryption failed: " + e.getMessage(), e);
    }
  }

  private static byte[] hmac(byte[] key, byte[] data) throws GeneralSecurityException {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    return mac.doFinal(data);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }
}
