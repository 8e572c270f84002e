package io.pulse.api.jobs;

import io.pulse.api.problem.ProblemException;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.ext.ParamConverter;
import jakarta.ws.rs.ext.ParamConverterProvider;
import jakarta.ws.rs.ext.Provider;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;
import java.util.UUID;
import java.util.function.BiFunction;

/**
 * Lets resources take typed path ids ({@code long}, {@code UUID}) and still answer a malformed one
 * with a 400 naming the parameter. RESTEasy's own conversion answers 404 for a path parameter it
 * cannot read, and {@code Long.valueOf} takes "+5", "-1" and other scripts' digits; {@link Ids}
 * takes one spelling per id. The {@link ProblemException} travels as the cause of a {@link
 * BadRequestException}, because RESTEasy turns any other converter failure into a 404; the problem
 * mappers unwrap it.
 */
@Provider
public class PathIdConverters implements ParamConverterProvider {

  @Override
  @SuppressWarnings("unchecked")
  public <T> ParamConverter<T> getConverter(
      Class<T> rawType, Type genericType, Annotation[] annotations) {
    String name = pathParamName(annotations);
    if (name == null) {
      return null;
    }
    if (rawType == long.class || rawType == Long.class) {
      return (ParamConverter<T>) new Checked<>(name, Ids::positive);
    }
    if (rawType == UUID.class) {
      return (ParamConverter<T>) new Checked<>(name, Ids::uuid);
    }
    return null;
  }

  private static String pathParamName(Annotation[] annotations) {
    if (annotations == null) {
      return null;
    }
    for (Annotation annotation : annotations) {
      if (annotation instanceof PathParam path) {
        return path.value();
      }
    }
    return null;
  }

  private record Checked<T>(String name, BiFunction<String, String, T> parse)
      implements ParamConverter<T> {
    @Override
    public T fromString(String value) {
      try {
        return parse.apply(name, value);
      } catch (ProblemException e) {
        throw new BadRequestException(e.getMessage(), e);
      }
    }

    @Override
    public String toString(T value) {
      return String.valueOf(value);
    }
  }
}
