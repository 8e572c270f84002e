package io.pulse.workers;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * For tests that read what the workers mailed: one real SMTP server (GreenMail) on the test
 * profile's mail port for the whole class, emptied before each test. Not restarted between tests: a
 * restart would strand mails still in flight from the test before.
 */
public abstract class WithMailServer {
  /** Where the workers send in the test profile ({@code %test.quarkus.mailer.port}). */
  public static final ServerSetup SMTP =
      new ServerSetup(3025, "127.0.0.1", ServerSetup.PROTOCOL_SMTP);

  protected static GreenMail mail;

  @BeforeAll
  protected static void startMailServer() {
    mail = new GreenMail(SMTP);
    mail.start();
  }

  @AfterAll
  protected static void stopMailServer() {
    mail.stop();
  }

  @BeforeEach
  protected void emptyMailboxes() throws Exception {
    mail.purgeEmailFromAllMailboxes();
  }
}
