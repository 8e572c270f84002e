package io.pulse.common.testing;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * A plain amqp-client view of the test virtual host, independent of the app under test: tests use
 * it to look into queues, publish raw messages and break things. It connects where the app under
 * test does ({@code pulse.rabbitmq.*} of the test profile), so a build that moves its tests to
 * another virtual host (several builds sharing one broker) looks into the right one.
 */
public final class BrokerProbe implements AutoCloseable {
  public static final String TEST_VHOST = "pulse-test";
  private final Connection connection;
  private final Channel channel;

  /**
   * The virtual host the app under test uses ({@code pulse.rabbitmq.virtual-host} of the running
   * test), so a run moved to its own virtual host looks at, and purges, only its own queues.
   */
  public BrokerProbe() {
    this(
        ConfigProvider.getConfig()
            .getOptionalValue("pulse.rabbitmq.virtual-host", String.class)
            .orElse(TEST_VHOST));
  }

  public BrokerProbe(String virtualHost) {
    Config config = ConfigProvider.getConfig();
    try {
      ConnectionFactory factory = new ConnectionFactory();
      factory.setHost(
          config.getOptionalValue("pulse.rabbitmq.host", String.class).orElse("127.0.0.1"));
      factory.setPort(config.getOptionalValue("pulse.rabbitmq.port", Integer.class).orElse(5672));
      factory.setVirtualHost(virtualHost);
      connection = factory.newConnection("test probe");
      channel = connection.createChannel();
      channel.confirmSelect();
    } catch (IOException | TimeoutException e) {
      throw new IllegalStateException(
          "RabbitMQ test vhost " + virtualHost + " not reachable; run deploy/services.sh", e);
    }
  }

  public long depth(String queue) {
    try {
      return channel.messageCount(queue);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read depth of " + queue, e);
    }
  }

  public void purge(String queue) {
    try {
      channel.queuePurge(queue);
    } catch (IOException e) {
      throw new IllegalStateException("cannot purge " + queue, e);
    }
  }

  /** Takes one message off a queue (acked), or null when it is empty. */
  public GetResponse take(String queue) {
    try {
      return channel.basicGet(queue, true);
    } catch (IOException e) {
      throw new IllegalStateException("cannot get from " + queue, e);
    }
  }

  /**
   * Takes one message off a queue without acking it, so the broker counts it as unacked until
   * {@link #requeueHeld()} or {@link #close()}; null when the queue is empty.
   */
  public GetResponse hold(String queue) {
    try {
      return channel.basicGet(queue, false);
    } catch (IOException e) {
      throw new IllegalStateException("cannot get from " + queue, e);
    }
  }

  /** Hands every held message back to its queue. */
  public void requeueHeld() {
    try {
      channel.basicNack(0, true, true);
    } catch (IOException e) {
      throw new IllegalStateException("cannot requeue held messages", e);
    }
  }

  public void publish(String exchange, String routingKey, AMQP.BasicProperties props, byte[] body) {
    try {
      channel.basicPublish(exchange, routingKey, true, props, body);
      channel.waitForConfirmsOrDie(5_000);
    } catch (IOException | InterruptedException | TimeoutException e) {
      throw new IllegalStateException("publish to " + exchange + " failed", e);
    }
  }

  public void deleteQueue(String queue) {
    try {
      channel.queueDelete(queue);
    } catch (IOException e) {
      throw new IllegalStateException("cannot delete " + queue, e);
    }
  }

  public static String header(GetResponse message, String name) {
    Map<String, Object> headers = message.getProps().getHeaders();
    Object value = headers == null ? null : headers.get(name);
    return value == null ? null : value.toString();
  }

  @Override
  public void close() {
    try {
      connection.close();
    } catch (IOException e) {
      // the test is over; nothing to keep
    }
  }
}
