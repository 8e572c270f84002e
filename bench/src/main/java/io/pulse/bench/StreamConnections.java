package io.pulse.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Many live notification streams held by one selector thread: a connection costs a socket and a few
 * bytes here, so ten thousand of them measure the API, not this client. Lines are read as they come
 * (each SSE event is one HTTP chunk, so framing lines never split a data line); {@code data:} lines
 * go to the listener, heartbeat comments are counted.
 */
final class StreamConnections implements AutoCloseable {
  final AtomicInteger opened = new AtomicInteger();
  final AtomicInteger connected = new AtomicInteger();
  final AtomicInteger refused = new AtomicInteger();
  final AtomicInteger closed = new AtomicInteger();
  final AtomicLong heartbeats = new AtomicLong();

  private final Selector selector;
  private final InetSocketAddress api;
  private final String authorization;
  private final Consumer<String> onData;
  private final Queue<Long> toOpen = new ConcurrentLinkedQueue<>();
  private final ByteBuffer buffer = ByteBuffer.allocateDirect(256 * 1024);
  private final Thread loop;
  private volatile boolean running = true;

  private static final class Connection {
    final long user;
    final StringBuilder line = new StringBuilder();
    boolean statusSeen;

    Connection(long user) {
      this.user = user;
    }
  }

  StreamConnections(int port, String apiKey, Consumer<String> onData) throws IOException {
    this.selector = Selector.open();
    this.api = new InetSocketAddress(BenchSettings.HOST, port);
    this.authorization = "Bearer " + apiKey;
    this.onData = onData;
    this.loop = new Thread(this::run, "bench-streams");
    loop.setDaemon(true);
    loop.start();
  }

  /** Opens a stream of {@code user}'s inbox (asynchronously; see {@link #connected}). */
  void open(long user) {
    opened.incrementAndGet();
    toOpen.add(user);
    selector.wakeup();
  }

  /** Answered so far: with 200 or anything else. */
  int answered() {
    return connected.get() + refused.get();
  }

  private void run() {
    while (running) {
      try {
        selector.select(100);
        for (Long user = toOpen.poll(); user != null; user = toOpen.poll()) {
          SocketChannel channel = SocketChannel.open();
          channel.configureBlocking(false);
          channel.connect(api);
          channel.register(selector, SelectionKey.OP_CONNECT, new Connection(user));
        }
        for (SelectionKey key : selector.selectedKeys()) {
          handle(key);
        }
        selector.selectedKeys().clear();
      } catch (IOException e) {
        BenchMain.log("stream selector: %s", e.getMessage());
      }
    }
  }

  private void handle(SelectionKey key) {
    SocketChannel channel = (SocketChannel) key.channel();
    Connection connection = (Connection) key.attachment();
    try {
      if (key.isConnectable()) {
        channel.finishConnect();
        ByteBuffer request =
            ByteBuffer.wrap(
                ("GET /api/v1/users/"
                        + connection.user
                        + "/notifications/stream HTTP/1.1\r\nHost: "
                        + api.getHostString()
                        + ":"
                        + api.getPort()
                        + "\r\nAuthorization: "
                        + authorization
                        + "\r\nAccept: text/event-stream\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
        while (request.hasRemaining()) {
          channel.write(request);
        }
        key.interestOps(SelectionKey.OP_READ);
      } else if (key.isReadable()) {
        buffer.clear();
        int read = channel.read(buffer);
        if (read < 0) {
          closed.incrementAndGet();
          key.cancel();
          channel.close();
          return;
        }
        buffer.flip();
        while (buffer.hasRemaining()) {
          char c = (char) (buffer.get() & 0xff);
          if (c == '\n') {
            line(connection, connection.line.toString());
            connection.line.setLength(0);
          } else if (c != '\r') {
            connection.line.append(c);
          }
        }
      }
    } catch (IOException e) {
      closed.incrementAndGet();
      key.cancel();
      try {
        channel.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }

  private void line(Connection connection, String line) {
    if (!connection.statusSeen) {
      connection.statusSeen = true;
      if (line.startsWith("HTTP/1.1 200")) {
        connected.incrementAndGet();
      } else {
        refused.incrementAndGet();
      }
    } else if (line.startsWith(": heartbeat") || line.startsWith(":heartbeat")) {
      heartbeats.incrementAndGet();
    } else if (line.startsWith("data:")) {
      onData.accept(line);
    }
  }

  @Override
  public void close() throws IOException {
    running = false;
    selector.wakeup();
    try {
      loop.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (SelectionKey key : selector.keys()) {
      key.channel().close();
    }
    selector.close();
  }
}
