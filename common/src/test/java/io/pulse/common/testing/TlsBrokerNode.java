package io.pulse.common.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The TLS-only broker node of deploy/rabbitmq-tls.sh (port 5691, client certificates required, a
 * certificate naming "localhost" only), held under a file lock while a test class uses it: another
 * build on this machine may be using (or stopping) the same node.
 */
public final class TlsBrokerNode implements AutoCloseable {
  /** Where the script leaves its CA, the broker's and the client's certificates. */
  public static final Path DIR = Path.of("/tmp/pulse-rabbitmq-tls");

  public static final int AMQPS_PORT = 5691;
  private static final Path SCRIPT = Path.of("..", "deploy", "rabbitmq-tls.sh");

  private final FileChannel lockFile;
  private final FileLock lock;

  private TlsBrokerNode(FileChannel lockFile, FileLock lock) {
    this.lockFile = lockFile;
    this.lock = lock;
  }

  /** Takes the lock, then starts the node (a no-op when it runs). */
  public static TlsBrokerNode start() throws Exception {
    FileChannel lockFile =
        FileChannel.open(
            Path.of("/tmp/pulse-rabbitmq-tls.lock"),
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE);
    TlsBrokerNode node = new TlsBrokerNode(lockFile, lockFile.lock());
    script("start");
    return node;
  }

  /** Stops the node, then lets the next test class have it. */
  @Override
  public void close() throws Exception {
    try {
      script("stop");
    } finally {
      lock.release();
      lockFile.close();
    }
  }

  /** The settings of the good path: CA file, client certificate, host name checked. */
  public static Map<String, String> settings(String host, String caFile) {
    Map<String, String> properties = new HashMap<>();
    properties.put("pulse.rabbitmq.host", host);
    properties.put("pulse.rabbitmq.port", "" + AMQPS_PORT);
    properties.put("pulse.rabbitmq.tls.enabled", "true");
    properties.put("pulse.rabbitmq.tls.ca-file", DIR.resolve(caFile).toString());
    properties.put("pulse.rabbitmq.tls.key-store", DIR.resolve("client.p12").toString());
    properties.put("pulse.rabbitmq.tls.key-store-password", "pulse");
    return properties;
  }

  private static void script(String command) throws Exception {
    Process process =
        new ProcessBuilder("bash", SCRIPT.toString(), command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(240, TimeUnit.SECONDS), "deploy/rabbitmq-tls.sh " + command);
    assertEquals(0, process.exitValue(), "deploy/rabbitmq-tls.sh " + command + ":\n" + output);
  }
}
