package io.pulse.api.console;

import io.pulse.common.messaging.RabbitConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** Links from the console to a queue's page in the RabbitMQ management console. */
@ApplicationScoped
public class RabbitConsoleLinks {
  private final String queues;

  public RabbitConsoleLinks(RabbitConfig rabbit) {
    // The first management URL: the one an operator configured first, usually the nearest node.
    this.queues =
        rabbit.management().url().get(0).toString().replaceAll("/+$", "")
            + "/#/queues/"
            + encode(rabbit.virtualHost())
            + "/";
  }

  /** Prepended to a queue's (encoded) name, it is that queue's page. */
  public String queuePrefix() {
    return queues;
  }

  public String queue(String name) {
    return queues + encode(name);
  }

  static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }
}
