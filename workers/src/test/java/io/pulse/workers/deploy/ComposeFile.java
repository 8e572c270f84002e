package io.pulse.workers.deploy;

import static io.pulse.workers.deploy.Checks.expect;
import static io.pulse.workers.deploy.Yamls.list;
import static io.pulse.workers.deploy.Yamls.map;
import static io.pulse.workers.deploy.Yamls.text;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * deploy/compose/compose.yaml as parsed YAML with its variables filled in from .env.example (what a
 * user who copied it gets), and the checks the manifest test runs on it.
 */
final class ComposeFile {
  static final String DIR = "deploy/compose";

  /** ${NAME}, ${NAME:-default} and ${NAME:?error}, as compose interpolates them. */
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{(\\w+)(?::([-?])([^}]*))?}");

  final Map<String, Object> compose;
  final Properties env = DeployFiles.properties(DIR + "/.env.example");

  private ComposeFile() {
    compose = Yamls.load(DeployFiles.path(DIR + "/compose.yaml")).get(0);
  }

  /** A fresh copy every call, so a test may break it. */
  static ComposeFile load() {
    return new ComposeFile();
  }

  Map<String, Object> service(String name) {
    return map(compose, "services", name);
  }

  String interpolate(String value) {
    return interpolate(value, env);
  }

  /** With the variables in {@code variables}, and the defaults written in the file for the rest. */
  static String interpolate(String value, Properties variables) {
    if (value == null) {
      return null;
    }
    Matcher m = VARIABLE.matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String set = variables.getProperty(m.group(1));
      String replacement = set != null ? set : "-".equals(m.group(2)) ? m.group(3) : "";
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    return m.appendTail(out).toString();
  }

  /** A service's environment with its variables filled in (merge keys already resolved). */
  Map<String, String> environment(String service) {
    Map<String, String> env = new LinkedHashMap<>();
    map(service(service), "environment")
        .forEach((k, v) -> env.put(k, interpolate(String.valueOf(v))));
    return env;
  }

  /** The service that runs an app's image, or null. */
  String serviceOf(PulseApp app) {
    for (String name : map(compose, "services").keySet()) {
      if (app.image().equals(interpolate(text(service(name), "image")))) {
        return name;
      }
    }
    return null;
  }

  /**
   * Each app runs its image as built, publishes the ports it listens on (quarkus.http.port, and its
   * management port if it has one), is health-checked on its readiness path where it serves it,
   * waits for healthy broker and database, and gets longer than its own shutdown timeout to stop.
   */
  List<String> checkApps() {
    List<String> problems = new ArrayList<>();
    for (PulseApp app : PulseApp.ALL) {
      String name = serviceOf(app);
      if (name == null) {
        problems.add("no compose service runs " + app.image());
        continue;
      }
      Map<String, Object> service = service(name);
      for (Object port : list(service, "ports")) {
        String mapping = String.valueOf(port);
        String containerPort = mapping.substring(mapping.lastIndexOf(':') + 1);
        if (!app.ports().contains(Integer.valueOf(containerPort))) {
          problems.add(
              name + " container port is " + containerPort + ", the app listens on " + app.ports());
        }
      }
      String check =
          String.join(
              " ", list(service, "healthcheck", "test").stream().map(String::valueOf).toList());
      Matcher probe =
          Pattern.compile("/dev/tcp/127\\.0\\.0\\.1/(\\d+).*GET (\\S+) ").matcher(check);
      if (!probe.find()) {
        problems.add(name + " healthcheck makes no HTTP request: " + check);
      } else {
        expect(problems, name + " healthcheck port", app.operationsPort(), probe.group(1));
        expect(problems, name + " healthcheck path", app.readinessPath(), probe.group(2));
      }
      for (String dependency : new String[] {"postgres", "rabbitmq"}) {
        expect(
            problems,
            name + " waits for " + dependency,
            "service_healthy",
            text(service, "depends_on", dependency, "condition"));
      }
      String grace = String.valueOf(text(service, "stop_grace_period"));
      if (!grace.matches("\\d+s")
          || Long.parseLong(grace.replace("s", "")) <= app.shutdownTimeout().toSeconds()) {
        problems.add(
            name
                + " stop_grace_period "
                + grace
                + " does not exceed quarkus.shutdown.timeout "
                + app.shutdownTimeout());
      }
    }
    return problems;
  }

  /** Every variable an app's service gets sets one of that app's configuration properties. */
  List<String> checkEnvironmentNames() {
    List<String> problems = new ArrayList<>();
    for (PulseApp app : PulseApp.ALL) {
      for (String variable : environment(serviceOf(app)).keySet()) {
        if (!app.hasEnvironmentVariable(variable)) {
          problems.add(
              variable + " (" + app + " in compose) sets no configuration property of " + app);
        }
      }
    }
    return problems;
  }

  /**
   * The apps reach the compose broker and database with the logins those are created with, in the
   * definitions' virtual host; the broker mounts the definitions, plugins and configuration from
   * deploy/rabbitmq where rabbitmq.conf looks for them.
   */
  List<String> checkBrokerAndDatabase() {
    List<String> problems = new ArrayList<>();
    Map<String, String> postgres = environment("postgres");
    Set<String> logins =
        RabbitLogins.of(interpolate(text(compose, "configs", "rabbitmq-users", "content")));
    for (PulseApp app : PulseApp.ALL) {
      Map<String, String> env = environment(serviceOf(app));
      String at = app + " in compose: ";
      String broker = env.get("PULSE_RABBITMQ_HOST");
      if (!String.valueOf(text(service(broker), "image")).startsWith("rabbitmq:")) {
        problems.add(at + "PULSE_RABBITMQ_HOST " + broker + " is no RabbitMQ service");
      }
      Checks.appConnections(
          problems,
          at,
          env,
          logins,
          "jdbc:postgresql://postgres:5432/" + postgres.get("POSTGRES_DB"),
          postgres.get("POSTGRES_USER"),
          postgres.get("POSTGRES_PASSWORD"));
    }

    String definitionsDir = null;
    for (String line : DeployFiles.read("deploy/rabbitmq/rabbitmq.conf").split("\n")) {
      if (line.startsWith("load_definitions")) {
        definitionsDir = line.substring(line.indexOf('=') + 1).trim();
      }
    }
    Map<String, String> mounts = new LinkedHashMap<>();
    for (Object volume : list(service("rabbitmq"), "volumes")) {
      String[] parts = String.valueOf(volume).split(":");
      mounts.put(parts[1], parts[0]);
      if (parts[0].startsWith(".")
          && !Files.exists(DeployFiles.path(DIR).resolve(parts[0]).normalize())) {
        problems.add("rabbitmq mounts " + parts[0] + ", which does not exist");
      }
    }
    expect(
        problems,
        "enabled_plugins",
        "../rabbitmq/enabled_plugins",
        mounts.get("/etc/rabbitmq/enabled_plugins"));
    expect(
        problems,
        "topology",
        "../rabbitmq/definitions.json",
        mounts.get(definitionsDir + "/02-topology.json"));
    if (mounts.entrySet().stream()
        .noneMatch(
            m ->
                m.getKey().startsWith("/etc/rabbitmq/conf.d/")
                    && m.getValue().equals("../rabbitmq/rabbitmq.conf"))) {
      problems.add("rabbitmq does not load ../rabbitmq/rabbitmq.conf from /etc/rabbitmq/conf.d/");
    }
    for (Object config : list(service("rabbitmq"), "configs")) {
      String target = text(config, "target");
      if (definitionsDir == null || !target.startsWith(definitionsDir + "/")) {
        problems.add(
            "rabbitmq config " + target + " is outside load_definitions " + definitionsDir);
      }
    }
    return problems;
  }

  /** .env.example sets every variable compose.yaml uses, and the image tag is the project's. */
  List<String> checkVariables() {
    List<String> problems = new ArrayList<>();
    Set<String> used = new TreeSet<>();
    Matcher m = VARIABLE.matcher(DeployFiles.read(DIR + "/compose.yaml"));
    while (m.find()) {
      used.add(m.group(1));
    }
    for (String variable : used) {
      if (env.getProperty(variable) == null) {
        problems.add(variable + " is used in compose.yaml but not set in .env.example");
      }
    }
    for (PulseApp app : PulseApp.ALL) {
      String image = text(service(serviceOf(app)), "image");
      expect(problems, "image with .env.example", app.image(), interpolate(image));
      expect(problems, "image without .env", app.image(), interpolate(image, new Properties()));
    }
    return problems;
  }
}
