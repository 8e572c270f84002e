package io.pulse.workers.notification;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A push service on 127.0.0.1 (a free port), doing what a browser's push service and the browser
 * together would: it checks the VAPID JWT's ES256 signature with the {@code k=} key (and that the
 * key is the one the test expects), its audience and expiry, and decrypts each body (RFC 8291 and
 * 8188) with the subscription's private key and auth secret. Its crypto is its own (JWS signature
 * from r||s to DER by hand, the key schedule written out again), not the sender's classes. It
 * answers from a script per subscription: a status, optionally with {@code :<Retry-After>}.
 */
final class PushServiceStandIn implements AutoCloseable {
  private static final Base64.Decoder B64 = Base64.getUrlDecoder();
  private static final Base64.Encoder B64E = Base64.getUrlEncoder().withoutPadding();

  /** A subscription the test handed out: what a browser would hold. */
  record Subscription(String token, String endpoint, KeyPair keys, byte[] auth) {
    String p256dh() {
      return B64E.encodeToString(point((ECPublicKey) keys.getPublic()));
    }
  }

  /**
   * One request: the decrypted plaintext (null when it did not decrypt), whether VAPID held and if
   * not why, the headers the test checks, and when it came (nanoTime).
   */
  record Received(
      String token,
      byte[] plaintext,
      String vapidProblem,
      String ttl,
      String urgency,
      String topic,
      String contentEncoding,
      long atNanos) {
    boolean vapidValid() {
      return vapidProblem == null;
    }

    String text() {
      return plaintext == null ? null : new String(plaintext, StandardCharsets.UTF_8);
    }
  }

  final List<Received> received = new CopyOnWriteArrayList<>();
  private final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
  private final Map<String, List<String>> scripts = new ConcurrentHashMap<>();
  private final AtomicLong messages = new AtomicLong();
  private final HttpServer server;
  private final String vapidPublicKey;
  private final boolean decrypt;

  /** A stand-in that accepts VAPID tokens signed for {@code vapidPublicKey} (base64url) only. */
  PushServiceStandIn(String vapidPublicKey) throws IOException {
    this(vapidPublicKey, true, 4);
  }

  /**
   * {@code decrypt} false skips decryption (the bench's load run checks VAPID and counts, so the
   * receiver's own crypto does not weigh on the sender's figure).
   */
  PushServiceStandIn(String vapidPublicKey, boolean decrypt, int threads) throws IOException {
    this.vapidPublicKey = vapidPublicKey;
    this.decrypt = decrypt;
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/push/", this::handle);
    server.setExecutor(Executors.newFixedThreadPool(threads));
    server.start();
  }

  String origin() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** A new subscription with its own P-256 key pair and auth secret, answered by {@code script}. */
  Subscription subscribe(String... script) {
    String token = "s" + messages.incrementAndGet() + "-" + Long.toHexString(System.nanoTime());
    byte[] auth = new byte[16];
    new SecureRandom().nextBytes(auth);
    Subscription subscription =
        new Subscription(token, origin() + "/push/" + token, p256KeyPair(), auth);
    subscriptions.put(token, subscription);
    scripts.put(
        token,
        new CopyOnWriteArrayList<>(List.of(script.length == 0 ? new String[] {"201"} : script)));
    return subscription;
  }

  List<Received> forSubscription(Subscription subscription) {
    return received.stream().filter(r -> r.token().equals(subscription.token())).toList();
  }

