package io.pulse.api.problem;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.pulse.common.jobs.IdempotencyConflictException;
import io.pulse.common.jobs.JobLedgerException;
import io.pulse.common.messaging.BrokerUnavailableException;
import io.pulse.common.messaging.UnroutableMessageException;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every failure the API answers becomes an application/problem+json body that says why. */
public class ProblemMappers {
  private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

  @ServerExceptionMapper
  public Response problem(ProblemException e, UriInfo uri) {
    Response.ResponseBuilder response =
        Response.status(e.problem.status())
            .type(Problem.MEDIA_TYPE)
            .entity(e.problem.at(path(uri)));
    e.headers.forEach(response::header);
    return response.build();
  }

  @ServerExceptionMapper
  public Response invalid(ConstraintViolationException e, UriInfo uri) {
    List<Problem.FieldError> errors =
        e.getConstraintViolations().stream()
            .map(v -> new Problem.FieldError(field(v), v.getMessage()))
            .sorted(Comparator.comparing(Problem.FieldError::field))
            .toList();
    String detail =
        errors.stream().map(f -> f.field() + ": " + f.message()).collect(Collectors.joining("; "));
    return Problem.of(Response.Status.BAD_REQUEST, "invalid-request", detail)
        .withErrors(errors)
        .at(path(uri))
        .toResponse();
  }

  @ServerExceptionMapper
  public Response unknownField(UnrecognizedPropertyException e, UriInfo uri) {
    String field = jsonPath(e);
    return badJson(uri, field, "unknown field", "unknown field '" + e.getPropertyName() + "'");
  }

  @ServerExceptionMapper
  public Response wrongType(MismatchedInputException e, UriInfo uri) {
    if (e.getOriginalMessage().startsWith("Trailing token")) {
      // FAIL_ON_TRAILING_TOKENS reports a second value after the document as a mismatch.
      return malformed(uri, "more content follows the JSON document");
    }
    String field = jsonPath(e);
    String expected = e.getTargetType() == null ? "another type" : describe(e.getTargetType());
    return badJson(uri, field, "must be " + expected, field + ": must be " + expected);
  }

  @ServerExceptionMapper
  public Response notJson(JsonParseException e, UriInfo uri) {
    return malformed(uri, e.getOriginalMessage());
  }

  @ServerExceptionMapper
  public Response otherJson(JsonMappingException e, UriInfo uri) {
    // A collection or map reader wraps the parser's own error; it is still a document fault.
    if (e.getCause() instanceof JsonParseException
        || e.getCause() instanceof StreamConstraintsException) {
      return otherJson((JsonProcessingException) e.getCause(), uri);
    }
    String field = jsonPath(e);
    return badJson(uri, field, e.getOriginalMessage(), field + ": " + e.getOriginalMessage());
  }

  @ServerExceptionMapper
  public Response otherJson(JsonProcessingException e, UriInfo uri) {
    if (e instanceof StreamConstraintsException) {
      // Valid JSON, but past what the reader takes (nesting depth, lengths): say so plainly.
      return Problem.of(
              Response.Status.BAD_REQUEST,
              "json-limit",
              "body exceeds a limit of the JSON reader: " + e.getOriginalMessage())
          .at(path(uri))
          .toResponse();
    }
    return malformed(uri, e.getOriginalMessage());
  }

  @ServerExceptionMapper
  public Response idempotencyConflict(IdempotencyConflictException e, UriInfo uri) {
    return Problem.of(422, "Unprocessable Content", "idempotency-key-reused", e.getMessage())
        .at(path(uri))
        .toResponse();
  }

  @ServerExceptionMapper
  public Response brokerDown(BrokerUnavailableException e, UriInfo uri) {
    LOG.warnf("enqueue refused, broker unavailable: %s", e.getMessage());
    return unavailable(
        "broker-unavailable",
        "the message broker did not accept the job; retry with the same Idempotency-Key",
        uri);
  }

  /**
   * A job the broker returned: no queue for its type. Retrying does not cure that, so it is not a
   * 503. The row is kept and the sweeper publishes it once the queue is back (the publisher
   * declares the topology again after a return).
   */
  @ServerExceptionMapper
  public Response unroutable(UnroutableMessageException e, UriInfo uri) {
    LOG.errorf("enqueue failed, the broker could not route the job: %s", e.getMessage());
    return Problem.of(
            500,
            "Internal Server Error",
            "job-unroutable",
            "the broker has no queue for this job type (a topology fault); the job is kept and"
                + " published once the queue is back")
        .at(path(uri))
        .toResponse();
  }

