package io.pulse.api.admin;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.rest.client.reactive.ClientBasicAuth;
import jakarta.ws.rs.Encoded;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/**
 * The part of the RabbitMQ management HTTP API that Pulse reads, as a Quarkus REST client. One
 * client is built per configured node ({@link BrokerManagement}); the credentials come from {@code
 * pulse.rabbitmq.management.username} and {@code password}.
 */
@Path("/api")
@ClientBasicAuth(
    username = "${pulse.rabbitmq.management.username}",
    password = "${pulse.rabbitmq.management.password}")
interface ManagementApi {
  /** The columns {@link #queues} asks for, so a vhost with many queues answers a small list. */
  String QUEUE_COLUMNS = "name,messages,messages_ready,messages_unacknowledged,consumers";

  /**
   * Every queue of a virtual host. The name is passed encoded ({@link #pathSegment}): the default
   * vhost is "/", which must reach the broker as {@code %2F}.
   */
  @GET
  @Path("/queues/{vhost}")
  @Produces(MediaType.APPLICATION_JSON)
  List<Queue> queues(
      @PathParam("vhost") @Encoded String vhost, @QueryParam("columns") String columns);

  /** One queue as the broker last sampled it; a figure it has not sampled yet is null. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record Queue(
      String name,
      Long messages,
      @JsonProperty("messages_ready") Long ready,
      @JsonProperty("messages_unacknowledged") Long unacked,
      Long consumers) {}

  static String pathSegment(String value) {
    return java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8)
        .replace("+", "%20");
  }
}
