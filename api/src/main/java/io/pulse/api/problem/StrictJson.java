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
 * after the document, 1.5 as a recipient id, 123 as a title, "" as "no actor") is a 400 naming the
 * field, never a silent change of what the caller sent. Numeric strings stay accepted for integer
 * fields: ids are 64-bit, and JavaScript callers can only send those exactly as strings.
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
   * seconds, which a caller sending milliseconds gets wrong by a factor of a thousand.
   */
  static final class IsoTimestamp extends StdScalarDeserializer<OffsetDateTime> {
    private static final Pattern NUMBER = Pattern.compile("\\s*[-+]?[0-9.]+\\s*");

    IsoTimestamp() {
      super(OffsetDateTime.class);
    }

    @Override
    public OffsetDateTime deserialize(JsonParser p, DeserializationContext ctxt)
        throws IOException {
      if (p.hasToken(JsonToken.VALUE_STRING) && !NUMBER.matcher(p.getText()).matches()) {
        return InstantDeserializer.OFFSET_DATE_TIME.deserialize(p, ctxt);
      }
      return (OffsetDateTime) ctxt.handleUnexpectedToken(OffsetDateTime.class, p);
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