  @ServerExceptionMapper
  public Response databaseDown(JobLedgerException e, UriInfo uri) {
    LOG.warnf(e, "enqueue refused: %s", e.getMessage());
    return unavailable(
        "database-unavailable",
        "the job could not be recorded (database unavailable); nothing was accepted, retry",
        uri);
  }

  private Response unavailable(String type, String detail, UriInfo uri) {
    return problem(ProblemException.unavailable(type, detail, null), uri);
  }

  @ServerExceptionMapper
  public Response web(WebApplicationException e, UriInfo uri) {
    // A typed path id that did not parse (PathIdConverters): its problem names the parameter.
    if (e.getCause() instanceof ProblemException cause) {
      return problem(cause, uri);
    }
    // The JSON reader wraps some parse failures in a bare 400; answer them with their reason.
    if (e.getCause() instanceof UnrecognizedPropertyException cause) {
      return unknownField(cause, uri);
    }
    if (e.getCause() instanceof MismatchedInputException cause) {
      return wrongType(cause, uri);
    }
    if (e.getCause() instanceof JsonParseException cause) {
      return notJson(cause, uri);
    }
    if (e.getCause() instanceof JsonMappingException cause) {
      return otherJson(cause, uri);
    }
    if (e.getCause() instanceof JsonProcessingException cause) {
      return otherJson(cause, uri);
    }
    int status = e.getResponse().getStatus();
    Response.Status known = Response.Status.fromStatusCode(status);
    String title = known == null ? "Error" : known.getReasonPhrase();
    String slug = title.toLowerCase().replace(' ', '-');
    return Problem.of(status, title, slug, e.getMessage()).at(path(uri)).toResponse();
  }

  @ServerExceptionMapper
  public Response unexpected(RuntimeException e, UriInfo uri) {
    LOG.errorf(e, "unexpected error on %s", path(uri));
    return Problem.of(
            Response.Status.INTERNAL_SERVER_ERROR,
            "internal-error",
            "unexpected error; see the server log")
        .at(path(uri))
        .toResponse();
  }

  private static Response malformed(UriInfo uri, String why) {
    return Problem.of(
            Response.Status.BAD_REQUEST, "malformed-json", "body is not valid JSON: " + why)
        .at(path(uri))
        .toResponse();
  }

  private static Response badJson(UriInfo uri, String field, String message, String detail) {
    return Problem.of(Response.Status.BAD_REQUEST, "invalid-request", detail)
        .withErrors(List.of(new Problem.FieldError(field, message)))
        .at(path(uri))
        .toResponse();
  }

  /** "recipientIds[2]" from Jackson's path; "body" when the problem is the document itself. */
  static String jsonPath(JsonMappingException e) {
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (!path.isEmpty()) {
          path.append('.');
        }
        path.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        path.append('[').append(ref.getIndex()).append(']');
      }
    }
    return path.isEmpty() ? "body" : path.toString();
  }

  private static String describe(Class<?> type) {
    if (type == Long.class || type == long.class || type == Integer.class || type == int.class) {
      return "an integer";
    }
    if (type == String.class) {
      return "a string";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (List.class.isAssignableFrom(type) || type.isArray()) {
      return "an array";
    }
    if (type.getName().startsWith("java.time")) {
      return "an ISO-8601 timestamp";
    }
    return "an object";
  }

  /** The field a violation is about, without the method and parameter the validator puts first. */
  private static String field(ConstraintViolation<?> violation) {
    StringBuilder field = new StringBuilder();
    for (Path.Node node : violation.getPropertyPath()) {
      if (node.getKind() == ElementKind.METHOD || node.getKind() == ElementKind.PARAMETER) {
        continue;
      }
      // Bean Validation puts a list index on the node that sits inside the list.
      if (node.isInIterable() && node.getIndex() != null) {
        field.append('[').append(node.getIndex()).append(']');
      }
      if (node.getKind() == ElementKind.CONTAINER_ELEMENT || node.getName() == null) {
        continue;
      }
      if (!field.isEmpty()) {
        field.append('.');
      }
      field.append(node.getName());
    }
    return field.isEmpty() ? "body" : field.toString();
  }

  private static String path(UriInfo uri) {
    return uri == null ? null : uri.getPath();
  }
}
