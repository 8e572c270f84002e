package io.pulse.workers.notification;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A small SMTP server that answers RCPT TO as the test scripts it (a 4xx or 5xx reply, or 250), for
 * the failure cases GreenMail cannot produce. It speaks real SMTP over a real socket; what it
 * accepts is kept in {@link #accepted}.
 */
final class ScriptedSmtpServer implements AutoCloseable {
  final List<String> recipients = new CopyOnWriteArrayList<>();
  final List<String> accepted = new CopyOnWriteArrayList<>();
  private final ServerSocket socket;
  private final Function<String, String> rcptReply;
  private final Thread loop;

  ScriptedSmtpServer(int port, Function<String, String> rcptReply) throws IOException {
    this.socket = new ServerSocket(port, 10, InetAddress.getByName("127.0.0.1"));
    this.socket.setReuseAddress(true);
    this.rcptReply = rcptReply;
    this.loop = new Thread(this::serve, "scripted-smtp");
    loop.setDaemon(true);
    loop.start();
  }

  /** A thread per connection: a client may hold one connection while it opens the next. */
  private void serve() {
    while (!socket.isClosed()) {
      try {
        Socket client = socket.accept();
        Thread conversation = new Thread(() -> converseAndClose(client), "scripted-smtp-client");
        conversation.setDaemon(true);
        conversation.start();
      } catch (IOException e) {
        // closed by the test
      }
    }
  }

  private void converseAndClose(Socket client) {
    try (client) {
      converse(client);
    } catch (IOException e) {
      // the client went away
    }
  }

  private void converse(Socket client) throws IOException {
    BufferedReader in =
        new BufferedReader(
            new InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII));
    PrintWriter out = new PrintWriter(client.getOutputStream(), true, StandardCharsets.US_ASCII);
    reply(out, "220 scripted.test ESMTP");
    String line;
    StringBuilder data = null;
    while ((line = in.readLine()) != null) {
      if (data != null) {
        if (line.equals(".")) {
          accepted.add(data.toString());
          data = null;
          reply(out, "250 2.0.0 queued");
        } else {
          data.append(line).append('\n');
        }
        continue;
      }
      String command = line.toUpperCase();
      if (command.startsWith("EHLO") || command.startsWith("HELO")) {
        reply(out, "250 scripted.test");
      } else if (command.startsWith("MAIL FROM")) {
        reply(out, "250 2.1.0 ok");
      } else if (command.startsWith("RCPT TO")) {
        String rcpt = line.substring(line.indexOf(':') + 1).trim();
        recipients.add(rcpt);
        reply(out, rcptReply.apply(rcpt));
      } else if (command.startsWith("DATA")) {
        data = new StringBuilder();
        reply(out, "354 go ahead");
      } else if (command.startsWith("QUIT")) {
        reply(out, "221 bye");
        return;
      } else {
        reply(out, "250 ok");
      }
    }
  }

  private static void reply(PrintWriter out, String line) {
    out.print(line + "\r\n");
    out.flush();
  }

  @Override
  public void close() throws Exception {
    socket.close();
    loop.join(2_000);
  }
}
