package io.pulse.workers.deploy;

import static io.pulse.workers.deploy.Checks.expect;
import static io.pulse.workers.deploy.Yamls.at;
import static io.pulse.workers.deploy.Yamls.list;
import static io.pulse.workers.deploy.Yamls.map;
import static io.pulse.workers.deploy.Yamls.text;

import io.pulse.common.jobs.JobType;
import io.pulse.common.messaging.Topology;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * deploy/k8s as parsed YAML, and the checks the manifest test runs on it. Each check returns the
 * problems it found (empty when all is well), so a test can also show that a broken manifest is
 * caught.
 */
final class K8sManifests {
  static final String DIR = "deploy/k8s";

  final Map<String, Object> kustomization;
  final List<Map<String, Object>> resources = new ArrayList<>();

  private K8sManifests() {
    kustomization = Yamls.load(DeployFiles.path(DIR + "/kustomization.yaml")).get(0);
    for (Object file : list(kustomization, "resources")) {
      resources.addAll(Yamls.load(DeployFiles.path(DIR + "/" + file)));
    }
  }

  /** A fresh copy every call, so a test may break it. */
  static K8sManifests load() {
    return new K8sManifests();
  }

  List<Map<String, Object>> ofKind(String kind) {
    return resources.stream().filter(r -> kind.equals(r.get("kind"))).toList();
  }

  Map<String, Object> named(String kind, String name) {
    return ofKind(kind).stream()
        .filter(r -> name.equals(text(r, "metadata", "name")))
        .findFirst()
        .orElse(null);
  }

  static String name(Map<String, Object> resource) {
    return text(resource, "metadata", "name");
  }

  // ---------------------------------------------------------------- Secrets and ConfigMaps

  /** Keys of each Secret ("Secret/name") and ConfigMap ("ConfigMap/name"), generated ones too. */
  Map<String, Set<String>> definedKeys() {
    Map<String, Set<String>> keys = new LinkedHashMap<>();
    for (Map<String, Object> secret : ofKind("Secret")) {
      Set<String> k = new TreeSet<>(map(secret, "data").keySet());
      k.addAll(map(secret, "stringData").keySet());
      keys.put("Secret/" + name(secret), k);
    }
    for (Map<String, Object> configMap : ofKind("ConfigMap")) {
      keys.put("ConfigMap/" + name(configMap), new TreeSet<>(map(configMap, "data").keySet()));
    }
    for (Object generator : list(kustomization, "configMapGenerator")) {
      Set<String> k = new TreeSet<>();
      for (Object file : list(generator, "files")) {
        String entry = String.valueOf(file);
        k.add(
            entry.contains("=")
                ? entry.substring(0, entry.indexOf('='))
                : Path.of(entry).getFileName().toString());
      }
      keys.put("ConfigMap/" + text(generator, "name"), k);
    }
    return keys;
  }

  /** The value of a Secret's or ConfigMap's key (stringData or data as written here). */
  String value(String kind, String name, String key) {
    Map<String, Object> resource = named(kind, name);
    String field = "Secret".equals(kind) ? "stringData" : "data";
    return resource == null ? null : text(resource, field, key);
  }

  /**
   * Every reference to a Secret or ConfigMap anywhere in the manifests: env valueFrom, envFrom,
   * volumes, CloudNativePG's bootstrap secret and KEDA's secretTargetRef. Each must name one that
   * is defined here, and the key it reads must be in it.
   */
  List<String> checkReferences() {
    Map<String, Set<String>> defined = definedKeys();
    List<String> problems = new ArrayList<>();
    for (Map<String, Object> resource : resources) {
      String where = resource.get("kind") + "/" + name(resource);
      walk(
          resource,
          node -> {
            reference(node, "secretKeyRef", "Secret", "name", "key", defined, where, problems);
            reference(
                node, "configMapKeyRef", "ConfigMap", "name", "key", defined, where, problems);
            reference(node, "secretRef", "Secret", "name", null, defined, where, problems);
            reference(node, "configMapRef", "ConfigMap", "name", null, defined, where, problems);
            reference(node, "configMap", "ConfigMap", "name", null, defined, where, problems);
            reference(node, "secret", "Secret", "secretName", null, defined, where, problems);
            reference(node, "secret", "Secret", "name", null, defined, where, problems);
          });
      for (Object target : list(resource, "spec", "secretTargetRef")) {
        check("Secret", text(target, "name"), text(target, "key"), defined, where, problems);
      }
    }
    for (Map<String, Object> pod : podSpecs()) {
      problems.addAll(checkSubPaths(pod, defined));
    }
    return problems;
  }

