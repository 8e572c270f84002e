package io.pulse.api.live;

import io.pulse.common.events.InboxEvent;
import io.pulse.common.jobs.JobCodec;
import io.pulse.common.messaging.Topology;
import io.smallrye.reactive.messaging.rabbitmq.IncomingRabbitMQMetadata;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Consumes {@code pulse.events} through SmallRye Reactive Messaging: this instance's own exclusive,
 * auto-delete queue (application.properties, {@code inbox-events}), so every instance sees every
 * user's events and hands each to the streams it holds. Auto-ack: an event is a hint, and one lost
 * with a crashed instance went to streams that are gone too.
 */
@ApplicationScoped
public class InboxEventConsumer {
  private static final Logger LOG = Logger.getLogger(InboxEventConsumer.class);
  private final LiveStreams streams;

  public InboxEventConsumer(LiveStreams streams) {
    this.streams = streams;
  }

  @Incoming("inbox-events")
  public CompletionStage<Void> receive(Message<?> message) {
    Long user = routedUser(message);
    if (user != null && !streams.watches(user)) {
      // Every instance gets every user's events, one per notification written, and most users have
      // no stream open here: those are acked unread (issue 16: decoding each cost the API more
      // than the request that caused it). A stream opening meanwhile replays from the inbox.
      return message.ack();
    }
    try {
      streams.deliver(JobCodec.decode(bytes(message.getPayload()), InboxEvent.class));
    } catch (Exception e) {
      LOG.debugf("inbox event ignored, not one of ours: %s", e.getMessage());
    }
    return message.ack();
  }

  /** The user an event is about, from its routing key ({@code user.<id>}), or null. */
  private static Long routedUser(Message<?> message) {
    long user =
        Topology.eventRoutingUser(
            message
                .getMetadata(IncomingRabbitMQMetadata.class)
                .map(IncomingRabbitMQMetadata::getRoutingKey)
                .orElse(null));
    return user < 0 ? null : user;
  }

  /**
   * The bytes as published: the channel overrides the content type (application.properties), so the
   * connector does not parse the JSON into a JsonObject first; JSON and text are still taken.
   */
  private static byte[] bytes(Object payload) {
    if (payload instanceof byte[] raw) {
      return raw;
    }
    if (payload instanceof Buffer buffer) {
      return buffer.getBytes();
    }
    if (payload instanceof JsonObject json) {
      return json.encode().getBytes(StandardCharsets.UTF_8);
    }
    return String.valueOf(payload).getBytes(StandardCharsets.UTF_8);
  }
}
