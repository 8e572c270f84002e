package io.pulse.api.problem;

import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.ws.rs.core.Response;
import java.util.List;

/** An RFC 9457 problem body. {@code errors} names each bad field and why. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Problem(
    String type,
    String title,
    int status,
    String detail,
    String instance,
    List<FieldError> errors) {

  public static final String MEDIA_TYPE = "application/problem+json";
  private static final String TYPE_BASE = "https://pulse.example/problems/";

  public record FieldError(String field, String message) {}

  public static Problem of(Response.Status status, String slug, String detail) {
    return new Problem(
        TYPE_BASE + slug,
        status.getReasonPhrase(),
        status.getStatusCode(),
        detail,
        null,
        List.of());
  }

  public static Problem of(int status, String title, String slug, String detail) {
    return new Problem(TYPE_BASE + slug, title, status, detail, null, List.of());
  }

  public Problem withErrors(List<FieldError> fieldErrors) {
    return new Problem(type, title, status, detail, instance, fieldErrors);
  }

  public Problem at(String path) {
    return new Problem(type, title, status, detail, path, errors);
  }

  public Response toResponse() {
    return Response.status(status).type(MEDIA_TYPE).entity(this).build();
  }
}