  private static void reference(
      Map<String, Object> node,
      String field,
      String kind,
      String nameField,
      String keyField,
      Map<String, Set<String>> defined,
      String where,
      List<String> problems) {
    Object ref = node.get(field);
    if (ref instanceof Map<?, ?> && at(ref, nameField) != null) {
      String key = keyField == null ? null : text(ref, keyField);
      check(kind, text(ref, nameField), key, defined, where, problems);
    }
  }

  private static void check(
      String kind,
      String name,
      String key,
      Map<String, Set<String>> defined,
      String where,
      List<String> problems) {
    Set<String> keys = defined.get(kind + "/" + name);
    if (keys == null) {
      problems.add(where + " refers to " + kind + " " + name + ", which no manifest defines");
    } else if (key != null && !keys.contains(key)) {
      problems.add(
          where + " reads key " + key + " of " + kind + " " + name + ", which has " + keys);
    }
  }

  /** A volume mounted with subPath must have that key. */
  private static List<String> checkSubPaths(
      Map<String, Object> pod, Map<String, Set<String>> defined) {
    Map<String, String> sources = new LinkedHashMap<>();
    for (Object volume : list(pod, "volumes")) {
      if (at(volume, "configMap", "name") != null) {
        sources.put(text(volume, "name"), "ConfigMap/" + text(volume, "configMap", "name"));
      } else if (at(volume, "secret", "secretName") != null) {
        sources.put(text(volume, "name"), "Secret/" + text(volume, "secret", "secretName"));
      }
    }
    List<String> problems = new ArrayList<>();
    for (Object container : list(pod, "containers")) {
      for (Object mount : list(container, "volumeMounts")) {
        String source = sources.get(text(mount, "name"));
        String subPath = text(mount, "subPath");
        if (source != null
            && subPath != null
            && !defined.getOrDefault(source, Set.of()).contains(subPath)) {
          problems.add(
              "mount " + text(mount, "mountPath") + " wants key " + subPath + " of " + source);
        }
      }
    }
    return problems;
  }

  /** The pod templates: Deployments' and the one the RabbitmqCluster overrides. */
  List<Map<String, Object>> podSpecs() {
    List<Map<String, Object>> pods = new ArrayList<>();
    ofKind("Deployment").forEach(d -> pods.add(map(d, "spec", "template", "spec")));
    ofKind("RabbitmqCluster")
        .forEach(
            r -> pods.add(map(r, "spec", "override", "statefulSet", "spec", "template", "spec")));
    return pods;
  }

  @SuppressWarnings("unchecked")
  private static void walk(Object node, Consumer<Map<String, Object>> visit) {
    if (node instanceof Map<?, ?> map) {
      visit.accept((Map<String, Object>) map);
      map.values().forEach(v -> walk(v, visit));
    } else if (node instanceof List<?> items) {
      items.forEach(v -> walk(v, visit));
    }
  }

  // ---------------------------------------------------------------- the kustomization itself

