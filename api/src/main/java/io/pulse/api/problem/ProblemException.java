package io.pulse.api.problem;

import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;

/** Thrown by resources to answer with a problem body; headers (Retry-After, ...) ride along. */
public class ProblemException extends RuntimeException {
  public final Problem problem;
  public final Map<String, String> headers;

  public ProblemException(Problem problem, Map<String, String> headers, Throwable cause) {
    super(problem.detail(), cause);
    this.problem = problem;
    this.headers = headers;
  }

  public ProblemException(Problem problem) {
    this(problem, Map.of(), null);
  }

  /** 400 naming one field. */
  public static ProblemException badField(String field, String message) {
    return new ProblemException(
        Problem.of(Response.Status.BAD_REQUEST, "invalid-request", field + ": " + message)
            .withErrors(List.of(new Problem.FieldError(field, message))));
  }

  /** 400 naming each bad field; the detail names the first. */
  public static ProblemException badFields(List<Problem.FieldError> errors) {
    Problem.FieldError first = errors.get(0);
    return new ProblemException(
        Problem.of(
                Response.Status.BAD_REQUEST,
                "invalid-request",
                first.field() + ": " + first.message())
            .withErrors(errors));
  }

  /**
   * 503 with {@code Retry-After}: a dependency (broker, database, management API) is away for now,
   * and the same request can simply be sent again.
   */
  public static ProblemException unavailable(String slug, String detail, Throwable cause) {
    return new ProblemException(
        Problem.of(Response.Status.SERVICE_UNAVAILABLE, slug, detail),
        Map.of("Retry-After", RETRY_AFTER_SECONDS),
        cause);
  }

  /** How long a 503 asks a client to wait before it tries again. */
  public static final String RETRY_AFTER_SECONDS = "5";

  public static ProblemException notFound(String what) {
    return new ProblemException(
        Problem.of(Response.Status.NOT_FOUND, "not-found", what + " not found"));
  }
}
