package io.pulse.api.live;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/**
 * A stream read over a plain socket whose receive buffer the test sets, so the test decides when
 * (and whether) bytes are read: a client that stops reading is one that stops calling {@link
 * #readUntil}. It parses HTTP/1.1 chunked framing and SSE events itself, and tells a clean end of
 * the response (the last, empty chunk) from a connection that was cut.
 */
final class RawSseConnection implements AutoCloseable {
  final List<String> createdIds = new CopyOnWriteArrayList<>();
  int status;

  /** The response ended with its terminating chunk: the server completed the stream. */
  boolean cleanEnd;

  boolean ended;
  private final Socket socket;
  private final InputStream in;
  private final StringBuilder pending = new StringBuilder();

  private RawSseConnection(Socket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
  }

  static RawSseConnection open(
      URI root, String pathAndQuery, Map<String, String> headers, int receiveBuffer)
      throws IOException {
    Socket socket = new Socket();
    // Set before connecting, so the window offered to the server is this small.
    socket.setReceiveBufferSize(receiveBuffer);
    socket.setSoTimeout(20_000);
    socket.connect(new InetSocketAddress(root.getHost(), root.getPort()), 5_000);
    StringBuilder request =
        new StringBuilder("GET " + pathAndQuery + " HTTP/1.1\r\n")
            .append("Host: ")
            .append(root.getHost())
            .append(':')
            .append(root.getPort())
            .append("\r\nAccept: text/event-stream\r\n");
    headers.forEach(
        (name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
    OutputStream out = socket.getOutputStream();
    out.write(request.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
    out.flush();
    RawSseConnection connection = new RawSseConnection(socket);
    connection.readHead();
    return connection;
  }

  /** Reads until {@code enough} holds or the response ends. */
  void readUntil(BooleanSupplier enough) throws IOException {
    while (!ended && !enough.getAsBoolean()) {
      readChunk();
    }
  }

  /** Reads whatever is left; a cut connection ends it as well (not cleanly). */
  void readToEnd() {
    try {
      readUntil(() -> false);
    } catch (IOException cut) {
      ended = true;
    }
  }

  private void readHead() throws IOException {
    String statusLine = line();
    status = Integer.parseInt(statusLine.split(" ")[1]);
    boolean chunked = false;
    for (String header = line(); !header.isEmpty(); header = line()) {
      if (header.toLowerCase().startsWith("transfer-encoding:") && header.contains("chunked")) {
        chunked = true;
      }
    }
    if (status != 200 || !chunked) {
      throw new IOException("not a chunked event stream: " + statusLine);
    }
  }

  private void readChunk() throws IOException {
    String size = line();
    int length = Integer.parseInt(size.split(";")[0].trim(), 16);
    if (length == 0) {
      line();
      cleanEnd = true;
      ended = true;
      return;
    }
    byte[] data = in.readNBytes(length);
    if (data.length < length) {
      throw new EOFException("cut inside a chunk");
    }
    line();
    pending.append(new String(data, StandardCharsets.ISO_8859_1));
    for (int end = pending.indexOf("\n\n"); end >= 0; end = pending.indexOf("\n\n")) {
      event(pending.substring(0, end));
      pending.delete(0, end + 2);
    }
  }

  /** One complete SSE event: a created item counts by its id. */
  private void event(String block) {
    String id = null;
    boolean created = false;
    for (String field : block.split("\n")) {
      if (field.startsWith("id:")) {
        id = field.substring(3).trim();
      } else if (field.startsWith("event:") && field.contains("notification.created")) {
        created = true;
      }
    }
    if (created && id != null) {
      createdIds.add(id);
    }
  }

  private String line() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        throw new EOFException("connection closed");
      }
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // already gone
    }
  }
}
