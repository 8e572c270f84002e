package io.pulse.workers.deploy;

import io.pulse.common.feed.FeedConfig;
import io.pulse.common.messaging.RabbitConfig;
import io.pulse.common.notification.NotificationConfig;
import io.pulse.workers.jobs.JobsConfig;
import io.smallrye.config.ConfigMapping;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the deployment files must agree with about one app, read from the app itself: its HTTP and
 * management ports, health and metrics paths, image name and the configuration properties it has.
 */
record PulseApp(String module, Map<String, String> properties, Set<String> configNames) {
  /** Config mappings both apps have (the api's own ApiConfig is not on this classpath). */
  private static final List<Class<?>> COMMON_MAPPINGS =
      List.of(RabbitConfig.class, FeedConfig.class, NotificationConfig.class);

  private static final Pattern CONFIG_PROPERTY =
      Pattern.compile("@ConfigProperty\\(\\s*name\\s*=\\s*\"([^\"]+)\"");

  static final PulseApp API = load("api", List.of());
  static final PulseApp WORKERS = load("workers", List.of(JobsConfig.class));
  static final List<PulseApp> ALL = List.of(API, WORKERS);

  private static PulseApp load(String module, List<Class<?>> ownMappings) {
    Set<String> names = new TreeSet<>(DeployFiles.allPropertyNames(module).keySet());
    for (Class<?> mapping :
        Stream.concat(COMMON_MAPPINGS.stream(), ownMappings.stream()).toList()) {
      mappingProperties(mapping.getAnnotation(ConfigMapping.class).prefix(), mapping, names);
    }
    names.addAll(configPropertyNames("common/src/main/java"));
    names.addAll(configPropertyNames(module + "/src/main/java"));
    return new PulseApp(module, DeployFiles.prodProperties(module), names);
  }

  int httpPort() {
    return Integer.parseInt(properties.getOrDefault("quarkus.http.port", "8080"));
  }

  /** Whether health, metrics and OpenAPI are served on a management interface of their own. */
  boolean hasManagementInterface() {
    return "true".equals(properties.get("quarkus.management.enabled"));
  }

  /** Where health and metrics are served: the management port, or else the HTTP port. */
  int operationsPort() {
    return hasManagementInterface()
        ? Integer.parseInt(properties.getOrDefault("quarkus.management.port", "9000"))
        : httpPort();
  }

  /** Every port the app listens on. */
  Set<Integer> ports() {
    return new TreeSet<>(List.of(httpPort(), operationsPort()));
  }

  /** Quarkus' defaults unless the app's properties move them. */
  private String nonApplicationPath(String path) {
    String root =
        hasManagementInterface()
            ? properties.getOrDefault("quarkus.management.root-path", "/q")
            : "/" + properties.getOrDefault("quarkus.http.non-application-root-path", "q");
    return root.replaceAll("/+$", "") + "/" + path;
  }

  private String healthPath(String check, String quarkusDefault) {
    String root = properties.getOrDefault("quarkus.smallrye-health.root-path", "health");
    String leaf =
        properties.getOrDefault("quarkus.smallrye-health." + check + "-path", quarkusDefault);
    return nonApplicationPath(root + "/" + leaf);
  }

  String livenessPath() {
    return healthPath("liveness", "live");
  }

  String readinessPath() {
    return healthPath("readiness", "ready");
  }

  String startupPath() {
    return healthPath("startup", "started");
  }

  String metricsPath() {
    return nonApplicationPath(
        properties.getOrDefault("quarkus.micrometer.export.prometheus.path", "metrics"));
  }

  /** group/name:tag as quarkus-container-image builds it. */
  String image() {
    String tag =
        properties
            .get("quarkus.container-image.tag")
            .replace("${quarkus.application.version}", DeployFiles.projectVersion());
    return properties.get("quarkus.container-image.group")
        + "/"
        + properties.get("quarkus.container-image.name")
        + ":"
        + tag;
  }

  Duration shutdownTimeout() {
    return Duration.parse("PT" + properties.getOrDefault("quarkus.shutdown.timeout", "0s"));
  }

  /**
   * Whether an environment variable sets one of this app's properties: MicroProfile Config maps
   * pulse.rabbitmq.virtual-host to PULSE_RABBITMQ_VIRTUAL_HOST.
   */
  boolean hasEnvironmentVariable(String name) {
    return configNames.stream().anyMatch(p -> environmentName(p).equals(name));
  }

  static String environmentName(String property) {
    return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase();
  }

  /** The leaf properties of a @ConfigMapping interface (map-valued groups are left out). */
  private static void mappingProperties(String prefix, Class<?> type, Set<String> out) {
    for (Method m : type.getMethods()) {
      if (m.getParameterCount() > 0 || m.isDefault() || Modifier.isStatic(m.getModifiers())) {
        continue;
      }
      String name =
          prefix + "." + m.getName().replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
      Class<?> result = m.getReturnType();
      if (Map.class.isAssignableFrom(result)) {
        continue; // keyed by job or notification type: set in the properties files
      }
      if (result.isInterface() && result.getName().startsWith("io.pulse.")) {
        mappingProperties(name, result, out);
      } else {
        out.add(name);
      }
    }
  }

  /** Properties injected one by one with @ConfigProperty. */
  private static Set<String> configPropertyNames(String sourceRoot) {
    Set<String> names = new TreeSet<>();
    try (Stream<Path> files = Files.walk(DeployFiles.path(sourceRoot))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        Matcher m = CONFIG_PROPERTY.matcher(Files.readString(file));
        while (m.find()) {
          names.add(m.group(1));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return names;
  }

  /** The app a container image belongs to, or null. */
  static PulseApp byImage(String image) {
    return ALL.stream().filter(a -> a.image().equals(image)).findFirst().orElse(null);
  }

  @Override
  public String toString() {
    return module;
  }
}
