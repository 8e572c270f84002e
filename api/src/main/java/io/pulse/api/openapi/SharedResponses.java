package io.pulse.api.openapi;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pulse.api.problem.Problem;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASModelReader;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.headers.Header;
import org.eclipse.microprofile.openapi.models.media.Content;
import org.eclipse.microprofile.openapi.models.media.Schema.SchemaType;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;

/**
 * The responses many operations share, as one table: the accepted job (202, and 200 for a repeat)
 * and each problem status. Operations refer to them by name ({@link ApiDocs}); registered as {@code
 * mp.openapi.model.reader}, its model is merged with the annotations.
 */
public class SharedResponses implements OASModelReader {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, String> JOB =
      Map.of("jobId", "0192f0c4-6c1e-7d3a-9a51-3c2b8e4f1a20");
  private static final String LOCATION = "Location";

  @Override
  public OpenAPI buildModel() {
    Map<String, APIResponse> responses = new java.util.HashMap<>(common());
    responses.put(
        ApiDocs.NOT_CANCELLABLE,
        problem(
            "The job is not scheduled (it was published, ran or finished): no cancel can take"
                + " that back.",
            409,
            "job-not-cancellable",
            "job 0192f0c4-6c1e-7d3a-9a51-3c2b8e4f1a20 is succeeded: only a scheduled job can"
                + " be cancelled, before it is due"));
    return model(responses);
  }

  /** The responses (almost) every operation shares. */
  private static Map<String, APIResponse> common() {
    return Map.of(
        ApiDocs.JOB_ACCEPTED,
        job(
            "Accepted: the job's row is committed and the broker confirmed its message."
                + " `Location` is the job."),
        ApiDocs.JOB_REPEATED,
        job("A repeat of an earlier request: its job, and nothing enqueued again."),
        ApiDocs.BAD_REQUEST,
        problem(
            "The request is malformed or invalid: `errors` names each bad field. Nothing was"
                + " written or enqueued.",
            400,
            "invalid-request",
            "id: must be a positive 64-bit integer, got 'abc'"),
        ApiDocs.UNAUTHORIZED,
        problem(
                "No API key, or one that is unknown or revoked.",
                401,
                "unauthorized",
                "missing Authorization: Bearer <api key>")
            .addHeader("WWW-Authenticate", header("`Bearer`")),
        ApiDocs.FORBIDDEN,
        problem(
            "The API key lacks the scope this operation needs.",
            403,
            "forbidden",
            "this API key lacks the scope 'admin'"),
        ApiDocs.NOT_FOUND,
        problem("Nothing has that id.", 404, "not-found", "post 42 not found"),
        ApiDocs.TOO_LARGE,
        problem(
            "The body is larger than `pulse.api.max-body-bytes`; it was not read.",
            413,
            "body-too-large",
            "body is larger than 1048576 bytes (pulse.api.max-body-bytes)"),
        ApiDocs.NOT_JSON,
        problem(
            "The body is not `application/json` (optionally `charset=utf-8`).",
            415,
            "unsupported-media-type",
            "Content-Type must be application/json (in UTF-8), not text/plain"),
        ApiDocs.KEY_REUSED,
        problem(
            "The same `Idempotency-Key` (or post id) came with another body. Nothing was"
                + " written.",
            422,
            "idempotency-key-reused",
            "Idempotency-Key reply-9-42 was used with another body"),
        ApiDocs.UNAVAILABLE,
        problem(
                "A dependency (broker, database, management API) is away. Send the same"
                    + " request again after `Retry-After` seconds (an enqueue with the same"
                    + " `Idempotency-Key`).",
                503,
                "broker-unavailable",
                "the message broker did not accept the job; retry with the same"
                    + " Idempotency-Key")
            .addHeader("Retry-After", header("seconds to wait, `5`")));
  }

  private static OpenAPI model(Map<String, APIResponse> responses) {
    return OASFactory.createOpenAPI()
        .components(OASFactory.createComponents().responses(new TreeMap<>(responses)));
  }

  private static APIResponse job(String description) {
    return OASFactory.createAPIResponse()
        .description(description)
        .addHeader(LOCATION, header("`/api/v1/jobs/{jobId}`: GET it to follow the job"))
        .content(content("application/json", "JobAccepted", JOB));
  }

  private static APIResponse problem(String description, int status, String slug, String detail) {
    Problem example = Problem.of(status, reason(status), slug, detail).at("/api/v1/...");
    if (status == 400) {
      example =
          example.withErrors(
              List.of(new Problem.FieldError("id", detail.substring(detail.indexOf(' ') + 1))));
    }
    return OASFactory.createAPIResponse()
        .description(description)
        .content(content(Problem.MEDIA_TYPE, "Problem", example));
  }

  private static String reason(int status) {
    return switch (status) {
      case 413 -> "Content Too Large";
      case 422 -> "Unprocessable Content";
      default -> Response.Status.fromStatusCode(status).getReasonPhrase();
    };
  }

  private static Content content(String mediaType, String schema, Object example) {
    return OASFactory.createContent()
        .addMediaType(
            mediaType,
            OASFactory.createMediaType()
                .schema(OASFactory.createSchema().ref(schema))
                .addExample(
                    "example",
                    OASFactory.createExample().value(JSON.convertValue(example, Object.class))));
  }

  private static Header header(String description) {
    return OASFactory.createHeader()
        .description(description)
        .schema(OASFactory.createSchema().addType(SchemaType.STRING));
  }
}
