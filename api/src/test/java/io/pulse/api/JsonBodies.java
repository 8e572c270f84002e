package io.pulse.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/** A valid request body bent one member at a time: how bad-input and attack tables are written. */
public final class JsonBodies {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private JsonBodies() {}

  /** The body with one member set to a raw JSON value (which need not be valid JSON). */
  public static String with(String body, String field, String rawValue) {
    ObjectNode node = (ObjectNode) readTree(body);
    node.put(field, "\u0001placeholder\u0001");
    return node.toString().replace("\"\\u0001placeholder\\u0001\"", rawValue);
  }

  public static String without(String body, String field) {
    ObjectNode node = (ObjectNode) readTree(body);
    node.remove(field);
    return node.toString();
  }

  public static JsonNode readTree(String json) {
    try {
      return MAPPER.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException("not JSON: " + json, e);
    }
  }
}
