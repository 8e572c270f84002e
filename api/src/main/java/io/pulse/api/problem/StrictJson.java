package io.pulse.api.problem;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.datatype.jsr310.deser.InstantDeserializer;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.time.OffsetDateTime;
import java.util.regex.Pattern;

/**
 * Request bodies are read strictly: what Jackson would otherwise guess at (a repeated key, text
 * after the document, 1.5 as a recipient id, "5" or " 2" as an id, 123 as a title, "" as "no
 * actor", " " as "no timestamp") is a 400 naming the field, never a silent change of what the
 * caller sent. A number is a JSON number: ids are below 2^63, and a caller that holds them as
 * strings (JavaScript past 2^53) must write them as numbers, not have us guess which strings are.
 */
@Singleton
public class StrictJson implements ObjectMapperCustomizer {

  /** Last, after Quarkus registers the java.time module: the last module's deserializers win. */
  @Override
  public int priority() {
    return MINIMUM_PRIORITY;
  }

  @Override
  public void customize(ObjectMapper mapper) {
    // Last-one-wins hides a caller's bug; on a record it even fails inside Jackson (a 500).
    mapper.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION.mappedFeature());
    mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    mapper
        .coercionConfigFor(LogicalType.Integer)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
    mapper
        .coercionConfigFor(LogicalType.Float)
        .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
    mapper
        .coercionConfigFor(LogicalType.Textual)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    mapper
        .coercionConfigFor(LogicalType.Boolean)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
    mapper.registerModule(
        new SimpleModule("pulse-strict-json")
            .addDeserializer(String.class, new StorableString())
            .addDeserializer(OffsetDateTime.class, new IsoTimestamp()));
  }

  /**
   * Timestamps are ISO-8601 text. Jackson would also take 1700000000 (or "1700000000") as epoch
   * seconds, which a caller sending milliseconds gets wrong by a factor of a thousand; and it trims
   * the text first, so "", " ", a tab and even U+0000 would be "no timestamp" (null) rather than a
   * bad one. Only the bare timestamp is taken; null is JSON null.
   */
  static final class IsoTimestamp extends StdScalarDeserializer<OffsetDateTime> {
    private static final Pattern NUMBER = Pattern.compile("[-+]?[0-9.]+");

    IsoTimestamp() {
      super(OffsetDateTime.class);
    }

    @Override
    public OffsetDateTime deserialize(JsonParser p, DeserializationContext ctxt)
        throws IOException {
      if (p.hasToken(JsonToken.VALUE_STRING)) {
        String text = p.getText();
        if (text.isEmpty() || padding(text.charAt(0)) || padding(text.charAt(text.length() - 1))) {
          throw JsonMappingException.from(
              p, "must be an ISO-8601 timestamp, without spaces around it (null for none)");
        }
        if (!NUMBER.matcher(text).matches()) {
          return InstantDeserializer.OFFSET_DATE_TIME.deserialize(p, ctxt);
        }
      }
      return (OffsetDateTime) ctxt.handleUnexpectedToken(OffsetDateTime.class, p);
    }

    /** What Jackson's trim would drop: control characters, spaces, and Unicode white space. */
    private static boolean padding(char c) {
      return c <= ' ' || Character.isWhitespace(c) || Character.isSpaceChar(c);
    }
  }

  /**
   * PostgreSQL text cannot hold U+0000 (the insert fails), and a lone surrogate is not Unicode (it
   * is stored as '?', or breaks the jsonb cast of a job payload): both are refused where they are
   * read, with the field's name.
   */
  static final class StorableString extends StringDeserializer {
    @Override
    public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      String value = super.deserialize(p, ctxt);
      if (value == null) {
        return null;
      }
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        if (c == '\u0000') {
          throw JsonMappingException.from(p, "must not contain the NUL character (\\u0000)");
        }
        if (Character.isHighSurrogate(c)
            && i + 1 < value.length()
            && Character.isLowSurrogate(value.charAt(i + 1))) {
          i++;
        } else if (Character.isSurrogate(c)) {
          throw JsonMappingException.from(
              p, "must not contain an unpaired surrogate (\\ud800-\\udfff)");
        }
      }
      return value;
    }
  }
}
