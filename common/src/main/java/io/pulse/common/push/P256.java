package io.pulse.common.push;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.ECPublicKeySpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * P-256 keys in the shapes Web Push uses: a public key as the 65-byte uncompressed point ({@code
 * 0x04 || x || y}, a subscription's {@code p256dh}, the VAPID {@code k=}), a private key as the
 * 32-byte scalar. A point is checked to lie on the curve before it is used: ECDH with a point off
 * the curve is the classic invalid-curve attack, and a browser never sends one.
 */
public final class P256 {
  public static final int POINT_BYTES = 65;
  public static final int SCALAR_BYTES = 32;
  public static final ECParameterSpec SPEC = spec();

  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();

  private P256() {}

  /** The point as a public key; {@link IllegalArgumentException} saying why it is not one. */
  public static ECPublicKey publicKey(byte[] uncompressed) {
    if (uncompressed.length != POINT_BYTES) {
      throw new IllegalArgumentException(
          "must be "
              + POINT_BYTES
              + " bytes (an uncompressed P-256 point), not "
              + uncompressed.length);
    }
    if (uncompressed[0] != 0x04) {
      throw new IllegalArgumentException("must be an uncompressed point (first byte 0x04)");
    }
    BigInteger x = new BigInteger(1, Arrays.copyOfRange(uncompressed, 1, 33));
    BigInteger y = new BigInteger(1, Arrays.copyOfRange(uncompressed, 33, 65));
    if (!onCurve(x, y)) {
      throw new IllegalArgumentException("is not a point on the P-256 curve");
    }
    try {
      return (ECPublicKey)
          KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(new ECPoint(x, y), SPEC));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("is not a P-256 public key: " + e.getMessage(), e);
    }
  }

  /** The scalar as a private key. */
  public static ECPrivateKey privateKey(byte[] scalar) {
    BigInteger d = new BigInteger(1, scalar);
    if (scalar.length != SCALAR_BYTES || d.signum() == 0 || d.compareTo(SPEC.getOrder()) >= 0) {
      throw new IllegalArgumentException("must be a 32-byte P-256 private scalar");
    }
    try {
      return (ECPrivateKey)
          KeyFactory.getInstance("EC").generatePrivate(new ECPrivateKeySpec(d, SPEC));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("is not a P-256 private key: " + e.getMessage(), e);
    }
  }

  /** The uncompressed point of a public key. */
  public static byte[] encode(ECPublicKey key) {
    byte[] out = new byte[POINT_BYTES];
    out[0] = 0x04;
    unsigned(key.getW().getAffineX(), out, 1);
    unsigned(key.getW().getAffineY(), out, 33);
    return out;
  }

  public static KeyPair generate() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(SPEC);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no P-256 in this JDK", e);
    }
  }

  public static byte[] base64Url(String text) {
    return B64D.decode(text);
  }

  public static String base64Url(byte[] bytes) {
    return B64.encodeToString(bytes);
  }

  /** y² = x³ + ax + b over the curve's prime field, with both coordinates in the field. */
  static boolean onCurve(BigInteger x, BigInteger y) {
    BigInteger p = ((ECFieldFp) SPEC.getCurve().getField()).getP();
    if (x.compareTo(p) >= 0 || y.compareTo(p) >= 0) {
      return false;
    }
    BigInteger left = y.modPow(BigInteger.TWO, p);
    BigInteger right =
        x.pow(3).add(SPEC.getCurve().getA().multiply(x)).add(SPEC.getCurve().getB()).mod(p);
    return left.equals(right);
  }

  private static void unsigned(BigInteger value, byte[] out, int offset) {
    byte[] bytes = value.toByteArray();
    int length = Math.min(bytes.length, 32);
    System.arraycopy(bytes, bytes.length - length, out, offset + 32 - length, length);
  }

  private static ECParameterSpec spec() {
    try {
      AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
      parameters.init(new ECGenParameterSpec("secp256r1"));
      return parameters.getParameterSpec(ECParameterSpec.class);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no P-256 in this JDK", e);
    }
  }
}
