package io.pulse.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * HTTP/1.1 written byte for byte on a socket: for what an HTTP client would refuse to send or would
 * clean up (a CR or LF inside a header value, folded lines, a header twice, dot segments and
 * encoded slashes in a path).
 */
public final class RawHttp {
  private RawHttp() {}

  /** The answer's status (0 when the server closed without one) and its text. */
  public record Answer(int status, String text) {
    public String abbreviated() {
      return text.length() > 400 ? text.substring(0, 400) + "..." : text;
    }
  }

  /**
   * A request: the request line, {@code Host}, then {@code headers} as given (each written as is,
   * then CRLF), then a {@code Content-Length} for the body unless {@code headers} set the framing.
   */
  public static byte[] request(String method, String target, List<String> headers, String body) {
    StringBuilder text =
        new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
    text.append("Host: localhost\r\nConnection: close\r\n");
    boolean framed = false;
    for (String header : headers) {
      text.append(header).append("\r\n");
      String name = header.toLowerCase();
      framed |= name.startsWith("content-length:") || name.startsWith("transfer-encoding:");
    }
    byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    if (!framed && body != null) {
      text.append("Content-Length: ").append(bytes.length).append("\r\n");
    }
    text.append("\r\n");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(text.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.writeBytes(bytes);
    return out.toByteArray();
  }

  /** Sends {@code request} on a new connection; the answer, read until the server closes. */
  public static Answer exchange(URI root, byte[] request) throws IOException {
    try (Socket socket = new Socket(root.getHost(), root.getPort())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      try {
        out.write(request);
        out.flush();
      } catch (IOException e) {
        // The server may answer and close before it has read all of a request it refuses.
      }
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[8192];
      try {
        for (int n; (n = in.read(buffer)) > 0; ) {
          answer.write(buffer, 0, n);
        }
      } catch (SocketTimeoutException | java.net.SocketException e) {
        // What arrived is the answer (a reset after a refusal is fine).
      }
      String text = answer.toString(StandardCharsets.ISO_8859_1);
      int status =
          text.startsWith("HTTP/1.1 ") && text.length() >= 12
              ? Integer.parseInt(text.substring(9, 12))
              : 0;
      return new Answer(status, text);
    }
  }
}
