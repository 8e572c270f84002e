package io.pulse.workers.notification;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's worked example, so the documented header is the one the workers send. */
class WebhookSignatureTest {
  static final long TIMESTAMP = 1764576000L;
  static final String BODY =
      "{\"id\":\"0b7f3c1e-6f0a-3c43-9a55-2a7c8b1d9e10\",\"notificationId\":\"5a1d6f0e-2b7c-4e7a-9c3d-1f2e3a4b5c6d\",\"type\":\"comment.reply\",\"userId\":42,\"title\":\"New reply\",\"body\":\"Nice post\",\"link\":\"/posts/9\",\"actorId\":5,\"createdAt\":\"2026-11-30T09:00:00Z\"}";
  static final String EXAMPLE = "f37165ed058172be7c64e64e05849dc8791b73b29bae4346443b8af023adada7";
  static final String PREVIOUS = "a372ab396543a87697a94d65e4ab89ecc983968b1d16567afef43cffd5829579";

  @Test
  void oneSecretGivesTheTimestampAndOneSignature() {
    assertEquals(
        "t=1764576000,v1=" + EXAMPLE,
        WebhookSignature.header(List.of("whsec_example"), TIMESTAMP, BODY));
  }

  @Test
  void duringARotationEachActiveSecretAddsItsSignatureCurrentFirst() {
    assertEquals(
        "t=1764576000,v1=" + EXAMPLE + ",v1=" + PREVIOUS,
        WebhookSignature.header(List.of("whsec_example", "whsec_previous"), TIMESTAMP, BODY));
  }
}
