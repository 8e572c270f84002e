package io.pulse.api.openapi;

import io.pulse.api.jobs.JobAccepted;
import io.pulse.api.problem.Problem;
import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.Components;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The OpenAPI document's shared parts: the bearer scheme Swagger UI's Authorize button fills in,
 * the tags, and the names of the shared responses (built by {@link SharedResponses}) that each
 * operation refers to ({@code ref}), so a resource lists every status it can answer without
 * repeating the bodies.
 */
@OpenAPIDefinition(
    info =
        @Info(
            title = "Pulse Jobs API",
            version = "v1",
            description =
                "Notifications, home feeds and digests as jobs: an enqueue is answered once its job"
                    + " is recorded and the broker has confirmed it. Every call needs an API key"
                    + " (`Authorization: Bearer <key>`) with the scope the operation names; errors"
                    + " are RFC 9457 `application/problem+json` bodies."),
    tags = {
      @Tag(name = ApiDocs.NOTIFICATIONS, description = "Notify users and read their inboxes."),
      @Tag(name = ApiDocs.FEEDS, description = "Communities, posts and the home feeds."),
      @Tag(name = ApiDocs.USERS, description = "The users notifications and digests go to."),
      @Tag(name = ApiDocs.DIGESTS, description = "Daily and weekly digest mail."),
      @Tag(name = ApiDocs.JOBS, description = "Follow an accepted job through the ledger."),
      @Tag(name = ApiDocs.ADMIN, description = "Keys, queues, dead letters: for operators.")
    },
    // The shared responses point at these schemas, which no operation names itself.
    components =
        @Components(
            schemas = {
              @Schema(name = "Problem", implementation = Problem.class),
              @Schema(name = "JobAccepted", implementation = JobAccepted.class)
            }))
@SecurityScheme(
    securitySchemeName = ApiDocs.API_KEY,
    type = SecuritySchemeType.HTTP,
    scheme = "bearer",
    description =
        "An API key: `Authorization: Bearer <key>`. Its scopes are `jobs:write` (enqueue and"
            + " change), `read` (read) and `admin` (everything). Each operation names the scope it"
            + " needs.")
public class ApiDocs extends Application {
  public static final String API_KEY = "apiKey";

  public static final String NOTIFICATIONS = "Notifications";
  public static final String FEEDS = "Feeds";
  public static final String USERS = "Users";
  public static final String DIGESTS = "Digests";
  public static final String JOBS = "Jobs";
  public static final String ADMIN = "Admin";

  /** Paging parameters stay strings: QueryParams reads them strictly, with a 400 naming them. */
  public static final String LIMIT = "page size, 1-100 (default 20)";

  public static final String CURSOR = "`nextCursor` of the previous page; none for the first";

  public static final String JOB_ACCEPTED = "JobAccepted";
  public static final String JOB_REPEATED = "JobRepeated";
  public static final String BAD_REQUEST = "BadRequest";
  public static final String UNAUTHORIZED = "Unauthorized";
  public static final String FORBIDDEN = "Forbidden";
  public static final String NOT_FOUND = "NotFound";
  public static final String NOT_CANCELLABLE = "JobNotCancellable";
  public static final String TOO_LARGE = "PayloadTooLarge";
  public static final String NOT_JSON = "UnsupportedMediaType";
  public static final String KEY_REUSED = "IdempotencyKeyReused";
  public static final String UNAVAILABLE = "ServiceUnavailable";
}
