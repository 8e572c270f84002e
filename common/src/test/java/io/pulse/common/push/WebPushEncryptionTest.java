package io.pulse.common.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.interfaces.ECPublicKey;
import org.junit.jupiter.api.Test;

/** RFC 8291's own example (Appendix A), byte for byte, and what must differ between messages. */
class WebPushEncryptionTest {
  private static final String PLAINTEXT = "When I grow up, I want to be a watermelon";
  private static final String AS_PUBLIC =
      "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8";
  private static final String AS_PRIVATE = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw";
  private static final String UA_PUBLIC =
      "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
  private static final String AUTH = "BTBZMqHH6r4Tts7J_aSIgg";
  private static final String SALT = "DGv6ra1nlYgDCS1FRnbzlw";
  private static final String BODY =
      "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN";

  @Test
  void reproducesTheRfcExampleByteForByte() {
    KeyPair sender =
        new KeyPair(
            P256.publicKey(P256.base64Url(AS_PUBLIC)), P256.privateKey(P256.base64Url(AS_PRIVATE)));
    byte[] body =
        WebPushEncryption.encrypt(
            PLAINTEXT.getBytes(StandardCharsets.UTF_8),
            P256.publicKey(P256.base64Url(UA_PUBLIC)),
            P256.base64Url(AUTH),
            sender,
            P256.base64Url(SALT));
    assertEquals(BODY, P256.base64Url(body));
  }

  @Test
  void everyMessageHasItsOwnSaltAndSenderKey() {
    ECPublicKey receiver = P256.publicKey(P256.base64Url(UA_PUBLIC));
    byte[] message = PLAINTEXT.getBytes(StandardCharsets.UTF_8);
    byte[] first = WebPushEncryption.encrypt(message, receiver, P256.base64Url(AUTH));
    byte[] second = WebPushEncryption.encrypt(message, receiver, P256.base64Url(AUTH));
    assertEquals(86 + message.length + 1 + 16, first.length, "header, record, delimiter, tag");
    assertNotEquals(P256.base64Url(first), P256.base64Url(second));
    assertNotEquals(
        P256.base64Url(java.util.Arrays.copyOf(first, 16)),
        P256.base64Url(java.util.Arrays.copyOf(second, 16)),
        "a fresh salt");
  }

  @Test
  void aMessageLongerThanOneRecordIsRefused() {
    ECPublicKey receiver = P256.publicKey(P256.base64Url(UA_PUBLIC));
    byte[] fits = new byte[WebPushEncryption.MAX_PLAINTEXT];
    assertEquals(4096, WebPushEncryption.encrypt(fits, receiver, new byte[16]).length);
    assertThrows(
        IllegalArgumentException.class,
        () -> WebPushEncryption.encrypt(new byte[fits.length + 1], receiver, new byte[16]));
  }

  @Test
  void aPointOffTheCurveOrOfTheWrongShapeIsNoKey() {
    byte[] point = P256.base64Url(UA_PUBLIC);
    point[64] ^= 1;
    IllegalArgumentException off =
        assertThrows(IllegalArgumentException.class, () -> P256.publicKey(point));
    assertEquals("is not a point on the P-256 curve", off.getMessage());
    byte[] compressed = java.util.Arrays.copyOf(P256.base64Url(UA_PUBLIC), 33);
    compressed[0] = 0x02;
    assertThrows(IllegalArgumentException.class, () -> P256.publicKey(compressed));
    byte[] untagged = P256.base64Url(UA_PUBLIC);
    untagged[0] = 0x05;
    assertThrows(IllegalArgumentException.class, () -> P256.publicKey(untagged));
  }
}
