package io.pulse.common.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** An event's routing key names its user, and reading it back gives that user or none. */
class EventRoutingKeyTest {
  @Test
  void aUsersKeyReadsBackAsTheUser() {
    assertEquals("user.42", Topology.eventRoutingKey(42));
    assertEquals(42, Topology.eventRoutingUser(Topology.eventRoutingKey(42)));
  }

  @Test
  void aKeyThatNamesNoUserReadsAsNone() {
    assertEquals(-1, Topology.eventRoutingUser(null));
    assertEquals(-1, Topology.eventRoutingUser("user."));
    assertEquals(-1, Topology.eventRoutingUser("user.x1"));
    assertEquals(-1, Topology.eventRoutingUser("post.42"));
  }
}
