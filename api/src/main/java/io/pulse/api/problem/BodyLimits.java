package io.pulse.api.problem;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pulse.api.auth.ApiConfig;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * A body declared larger than {@code pulse.api.max-body-bytes} is answered with a 413 problem at
 * once, before the application sees any of it. This runs ahead of the HTTP server's own limit
 * ({@code quarkus.http.limits.max-body-size}), which would answer a bare 413 without a body. A body
 * sent without a length is counted as it is read, by {@link BodyLimitInterceptor}.
 */
@ApplicationScoped
public class BodyLimits {
  /** How many times the limit a refused body may be and still be read to its end (dropped). */
  private static final long SWALLOW_FACTOR = 4;

  void install(@Observes Router router, ApiConfig config, ObjectMapper json) {
    router
        .route()
        .order(RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT - 1)
        .handler(context -> refuseDeclaredTooLarge(context, config.maxBodyBytes(), json));
  }

  static Problem tooLarge(String path, long limit) {
    return Problem.of(
            413,
            "Content Too Large",
            "body-too-large",
            "body is larger than " + limit + " bytes (pulse.api.max-body-bytes)")
        .at(path);
  }

  private static void refuseDeclaredTooLarge(
      RoutingContext context, long limit, ObjectMapper json) {
    String path = context.normalizedPath();
    String length = context.request().getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length == null || !path.startsWith("/api/") || declared(length) <= limit) {
      context.next();
      return;
    }
    String body;
    try {
      body = json.writeValueAsString(tooLarge(path, limit));
    } catch (JsonProcessingException e) {
      context.fail(e);
      return;
    }
    HttpServerRequest request = context.request();
    HttpServerResponse response =
        context
            .response()
            .setStatusCode(413)
            .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
            .putHeader(HttpHeaders.CONNECTION, "close");
    if (declared(length) > SWALLOW_FACTOR * limit) {
      // Not worth reading: cut the connection once the answer is out.
      response.endHandler(done -> request.connection().close()).end(body);
      return;
    }
    // A client that sends its whole body before it reads the answer would, if the connection
    // closed under the unread body, get a reset instead of this answer. So the body is read and
    // dropped (as Tomcat's maxSwallowSize does), and the connection closes when it is in.
    request.handler(dropped -> {});
    request.endHandler(done -> request.connection().close());
    request.resume();
    response.end(body);
  }

  private static long declared(String length) {
    try {
      return Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      // The HTTP codec refuses a malformed Content-Length before this runs.
      return -1;
    }
  }
}