  /** Every manifest file is applied, and every file the kustomization names exists. */
  List<String> checkKustomization() {
    List<String> problems = new ArrayList<>();
    Set<String> listed = new TreeSet<>();
    list(kustomization, "resources").forEach(r -> listed.add(String.valueOf(r)));
    try (Stream<Path> files = Files.list(DeployFiles.path(DIR))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
        String fileName = file.getFileName().toString();
        if (!fileName.equals("kustomization.yaml") && !listed.contains(fileName)) {
          problems.add(fileName + " is not in kustomization.yaml's resources");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (Object generator : list(kustomization, "configMapGenerator")) {
      for (Object file : list(generator, "files")) {
        String entry = String.valueOf(file);
        String path = entry.substring(entry.indexOf('=') + 1);
        if (!Files.isRegularFile(DeployFiles.path(DIR + "/" + path))) {
          problems.add("configMapGenerator " + text(generator, "name") + ": no file " + path);
        }
      }
    }
    return problems;
  }

  // ---------------------------------------------------------------- Deployments and the apps

  /** The Pulse app a Deployment runs (by its image), or null. */
  static PulseApp app(Map<String, Object> deployment) {
    for (Object container : list(deployment, "spec", "template", "spec", "containers")) {
      PulseApp app = PulseApp.byImage(text(container, "image"));
      if (app != null) {
        return app;
      }
    }
    return null;
  }

  Map<String, Object> deploymentOf(PulseApp app) {
    return ofKind("Deployment").stream().filter(d -> app(d) == app).findFirst().orElse(null);
  }

  /**
   * Each Deployment runs one of the apps' images as built, declares the ports the app listens on
   * (quarkus.http.port, and quarkus.management.port when it has one), probes the app's health paths
   * where it serves them, has resources and outlives the app's shutdown.
   */
  List<String> checkDeployments() {
    List<String> problems = new ArrayList<>();
    for (PulseApp app : PulseApp.ALL) {
      if (deploymentOf(app) == null) {
        problems.add("no Deployment runs " + app.image());
      }
    }
    for (Map<String, Object> deployment : ofKind("Deployment")) {
      String where = "Deployment " + name(deployment);
      Map<String, Object> template = map(deployment, "spec", "template");
      Map<String, Object> labels = map(template, "metadata", "labels");
      if (!contains(labels, map(deployment, "spec", "selector", "matchLabels"))) {
        problems.add(where + ": selector does not match its pod labels " + labels);
      }
      PulseApp app = app(deployment);
      if (app == null) {
        problems.add(
            where
                + " runs no image the build makes ("
                + PulseApp.API.image()
                + ", "
                + PulseApp.WORKERS.image()
                + ")");
        continue;
      }
      for (Object container : list(template, "spec", "containers")) {
        problems.addAll(checkContainer(where, app, container));
      }
      Map<String, Object> annotations = map(template, "metadata", "annotations");
      if ("true".equals(annotations.get("prometheus.io/scrape"))) {
        expect(
            problems,
            where + " scrape port",
            app.operationsPort(),
            annotations.get("prometheus.io/port"));
        expect(
            problems,
            where + " scrape path",
            app.metricsPath(),
            annotations.get("prometheus.io/path"));
      }
      String grace = text(template, "spec", "terminationGracePeriodSeconds");
      if (grace == null || Long.parseLong(grace) <= app.shutdownTimeout().toSeconds()) {
        problems.add(
            where
                + ": terminationGracePeriodSeconds "
                + grace
                + " does not exceed quarkus.shutdown.timeout "
                + app.shutdownTimeout());
      }
    }
    return problems;
  }

  private static List<String> checkContainer(String where, PulseApp app, Object container) {
    List<String> problems = new ArrayList<>();
    String at = where + " container " + text(container, "name");
    Map<String, Object> ports = new LinkedHashMap<>();
    for (Object port : list(container, "ports")) {
      ports.put(text(port, "name"), at(port, "containerPort"));
      if (!app.ports().contains(Integer.valueOf(text(port, "containerPort")))) {
        problems.add(
            at
                + " containerPort is "
                + text(port, "containerPort")
                + ", the app listens on "
                + app.ports());
      }
    }
    for (int listening : app.ports()) {
      if (ports.values().stream()
          .noneMatch(p -> String.valueOf(listening).equals(String.valueOf(p)))) {
        problems.add(at + " declares no port " + listening);
      }
    }
    Map<String, String> probes =
        Map.of(
            "livenessProbe", app.livenessPath(),
            "readinessProbe", app.readinessPath(),
            "startupProbe", app.startupPath());
    for (Map.Entry<String, String> probe : probes.entrySet()) {
      Object httpGet = at(container, probe.getKey(), "httpGet");
      if (httpGet == null) {
        if (!probe.getKey().equals("startupProbe")) {
          problems.add(at + " has no " + probe.getKey());
        }
        continue;
      }
      expect(problems, at + " " + probe.getKey() + " path", probe.getValue(), at(httpGet, "path"));
      Object port = at(httpGet, "port");
      expect(
          problems,
          at + " " + probe.getKey() + " port",
          app.operationsPort(),
          ports.getOrDefault(String.valueOf(port), port));
    }
    for (String resource : new String[] {"requests/cpu", "requests/memory", "limits/memory"}) {
      if (at(container, ("resources/" + resource).split("/")) == null) {
        problems.add(at + " sets no resources." + resource.replace('/', '.'));
      }
    }
    return problems;
  }

  static boolean contains(Map<String, Object> labels, Map<String, Object> selector) {
    return !selector.isEmpty() && labels.entrySet().containsAll(selector.entrySet());
  }

  // ---------------------------------------------------------------- selectors

  /** The labels of every pod the manifests make (a RabbitmqCluster's pods carry its name). */
  List<Map<String, Object>> podLabels() {
    List<Map<String, Object>> pods = new ArrayList<>();
    ofKind("Deployment").forEach(d -> pods.add(map(d, "spec", "template", "metadata", "labels")));
    ofKind("RabbitmqCluster").forEach(r -> pods.add(Map.of("app.kubernetes.io/name", name(r))));
    return pods;
  }

  /**
   * Services select a Deployment's pods and target a port its containers declare; disruption
   * budgets select pods that exist; autoscalers target Deployments; ServiceMonitors scrape a port
   * of the Services they select, on the apps' metrics path.
   */
  List<String> checkSelectors() {
    List<String> problems = new ArrayList<>();
    for (Map<String, Object> service : ofKind("Service")) {
      Map<String, Object> selector = map(service, "spec", "selector");
      Map<String, Object> deployment =
          ofKind("Deployment").stream()
              .filter(d -> contains(map(d, "spec", "template", "metadata", "labels"), selector))
              .findFirst()
              .orElse(null);
      if (deployment == null) {
        problems.add("Service " + name(service) + " selects no Deployment's pods: " + selector);
        continue;
      }
      Set<String> containerPorts = new TreeSet<>();
      for (Object container : list(deployment, "spec", "template", "spec", "containers")) {
        for (Object port : list(container, "ports")) {
          containerPorts.add(text(port, "name"));
          containerPorts.add(text(port, "containerPort"));
        }
      }
      for (Object port : list(service, "spec", "ports")) {
        if (!containerPorts.contains(text(port, "targetPort"))) {
          problems.add(
              "Service "
                  + name(service)
                  + " targets port "
                  + text(port, "targetPort")
                  + ", not one of "
                  + containerPorts);
        }
      }
    }
    for (Map<String, Object> budget : ofKind("PodDisruptionBudget")) {
      Map<String, Object> selector = map(budget, "spec", "selector", "matchLabels");
      if (podLabels().stream().noneMatch(labels -> contains(labels, selector))) {
        problems.add("PodDisruptionBudget " + name(budget) + " selects no pods: " + selector);
      }
    }
    for (Map<String, Object> hpa : ofKind("HorizontalPodAutoscaler")) {
      if (named("Deployment", text(hpa, "spec", "scaleTargetRef", "name")) == null) {
        problems.add("HorizontalPodAutoscaler " + name(hpa) + " targets no Deployment");
      }
    }
    for (Map<String, Object> monitor : ofKind("ServiceMonitor")) {
      problems.addAll(checkServiceMonitor(monitor));
    }
    return problems;
  }

  private List<String> checkServiceMonitor(Map<String, Object> monitor) {
    List<String> problems = new ArrayList<>();
    Map<String, Object> selector = map(monitor, "spec", "selector", "matchLabels");
    String where = "ServiceMonitor " + name(monitor);
    List<Map<String, Object>> services =
        ofKind("Service").stream()
            .filter(s -> contains(map(s, "metadata", "labels"), selector))
            .toList();
    if (services.isEmpty()) {
      // The RabbitMQ operator's Service: labelled with the cluster's name, metrics port
      // "prometheus".
      boolean rabbit =
          ofKind("RabbitmqCluster").stream()
              .anyMatch(r -> selector.equals(Map.of("app.kubernetes.io/name", name(r))));
      if (!rabbit) {
        problems.add(where + " selects no Service: " + selector);
      }
      for (Object endpoint : list(monitor, "spec", "endpoints")) {
        expect(problems, where + " port", "prometheus", text(endpoint, "port"));
      }
      return problems;
    }
    for (Map<String, Object> service : services) {
      PulseApp app = app(deploymentSelectedBy(service));
      for (Object endpoint : list(monitor, "spec", "endpoints")) {
        boolean hasPort =
            list(service, "spec", "ports").stream()
                .anyMatch(p -> text(endpoint, "port").equals(text(p, "name")));
        if (!hasPort) {
          problems.add(
              where
                  + " scrapes port "
                  + text(endpoint, "port")
                  + ", which Service "
                  + name(service)
                  + " lacks");
        }
        if (app != null) {
          expect(problems, where + " path for " + app, app.metricsPath(), text(endpoint, "path"));
          expect(
              problems,
              where + " port for " + app,
              app.operationsPort(),
              containerPortOf(service, text(endpoint, "port")));
        }
      }
    }
    return problems;
  }

  /** The container port a Service's port (by name) reaches: its targetPort, by name or number. */
  private Object containerPortOf(Map<String, Object> service, String servicePort) {
    Object target =
        list(service, "spec", "ports").stream()
            .filter(p -> servicePort.equals(text(p, "name")))
            .map(p -> text(p, "targetPort"))
            .findFirst()
            .orElse(null);
    Map<String, Object> deployment = deploymentSelectedBy(service);
    if (deployment == null || target == null) {
      return target;
    }
    for (Object container : list(deployment, "spec", "template", "spec", "containers")) {
      for (Object port : list(container, "ports")) {
        if (target.equals(text(port, "name"))) {
          return at(port, "containerPort");
        }
      }
    }
    return target;
  }

  private Map<String, Object> deploymentSelectedBy(Map<String, Object> service) {
    Map<String, Object> selector = map(service, "spec", "selector");
    return ofKind("Deployment").stream()
        .filter(d -> contains(map(d, "spec", "template", "metadata", "labels"), selector))
        .findFirst()
        .orElse(Map.of());
  }

  // ---------------------------------------------------------------- environment

  /**
   * A container's environment, name to value: envFrom ConfigMaps and Secrets first, then env
   * (values read through secretKeyRef/configMapKeyRef from the manifests).
   */
  Map<String, String> environment(Object container) {
    Map<String, String> env = new LinkedHashMap<>();
    for (Object from : list(container, "envFrom")) {
      String configMap = text(from, "configMapRef", "name");
      String secret = text(from, "secretRef", "name");
      Map<String, Object> resource =
          configMap != null ? named("ConfigMap", configMap) : named("Secret", secret);
      map(resource, configMap != null ? "data" : "stringData")
          .forEach((k, v) -> env.put(k, String.valueOf(v)));
    }
    for (Object variable : list(container, "env")) {
      String value = text(variable, "value");
      if (at(variable, "valueFrom", "secretKeyRef") != null) {
        value =
            value(
                "Secret",
                text(variable, "valueFrom", "secretKeyRef", "name"),
                text(variable, "valueFrom", "secretKeyRef", "key"));
      } else if (at(variable, "valueFrom", "configMapKeyRef") != null) {
        value =
            value(
                "ConfigMap",
                text(variable, "valueFrom", "configMapKeyRef", "name"),
                text(variable, "valueFrom", "configMapKeyRef", "key"));
      }
      env.put(text(variable, "name"), value);
    }
    return env;
  }

  /** The environment of the app's container in its Deployment. */
  Map<String, String> environment(PulseApp app) {
    for (Object container : list(deploymentOf(app), "spec", "template", "spec", "containers")) {
      if (app.equals(PulseApp.byImage(text(container, "image")))) {
        return environment(container);
      }
    }
    return Map.of();
  }

  /** Every variable an app's container gets sets one of that app's configuration properties. */
  List<String> checkEnvironmentNames() {
    List<String> problems = new ArrayList<>();
    for (PulseApp app : PulseApp.ALL) {
      for (String variable : environment(app).keySet()) {
        if (!app.hasEnvironmentVariable(variable)) {
          problems.add(
              variable + " (" + app + " in deploy/k8s) sets no configuration property of " + app);
        }
      }
    }
    return problems;
  }

  // ---------------------------------------------------------------- broker and database

  /** A file the RabbitmqCluster's pod mounts (path to content), from its Secret or ConfigMap. */
  Map<String, String> rabbitMounts(Map<String, Object> rabbit) {
    Map<String, Object> pod =
        map(rabbit, "spec", "override", "statefulSet", "spec", "template", "spec");
    Map<String, String> files = new LinkedHashMap<>();
    for (Object container : list(pod, "containers")) {
      for (Object mount : list(container, "volumeMounts")) {
        Object volume =
            list(pod, "volumes").stream()
                .filter(v -> text(v, "name").equals(text(mount, "name")))
                .findFirst()
                .orElse(null);
        String key = text(mount, "subPath");
        String content =
            at(volume, "secret") != null
                ? value("Secret", text(volume, "secret", "secretName"), key)
                : generatedFile(text(volume, "configMap", "name"), key);
        files.put(text(mount, "mountPath"), content);
      }
    }
    return files;
  }

  /** A configMapGenerator entry's file content. */
  private String generatedFile(String configMap, String key) {
    for (Object generator : list(kustomization, "configMapGenerator")) {
      for (Object file : list(generator, "files")) {
        String entry = String.valueOf(file);
        if (configMap.equals(text(generator, "name")) && entry.startsWith(key + "=")) {
          return DeployFiles.read(DIR + "/" + entry.substring(key.length() + 1));
        }
      }
    }
    return null;
  }

  /**
   * The apps reach the broker and the database the operators make, as the users those are set up
   * with: host names are the clusters' Services, the virtual host the definitions', the logins the
   * ones RabbitMQ imports and CloudNativePG creates. The cluster loads the same configuration lines
   * as deploy/rabbitmq/rabbitmq.conf and mounts its definitions where those lines look.
   */
  List<String> checkBrokerAndDatabase() {
    List<String> problems = new ArrayList<>();
    Map<String, Object> rabbit = ofKind("RabbitmqCluster").stream().findFirst().orElse(Map.of());
    Map<String, Object> db = ofKind("Cluster").stream().findFirst().orElse(Map.of());
    Map<String, Object> initdb = map(db, "spec", "bootstrap", "initdb");
    String dbSecret = text(initdb, "secret", "name");
    expect(problems, "RabbitmqCluster replicas", 3, text(rabbit, "spec", "replicas"));
    expect(
        problems,
        "CloudNativePG owner",
        text(initdb, "owner"),
        value("Secret", dbSecret, "username"));

    String config = String.valueOf(text(rabbit, "spec", "rabbitmq", "additionalConfig"));
    String definitionsDir = null;
    for (String line : DeployFiles.read("deploy/rabbitmq/rabbitmq.conf").split("\n")) {
      if (!line.isBlank() && !line.startsWith("#")) {
        if (!config.contains(line)) {
          problems.add(
              "RabbitmqCluster additionalConfig lacks \""
                  + line
                  + "\" (deploy/rabbitmq/rabbitmq.conf)");
        }
        if (line.startsWith("load_definitions")) {
          definitionsDir = line.substring(line.indexOf('=') + 1).trim();
        }
      }
    }
    Set<String> users = new TreeSet<>();
    for (Map.Entry<String, String> file : rabbitMounts(rabbit).entrySet()) {
      if (definitionsDir == null || !file.getKey().startsWith(definitionsDir + "/")) {
        problems.add(
            "RabbitmqCluster mounts "
                + file.getKey()
                + " outside load_definitions "
                + definitionsDir);
      }
      users.addAll(RabbitLogins.of(file.getValue()));
    }

    for (PulseApp app : PulseApp.ALL) {
      Map<String, String> env = environment(app);
      String at = app + " in deploy/k8s: ";
      expect(problems, at + "PULSE_RABBITMQ_HOST", name(rabbit), env.get("PULSE_RABBITMQ_HOST"));
      Checks.appConnections(
          problems,
          at,
          env,
          users,
          "jdbc:postgresql://" + name(db) + "-rw:5432/" + text(initdb, "database"),
          value("Secret", dbSecret, "username"),
          value("Secret", dbSecret, "password"));
    }
    return problems;
  }

  // ---------------------------------------------------------------- KEDA

  /**
   * The workers scale on exactly the work queues (not the retry tiers, whose messages wait on
   * purpose, nor the dead-letter queues), read from the cluster's management API in the Pulse
   * virtual host.
   */
  /** A regex (RE2, as KEDA reads it: no look-around) for exactly the registered work queues. */
  static String workQueuesPattern() {
    return "^pulse\\.("
        + String.join("|", JobType.ALL.stream().map(t -> t.replace(".", "\\.")).toList())
        + ")$";
  }

  /**
   * Each app's memory request equals its limit (the JVM sizes its heap from the limit, and a pod
   * scheduled on its request alone could be killed for using what the JVM was told it has), and the
   * heap the image's -XX:MaxRAMPercentage gives out of that limit is at least the -Xmx the app runs
   * with outside a container (deploy/jvm/APP.conf), which is what the bench measured.
   */
  List<String> checkMemory() {
    List<String> problems = new ArrayList<>();
    for (PulseApp app : PulseApp.ALL) {
      Map<String, Object> deployment = deploymentOf(app);
      if (deployment == null) {
        continue;
      }
      Object container = list(deployment, "spec", "template", "spec", "containers").get(0);
      String where = "Deployment " + name(deployment);
      String limit = text(container, "resources", "limits", "memory");
      String request = text(container, "resources", "requests", "memory");
      if (limit == null || !limit.equals(request)) {
        problems.add(where + ": memory request " + request + " is not its limit " + limit);
        continue;
      }
      Matcher share =
          Pattern.compile("-XX:MaxRAMPercentage=([0-9.]+)")
              .matcher(app.properties().getOrDefault("quarkus.jib.jvm-additional-arguments", ""));
      Matcher xmx =
          Pattern.compile("(?m)^-Xmx([0-9]+)m")
              .matcher(DeployFiles.read("deploy/jvm/" + app.module() + ".conf"));
      if (!share.find() || !xmx.find()) {
        problems.add(
            where
                + ": no -XX:MaxRAMPercentage in quarkus.jib.jvm-additional-arguments or no -Xmx in"
                + " deploy/jvm/"
                + app.module()
                + ".conf");
        continue;
      }
      double heapMib = mebibytes(limit) * Double.parseDouble(share.group(1)) / 100;
      if (heapMib < Integer.parseInt(xmx.group(1))) {
        problems.add(
            String.format(
                "%s: %s at %s%% is a heap of %.0f MiB, less than the -Xmx%sm of deploy/jvm/%s.conf",
                where, limit, share.group(1), heapMib, xmx.group(1), app.module()));
      }
    }
    return problems;
  }

  private static double mebibytes(String quantity) {
    if (quantity.endsWith("Gi")) {
      return 1024 * Double.parseDouble(quantity.substring(0, quantity.length() - 2));
    }
    if (quantity.endsWith("Mi")) {
      return Double.parseDouble(quantity.substring(0, quantity.length() - 2));
    }
    return Double.parseDouble(quantity) / (1024 * 1024);
  }

  List<String> checkKeda() {
    List<String> problems = new ArrayList<>();
    String rabbit =
        ofKind("RabbitmqCluster").stream().map(K8sManifests::name).findFirst().orElse(null);
    Set<String> workQueues = new TreeSet<>();
    JobType.ALL.forEach(t -> workQueues.add(Topology.workQueue(t)));
    Set<String> allQueues = new TreeSet<>();
    RabbitDefinitions.production()
        .get("queues")
        .forEach(q -> allQueues.add(q.get("name").asText()));
    if (ofKind("ScaledObject").isEmpty()) {
      problems.add("no KEDA ScaledObject");
    }
    for (Map<String, Object> scaled : ofKind("ScaledObject")) {
      String where = "ScaledObject " + name(scaled);
      Map<String, Object> target =
          named("Deployment", text(scaled, "spec", "scaleTargetRef", "name"));
      if (target == null || app(target) != PulseApp.WORKERS) {
        problems.add(where + " does not scale the workers' Deployment");
      }
      for (Object trigger : list(scaled, "spec", "triggers")) {
        expect(problems, where + " trigger type", "rabbitmq", text(trigger, "type"));
        if (named("TriggerAuthentication", text(trigger, "authenticationRef", "name")) == null) {
          problems.add(where + " authenticates with a TriggerAuthentication no manifest defines");
        }
        URI host = URI.create(String.valueOf(text(trigger, "metadata", "host")));
        expect(
            problems,
            where + " host",
            rabbit + "." + text(kustomization, "namespace") + ".svc",
            host.getHost());
        expect(problems, where + " management port", 15672, host.getPort());
        expect(problems, where + " virtual host", "/" + RabbitDefinitions.VHOST, host.getPath());
        String queue = text(trigger, "metadata", "queueName");
        Set<String> scaledOn = new TreeSet<>();
        if ("true".equals(text(trigger, "metadata", "useRegex"))) {
          expect(
              problems,
              where + " protocol (regex needs the management API)",
              "http",
              text(trigger, "metadata", "protocol"));
          Pattern pattern = Pattern.compile(queue);
          allQueues.stream().filter(q -> pattern.matcher(q).find()).forEach(scaledOn::add);
        } else if (allQueues.contains(queue)) {
          scaledOn.add(queue);
        }
        if (scaledOn.isEmpty() || !workQueues.containsAll(scaledOn)) {
          problems.add(
              where + " queueName " + queue + " matches " + scaledOn + ", not work queues only");
        }
        if ("true".equals(text(trigger, "metadata", "useRegex")) && !scaledOn.equals(workQueues)) {
          problems.add(
              where
                  + " queueName "
                  + queue
                  + " matches "
                  + scaledOn
                  + ", not every work queue "
                  + workQueues
                  + " (one that does: "
                  + workQueuesPattern()
                  + ")");
        }
      }
    }
    return problems;
  }
}
