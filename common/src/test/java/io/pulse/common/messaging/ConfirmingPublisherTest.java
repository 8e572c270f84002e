package io.pulse.common.messaging;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import io.pulse.common.testing.TestPublisher;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The publisher against the real broker, with each fault it must tell apart: a return, a nack, a
 * closed channel. (A confirm that never comes is {@link PublisherConfirmsTest}'s.)
 */
class ConfirmingPublisherTest {
  @RegisterExtension final TestPublisher broker = new TestPublisher("test.publisher.");

  @Test
  void aRoutedJobIsConfirmed() {
    List<PublishFailedException> outcomes = broker.publisher.publishJobs(List.of(job(), job()));
    assertNull(outcomes.get(0));
    assertNull(outcomes.get(1));
  }

  @Test
  void aReturnedJobIsUnroutableAndTheTopologyComesBackForTheNextOne() throws Exception {
    broker.deleteWorkQueue();

    PublishFailedException returned = broker.publisher.publishJobs(List.of(job())).get(0);
    assertInstanceOf(UnroutableMessageException.class, returned);
    assertTrue(returned.getMessage().contains("NO_ROUTE"), returned.getMessage());

    assertNull(
        broker.publisher.publishJobs(List.of(job())).get(0), "declared again after the return");
  }

  @Test
  void aNackedMessageIsBrokerUnavailable() throws Exception {
    String full = broker.fullQueue();
    BrokerUnavailableException nacked =
        assertThrows(
            BrokerUnavailableException.class,
            () ->
                broker.publisher.publish(
                    "", full, properties(), "{}".getBytes(StandardCharsets.UTF_8)));
    assertTrue(nacked.getMessage().contains("nacked"), nacked.getMessage());
  }

  @Test
  void aClosedChannelFailsItsPublishAndTheNextOneGetsANewChannel() {
    BrokerUnavailableException closed = broker.breakChannel();
    assertTrue(closed.getMessage().contains("channel closed"), closed.getMessage());

    List<PublishFailedException> after =
        broker.publisher.publishJobs(List.of(job(), job(), job(), job(), job()));
    after.forEach(outcome -> assertNull(outcome, "published on a reopened channel"));
  }

  private JobMessage job() {
    return broker.job();
  }

  private static AMQP.BasicProperties properties() {
    return new AMQP.BasicProperties.Builder().messageId(UUID.randomUUID().toString()).build();
  }
}
