package io.pulse.common.messaging;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.AddressResolver;
import com.rabbitmq.client.Connection;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The broker nodes an app may connect to, in the order it tries them: {@code
 * pulse.rabbitmq.addresses} when set, else the single {@code host}/{@code port}. Each (re)connect
 * starts again at the first node and takes the first one that answers, so a dead node costs one
 * refused (or timed-out) attempt and the supervisor that noticed the dead connection lands on a
 * live node. Without automatic recovery the client walks the list in order (it shuffles only for
 * recovery), so while every node is up the first one carries all of an instance's connections.
 */
public final class BrokerAddresses implements AddressResolver {
  private final List<Address> addresses;

  public BrokerAddresses(RabbitConfig config) {
    this.addresses =
        config
            .addresses()
            .filter(list -> !list.isEmpty())
            .map(list -> list.stream().map(BrokerAddresses::parse).toList())
            .orElse(List.of(new Address(config.host(), config.port())));
  }

  private static Address parse(String hostAndPort) {
    String trimmed = hostAndPort.strip();
    try {
      Address address = Address.parseAddress(trimmed);
      if (address.getHost().isEmpty() || address.getPort() == 0) {
        throw new IllegalArgumentException("empty host or port 0");
      }
      return address;
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "pulse.rabbitmq.addresses: '" + trimmed + "' is not host:port", e);
    }
  }

  @Override
  public List<Address> getAddresses() {
    return addresses;
  }

  /** host:port,host:port as configured, for messages about all of them. */
  @Override
  public String toString() {
    return addresses.stream().map(BrokerAddresses::format).collect(Collectors.joining(","));
  }

  /** The node a connection actually reached. */
  static String of(Connection connection) {
    return connection.getAddress().getHostAddress() + ":" + connection.getPort();
  }

  private static String format(Address address) {
    return address.getPort() < 0 ? address.getHost() : address.getHost() + ":" + address.getPort();
  }
}
