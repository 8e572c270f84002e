package io.pulse.workers.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import io.pulse.common.jobs.JobType;
import io.pulse.common.messaging.RabbitConfig;
import io.pulse.common.messaging.Topology;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The broker definitions file (deploy/rabbitmq/definitions.json) as the apps declare it: {@link
 * Topology#declare} runs against a channel that only records what it is asked to declare, so the
 * file is the declaration itself, with the apps' production configuration, and cannot drift from
 * it. Users and permissions are not in it: they differ per environment (deploy/compose and
 * deploy/k8s add them) and do not belong next to the topology.
 */
final class RabbitDefinitions {
  /** The virtual host of a deployed platform (PULSE_RABBITMQ_VIRTUAL_HOST in compose and k8s). */
  static final String VHOST = "pulse";

  /** The file and its copy inside deploy/k8s (kustomize reads no file outside its directory). */
  static final List<String> FILES =
      List.of("deploy/rabbitmq/definitions.json", "deploy/k8s/rabbitmq/definitions.json");

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private RabbitDefinitions() {}

  /**
   * The topology an app declares in production: its RabbitConfig built from the shared and the
   * app's own properties (the %prod view), with RabbitConfig's defaults for what they leave out.
   */
  static Topology productionTopology(String app) {
    SmallRyeConfig config =
        new SmallRyeConfigBuilder()
            .addDefaultInterceptors()
            .withSources(
                new PropertiesConfigSource(DeployFiles.prodProperties(app), app + " (prod)", 100))
            .withConverter(Duration.class, 200, new DurationConverter())
            .withMapping(RabbitConfig.class)
            .build();
    RabbitConfig rabbit = config.getConfigMapping(RabbitConfig.class);
    return new Topology(rabbit.retryTiers(), rabbit.deliveryLimit(), rabbit.deadLetterTtl());
  }

  /** What the workers declare in production, for every job type of the platform. */
  static ObjectNode production() {
    return of(productionTopology("workers"), VHOST);
  }

  static ObjectNode of(Topology topology, String vhost) {
    Recorder recorder = new Recorder(vhost);
    Channel channel =
        (Channel)
            Proxy.newProxyInstance(
                Channel.class.getClassLoader(), new Class<?>[] {Channel.class}, recorder);
    try {
      topology.declare(channel, JobType.ALL);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ObjectNode root = JSON.createObjectNode();
    root.putArray("vhosts").addObject().put("name", vhost);
    // One policy, for what must stay changeable on a running broker (a queue argument is fixed once
    // the queue exists): how long dead letters stay. Every other behaviour is in the arguments.
    Topology.Policy policy = topology.deadLetterPolicy();
    ObjectNode p = root.putArray("policies").addObject();
    p.put("vhost", vhost).put("name", policy.name()).put("pattern", policy.pattern());
    p.put("apply-to", policy.applyTo()).put("priority", policy.priority());
    p.set("definition", JSON.valueToTree(new TreeMap<>(policy.definition())));
    root.set("exchanges", recorder.exchanges);
    root.set("queues", recorder.queues);
    root.set("bindings", recorder.bindings);
    return root;
  }

  static String render(ObjectNode definitions) {
    try {
      return JSON.writeValueAsString(definitions) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes each declaration in the shape RabbitMQ exports and imports definitions. */
  private static final class Recorder implements InvocationHandler {
    final String vhost;
    final ArrayNode exchanges = JSON.createArrayNode();
    final ArrayNode queues = JSON.createArrayNode();
    final ArrayNode bindings = JSON.createArrayNode();

    Recorder(String vhost) {
      this.vhost = vhost;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Object invoke(Object proxy, Method method, Object[] args) {
      String call = method.getName() + "/" + (args == null ? 0 : args.length);
      switch (call) {
        case "exchangeDeclare/3" -> {
          ObjectNode e = exchanges.addObject().put("name", (String) args[0]).put("vhost", vhost);
          e.put("type", ((BuiltinExchangeType) args[1]).getType());
          e.put("durable", (boolean) args[2]).put("auto_delete", false).put("internal", false);
          e.putObject("arguments");
        }
        case "queueDeclare/5" -> {
          if ((boolean) args[2]) {
            throw new IllegalStateException("an exclusive queue has no place in definitions");
          }
          ObjectNode q = queues.addObject().put("name", (String) args[0]).put("vhost", vhost);
          q.put("durable", (boolean) args[1]).put("auto_delete", (boolean) args[3]);
          q.set("arguments", JSON.valueToTree(sorted((Map<String, Object>) args[4])));
        }
        case "queueBind/3", "queueBind/4" -> {
          ObjectNode b = bindings.addObject().put("source", (String) args[1]).put("vhost", vhost);
          b.put("destination", (String) args[0]).put("destination_type", "queue");
          b.put("routing_key", (String) args[2]);
          Map<String, Object> arguments = args.length == 4 ? (Map<String, Object>) args[3] : null;
          b.set("arguments", JSON.valueToTree(sorted(arguments)));
        }
        case "toString/0" -> {
          return "recording channel";
        }
        default ->
            // A new kind of declaration must be written to the file too, not silently left out.
            throw new UnsupportedOperationException(
                "Topology.declare called " + method + "; teach RabbitDefinitions to record it");
      }
      return null;
    }

    private static Map<String, Object> sorted(Map<String, Object> arguments) {
      return arguments == null ? Map.of() : new TreeMap<>(arguments);
    }
  }
}
