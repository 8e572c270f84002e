package io.pulse.common.messaging;

import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.MalformedFrameException;
import com.rabbitmq.client.SocketConfigurators;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS side of a broker connection: the SSL context built once from {@code pulse.rabbitmq.tls}
 * (a file that cannot be read fails with its name before any connect, not as a handshake error),
 * and the explanation of a failed handshake, which the client reports only as a bare end of stream
 * or an SSL alert.
 */
final class RabbitTls {
  private final RabbitConfig.Tls config;
  private final SSLContext context;

  RabbitTls(RabbitConfig.Tls config) {
    this.config = config;
    this.context = config.enabled() ? buildContext(config) : null;
  }

  void configure(ConnectionFactory factory) {
    if (context == null) {
      return;
    }
    factory.useSslProtocol(context);
    // Set either way: amqp-client 5.x already turns the check on inside useSslProtocol.
    factory.setSocketConfigurator(
        config.verifyHostname()
            ? SocketConfigurators.builder()
                .defaultConfigurator()
                .enableHostnameVerification()
                .build()
            : SocketConfigurators.defaultConfigurator());
  }

  /**
   * The failure of a connection attempt with what to check. A plain client at a TLS-only port sees
   * the broker drop the connection mid-handshake (the client's protocol header is no TLS hello); a
   * TLS client at a plain port gets an AMQP header where the server hello should be.
   */
  IOException explain(IOException failure, String address) {
    if (context != null
        && (causedBy(failure, SSLException.class) || droppedMidHandshake(failure))) {
      // A broker that refuses the client's certificate under TLS 1.3 does so after the client's
      // side of the handshake completed: the client sees a reset, not an SSL alert.
      return new IOException(
          "TLS handshake with RabbitMQ at "
              + address
              + " failed: "
              + rootMessage(failure)
              + " (check that the port speaks AMQPS, pulse.rabbitmq.tls.ca-file or trust-store,"
              + " the host name in the broker's certificate, and the client certificate"
              + " pulse.rabbitmq.tls.key-store if the broker asks for one)",
          failure);
    }
    if (context == null && droppedMidHandshake(failure)) {
      return new IOException(
          "RabbitMQ at "
              + address
              + " closed the connection during the AMQP handshake: if that port speaks TLS"
              + " (AMQPS), set pulse.rabbitmq.tls.enabled=true ("
              + rootMessage(failure)
              + ")",
          failure);
    }
    return failure;
  }

  /** Connected, then dropped or answered with something that is no AMQP frame. */
  private static boolean droppedMidHandshake(IOException failure) {
    return causedBy(failure, EOFException.class)
        || causedBy(failure, MalformedFrameException.class)
        || causedBy(failure, SocketException.class) && !causedBy(failure, ConnectException.class);
  }

  private static SSLContext buildContext(RabbitConfig.Tls config) {
    try {
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(trustedCertificates(config));
      KeyManagerFactory keys = null;
      if (config.keyStore().isPresent()) {
        char[] password = config.keyStorePassword().orElse("").toCharArray();
        keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(
            load(config.keyStore().get(), password, "pulse.rabbitmq.tls.key-store"), password);
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot set up TLS towards RabbitMQ: " + e.getMessage(), e);
    }
  }

  /** The CA file's certificates, the trust store, or null for the JVM's default trust. */
  private static KeyStore trustedCertificates(RabbitConfig.Tls config)
      throws GeneralSecurityException {
    if (config.caFile().isPresent()) {
      Path file = config.caFile().get();
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      try (InputStream in = Files.newInputStream(file)) {
        store.load(null, null);
        int n = 0;
        for (Certificate ca : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
          store.setCertificateEntry("ca-" + n++, ca);
        }
        if (n == 0) {
          throw new IllegalStateException(
              "pulse.rabbitmq.tls.ca-file " + file + " holds no certificate");
        }
      } catch (IOException e) {
        throw new IllegalStateException("cannot read pulse.rabbitmq.tls.ca-file " + file, e);
      }
      return store;
    }
    if (config.trustStore().isPresent()) {
      char[] password = config.trustStorePassword().map(String::toCharArray).orElse(null);
      return load(config.trustStore().get(), password, "pulse.rabbitmq.tls.trust-store");
    }
    return null;
  }

  /** PKCS12, or JKS (the JDK's PKCS12 store type reads both). */
  private static KeyStore load(Path file, char[] password, String property)
      throws GeneralSecurityException {
    try (InputStream in = Files.newInputStream(file)) {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(in, password);
      return store;
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot read " + property + " " + file + ": " + e.getMessage(), e);
    }
  }

  private static boolean causedBy(Throwable failure, Class<? extends Throwable> type) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  private static String rootMessage(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName()
        + (root.getMessage() == null ? "" : ": " + root.getMessage());
  }
}