  private void handle(HttpExchange exchange) throws IOException {
    long at = System.nanoTime();
    String token = exchange.getRequestURI().getPath().substring("/push/".length());
    byte[] body = exchange.getRequestBody().readAllBytes();
    Subscription subscription = subscriptions.get(token);
    if (subscription == null) {
      answer(exchange, 404, "{\"reason\":\"unknown subscription\"}", null);
      return;
    }
    var headers = exchange.getRequestHeaders();
    String vapidProblem = checkVapid(headers.getFirst("Authorization"));
    byte[] plaintext = null;
    if (decrypt) {
      try {
        plaintext = decrypt(body, subscription);
      } catch (Exception e) {
        plaintext = null;
      }
    }
    received.add(
        new Received(
            token,
            plaintext,
            vapidProblem,
            headers.getFirst("TTL"),
            headers.getFirst("Urgency"),
            headers.getFirst("Topic"),
            headers.getFirst("Content-Encoding"),
            at));
    if (vapidProblem != null) {
      answer(exchange, 403, "{\"reason\":\"" + vapidProblem + "\"}", null);
      return;
    }
    if (decrypt && plaintext == null) {
      answer(exchange, 400, "{\"reason\":\"does not decrypt\"}", null);
      return;
    }
    List<String> script = scripts.get(token);
    String step = script.size() > 1 ? script.remove(0) : script.get(0);
    String[] parts = step.split(":", 2);
    int status = Integer.parseInt(parts[0]);
    if (status == 201) {
      exchange
          .getResponseHeaders()
          .add("Location", origin() + "/message/" + messages.incrementAndGet());
      answer(exchange, 201, "", null);
    } else {
      answer(
          exchange,
          status,
          "{\"reason\":\"scripted " + status + "\"}",
          parts.length > 1 ? parts[1] : null);
    }
  }

