package io.pulse.common.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class PushEndpointsTest {
  @Test
  void theBrowsersPushServicesAreAccepted() {
    for (String endpoint :
        new String[] {
          "https://fcm.googleapis.com/fcm/send/dpH5lCsTSSM:APA91bH",
          "https://updates.push.services.mozilla.com/wpush/v2/gAAAAABn",
          "https://web.push.apple.com/QGuQyavXutnMH",
          "https://wns2-par02p.notify.windows.com/w/?token=BQYAAAD"
        }) {
      assertEquals(Optional.empty(), PushEndpoints.problem(endpoint, false), endpoint);
    }
  }

  @Test
  void anythingButHttpsToAHostIsRefused() {
    for (String endpoint :
        new String[] {
          "http://fcm.googleapis.com/fcm/send/x",
          "ftp://push.example/x",
          "https://10.0.0.7/push",
          "https://[::1]/push",
          "https://localhost/push",
          "https://user:pw@push.example/x",
          "https://push.example/x#frag",
          "/relative/push",
          "https:opaque",
          "not a url",
          "",
          "https://push.example/" + "x".repeat(PushEndpoints.MAX_LENGTH)
        }) {
      assertTrue(PushEndpoints.problem(endpoint, true).isPresent(), endpoint);
    }
    assertTrue(PushEndpoints.problem(null, true).isPresent());
  }

  @Test
  void plainHttpToLoopbackOnlyWhenConfigured() {
    String standIn = "http://127.0.0.1:18799/push/abc";
    assertEquals(Optional.empty(), PushEndpoints.problem(standIn, true));
    assertEquals(
        Optional.of("must be an https URL (a browser's push service)"),
        PushEndpoints.problem(standIn, false));
    assertTrue(PushEndpoints.problem("http://127.0.0.2/push", true).isPresent());
  }
}
