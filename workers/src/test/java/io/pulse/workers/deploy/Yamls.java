package io.pulse.workers.deploy;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** Reading parsed YAML (maps, lists, scalars) without a cast at every step. */
final class Yamls {
  private Yamls() {}

  /** Every document of a file; SnakeYAML resolves anchors and merge keys as compose does. */
  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> load(Path file) {
    List<Map<String, Object>> documents = new ArrayList<>();
    try (Reader in = Files.newBufferedReader(file)) {
      for (Object document : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(in)) {
        if (document != null) {
          documents.add((Map<String, Object>) document);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return documents;
  }

  /** The node at a path of map keys, or null when any step is missing. */
  static Object at(Object node, String... path) {
    Object current = node;
    for (String key : path) {
      if (!(current instanceof Map<?, ?> map)) {
        return null;
      }
      current = map.get(key);
    }
    return current;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object node, String... path) {
    Object found = at(node, path);
    return found instanceof Map<?, ?> ? (Map<String, Object>) found : Map.of();
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object node, String... path) {
    Object found = at(node, path);
    return found instanceof List<?> ? (List<Object>) found : List.of();
  }

  /** A scalar as text (ports and counts parse as numbers), or null. */
  static String text(Object node, String... path) {
    Object found = at(node, path);
    return found == null ? null : String.valueOf(found);
  }
}