  private static void answer(HttpExchange exchange, int status, String body, String retryAfter)
      throws IOException {
    if (retryAfter != null) {
      exchange.getResponseHeaders().add("Retry-After", retryAfter);
    }
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      exchange.getResponseBody().write(bytes);
    }
    exchange.close();
  }

  /** Null when the header is a valid VAPID authorization for this origin, else why not. */
  private String checkVapid(String header) {
    if (header == null || !header.startsWith("vapid ")) {
      return "no vapid authorization";
    }
    String t = null;
    String k = null;
    for (String part : header.substring(6).split(",")) {
      String field = part.trim();
      if (field.startsWith("t=")) {
        t = field.substring(2);
      } else if (field.startsWith("k=")) {
        k = field.substring(2);
      }
    }
    if (t == null || k == null) {
      return "t= or k= missing";
    }
    if (!k.equals(vapidPublicKey)) {
      return "k= is not the expected application server key";
    }
    String[] jwt = t.split("\\.");
    if (jwt.length != 3) {
      return "not a JWS";
    }
    try {
      JsonNode header0 = new ObjectMapper().readTree(B64.decode(jwt[0]));
      if (!"ES256".equals(header0.path("alg").asText())) {
        return "alg is not ES256";
      }
      Signature verify = Signature.getInstance("SHA256withECDSA");
      verify.initVerify(publicKey(B64.decode(k)));
      verify.update((jwt[0] + "." + jwt[1]).getBytes(StandardCharsets.US_ASCII));
      if (!verify.verify(joseToDer(B64.decode(jwt[2])))) {
        return "bad signature";
      }
      JsonNode claims = new ObjectMapper().readTree(B64.decode(jwt[1]));
      if (!origin().equals(claims.path("aud").asText())) {
        return "aud " + claims.path("aud").asText() + " is not " + origin();
      }
      long exp = claims.path("exp").asLong();
      long now = System.currentTimeMillis() / 1000;
      if (exp <= now || exp > now + 24 * 3600) {
        return "exp out of range";
      }
      if (claims.path("sub").asText().isEmpty()) {
        return "no sub";
      }
      return null;
    } catch (Exception e) {
      return "unreadable: " + e.getMessage();
    }
  }

  /** RFC 8291 §3.4 and RFC 8188, the receiving side. */
  private static byte[] decrypt(byte[] body, Subscription subscription) throws Exception {
    ByteBuffer in = ByteBuffer.wrap(body);
    byte[] salt = new byte[16];
    in.get(salt);
    int recordSize = in.getInt();
    int idLength = in.get() & 0xff;
    byte[] senderKey = new byte[idLength];
    in.get(senderKey);
    byte[] ciphertext = new byte[in.remaining()];
    in.get(ciphertext);
    if (recordSize < ciphertext.length) {
      throw new IllegalStateException("more than one record");
    }
    KeyAgreement ecdh = KeyAgreement.getInstance("ECDH");
    ecdh.init(subscription.keys().getPrivate());
    ecdh.doPhase(publicKey(senderKey), true);
    byte[] shared = ecdh.generateSecret();
    byte[] receiverKey = point((ECPublicKey) subscription.keys().getPublic());
    byte[] prkKey = hmac(subscription.auth(), shared);
    ByteArrayOutputStream keyInfo = new ByteArrayOutputStream();
    keyInfo.writeBytes("WebPush: info".getBytes(StandardCharsets.US_ASCII));
    keyInfo.write(0);
    keyInfo.writeBytes(receiverKey);
    keyInfo.writeBytes(senderKey);
    keyInfo.write(1);
    byte[] ikm = hmac(prkKey, keyInfo.toByteArray());
    byte[] prk = hmac(salt, ikm);
    byte[] cek = Arrays.copyOf(hmac(prk, info("Content-Encoding: aes128gcm")), 16);
    byte[] nonce = Arrays.copyOf(hmac(prk, info("Content-Encoding: nonce")), 12);
    Cipher aes = Cipher.getInstance("AES/GCM/NoPadding");
    aes.init(Cipher.DECRYPT_MODE, new SecretKeySpec(cek, "AES"), new GCMParameterSpec(128, nonce));
    byte[] padded = aes.doFinal(ciphertext);
    int end = padded.length - 1;
    while (end >= 0 && padded[end] == 0) {
      end--;
    }
    if (end < 0 || padded[end] != 2) {
      throw new IllegalStateException("no last-record delimiter");
    }
    return Arrays.copyOf(padded, end);
  }

  private static byte[] info(String label) {
    byte[] text = label.getBytes(StandardCharsets.US_ASCII);
    byte[] out = Arrays.copyOf(text, text.length + 2);
    out[text.length] = 0;
    out[text.length + 1] = 1;
    return out;
  }

  private static byte[] hmac(byte[] key, byte[] data) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    return mac.doFinal(data);
  }

  /** A JWS ES256 signature (r || s, 32 bytes each) as the DER SEQUENCE the JDK verifies. */
  static byte[] joseToDer(byte[] jose) {
    if (jose.length != 64) {
      throw new IllegalArgumentException("an ES256 signature is 64 bytes, not " + jose.length);
    }
    byte[] r = new BigInteger(1, Arrays.copyOfRange(jose, 0, 32)).toByteArray();
    byte[] s = new BigInteger(1, Arrays.copyOfRange(jose, 32, 64)).toByteArray();
    ByteArrayOutputStream der = new ByteArrayOutputStream();
    der.write(0x30);
    der.write(2 + r.length + 2 + s.length);
    der.write(0x02);
    der.write(r.length);
    der.writeBytes(r);
    der.write(0x02);
    der.write(s.length);
    der.writeBytes(s);
    return der.toByteArray();
  }

  private static KeyPair p256KeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static PublicKey publicKey(byte[] point) throws Exception {
    AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
    parameters.init(new ECGenParameterSpec("secp256r1"));
    ECParameterSpec spec = parameters.getParameterSpec(ECParameterSpec.class);
    ECPoint w =
        new ECPoint(
            new BigInteger(1, Arrays.copyOfRange(point, 1, 33)),
            new BigInteger(1, Arrays.copyOfRange(point, 33, 65)));
    return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, spec));
  }

  private static byte[] point(ECPublicKey key) {
    byte[] out = new byte[65];
    out[0] = 4;
    byte[] x = key.getW().getAffineX().toByteArray();
    byte[] y = key.getW().getAffineY().toByteArray();
    int xl = Math.min(32, x.length);
    int yl = Math.min(32, y.length);
    System.arraycopy(x, x.length - xl, out, 33 - xl, xl);
    System.arraycopy(y, y.length - yl, out, 65 - yl, yl);
    return out;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
