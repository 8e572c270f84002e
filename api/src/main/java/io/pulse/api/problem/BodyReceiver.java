package io.pulse.api.problem;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pulse.api.auth.ApiConfig;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Locale;
import org.jboss.logging.Logger;

/**
 * Every request body is received whole on the event loop before the request reaches a resource, and
 * so before it takes a worker thread. Otherwise the body is read on the worker thread with a
 * blocking stream, and a client that declares a large body and sends a byte now and then holds that
 * thread for as long as it likes: a few hundred such sockets, without any API key, stop the whole
 * API, health checks included. Here a slow body costs a socket and a buffer, and is bounded twice:
 *
 * <ul>
 *   <li>in size, per endpoint: {@code pulse.api.max-body-bytes} under {@code /api/}, {@code
 *       pulse.api.max-form-bytes} anywhere else (the unsubscribe form). A declared length over the
 *       limit is refused before any of the body is read, a body without a length when it passes the
 *       limit; both with a 413 problem, ahead of the HTTP server's own bare 413 ({@code
 *       quarkus.http.limits.max-body-size});
 *   <li>in time: the whole body must arrive within {@code pulse.api.body-read-timeout}, or the
 *       answer is a 408 problem and the connection is closed.
 * </ul>
 *
 * The resource then reads the received bytes from memory (RESTEasy takes a routing context's body
 * when one is set), and a form's fields are decoded while it is received. This holds for blocking
 * resource methods, which all of ours are: a non-blocking method would find the request ended and
 * read an empty body.
 */
@ApplicationScoped
public class BodyReceiver {
  private static final Logger LOG = Logger.getLogger(BodyReceiver.class);

  /** How many times the limit a refused body may be and still be read to its end (dropped). */
  private static final long SWALLOW_FACTOR = 4;

  private final ApiConfig config;
  private final ObjectMapper json;
  private final Vertx vertx;

  public BodyReceiver(ApiConfig config, ObjectMapper json, Vertx vertx) {
    this.config = config;
    this.json = json;
    this.vertx = vertx;
  }

  void install(@Observes Router router) {
    router.route().order(RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT - 1).handler(this::receive);
  }

  static Problem tooLarge(String path, long limit, String property) {
    return Problem.of(
            413,
            "Content Too Large",
            "body-too-large",
            "body is larger than " + limit + " bytes (" + property + ")")
        .at(path);
  }

  private void receive(RoutingContext context) {
    HttpServerRequest request = context.request();
    if (request.isEnded()
        || request.method() == HttpMethod.GET
        || request.method() == HttpMethod.HEAD
        || request.headers().contains(HttpHeaders.UPGRADE, HttpHeaders.WEBSOCKET, true)) {
      context.next();
      return;
    }
    String path = context.normalizedPath();
    boolean api = path.startsWith("/api/");
    long limit = api ? config.maxBodyBytes() : config.maxFormBytes();
    Problem tooLarge =
        tooLarge(path, limit, api ? "pulse.api.max-body-bytes" : "pulse.api.max-form-bytes");
    long declared = declared(request.getHeader(HttpHeaders.CONTENT_LENGTH));
    if (declared > limit) {
      refuseDeclared(context, declared > SWALLOW_FACTOR * limit, tooLarge);
      return;
    }
    new Receipt(context, limit, tooLarge, declared).start();
  }

  /** One body being received: collects it, or ends the exchange with a 413 or a 408. */
  private final class Receipt {
    private final RoutingContext context;
    private final HttpServerRequest request;
    private final long limit;
    private final Problem tooLarge;
    private final Buffer body;
    private long deadline;
    private boolean over;

    Receipt(RoutingContext context, long limit, Problem tooLarge, long declared) {
      this.context = context;
      this.request = context.request();
      this.limit = limit;
      this.tooLarge = tooLarge;
      // Sized by what arrives, not by what is declared: a socket that promises a megabyte and
      // sends a byte must not cost a megabyte.
      this.body = Buffer.buffer((int) Math.min(Math.max(declared, 256), 16 * 1024));
    }

    void start() {
      deadline = vertx.setTimer(config.bodyReadTimeout().toMillis(), fired -> timedOut());
      String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
      if (type != null && isForm(type)) {
        // Vert.x decodes the fields as they arrive; RESTEasy then takes them from the request.
        request.setExpectMultipart(true);
      }
      if (request.headers().contains(HttpHeaders.EXPECT, HttpHeaders.CONTINUE, true)) {
        request.response().writeContinue();
      }
      request.handler(this::chunk);
      request.endHandler(ended -> received());
      request.exceptionHandler(failed -> vertx.cancelTimer(deadline));
      request.resume();
    }

    private void chunk(Buffer chunk) {
      if (over) {
        return;
      }
      if (body.length() + (long) chunk.length() > limit) {
        over = true;
        vertx.cancelTimer(deadline);
        // The rest of the body stays unread, so the connection cannot carry another request.
        answerAndClose(context, tooLarge);
        return;
      }
      body.appendBuffer(chunk);
    }

    private void received() {
      if (over) {
        return;
      }
      vertx.cancelTimer(deadline);
      context.setBody(body);
      context.next();
    }

    private void timedOut() {
      over = true;
      LOG.debugf(
          "%s %s: body not received within %s (%d bytes in), answering 408",
          request.method(), context.normalizedPath(), config.bodyReadTimeout(), body.length());
      request.handler(null);
      answerAndClose(
          context,
          Problem.of(
                  408,
                  "Request Timeout",
                  "body-timeout",
                  "the request body did not arrive within "
                      + config.bodyReadTimeout().toMillis()
                      + " ms (pulse.api.body-read-timeout)")
              .at(context.normalizedPath()));
    }
  }

  private void refuseDeclared(RoutingContext context, boolean cut, Problem problem) {
    HttpServerRequest request = context.request();
    if (cut) {
      answerAndClose(context, problem);
      return;
    }
    // A client that sends its whole body before it reads the answer would, if the connection
    // closed under the unread body, get a reset instead of this answer. So a body not far over the
    // limit is read and dropped (as Tomcat's maxSwallowSize does), and the connection closes when
    // it is in, or when the read deadline passes, whichever comes first.
    long deadline =
        vertx.setTimer(config.bodyReadTimeout().toMillis(), fired -> request.connection().close());
    request.handler(dropped -> {});
    request.endHandler(
        done -> {
          vertx.cancelTimer(deadline);
          request.connection().close();
        });
    request.resume();
    answer(context, problem).end(encode(problem));
  }

  private void answerAndClose(RoutingContext context, Problem problem) {
    HttpServerRequest request = context.request();
    if (context.response().headWritten()) {
      request.connection().close();
      return;
    }
    answer(context, problem).endHandler(done -> request.connection().close()).end(encode(problem));
  }

  private static HttpServerResponse answer(RoutingContext context, Problem problem) {
    return context
        .response()
        .setStatusCode(problem.status())
        .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
        .putHeader(HttpHeaders.CONNECTION, "close");
  }

  private String encode(Problem problem) {
    try {
      return json.writeValueAsString(problem);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write problem " + problem.type(), e);
    }
  }

  private static boolean isForm(String contentType) {
    // Multipart is not taken anywhere, so it is not decoded (nor its files kept) either.
    return contentType
        .toLowerCase(Locale.ROOT)
        .startsWith(HttpHeaders.APPLICATION_X_WWW_FORM_URLENCODED.toString());
  }

  private static long declared(String length) {
    if (length == null) {
      return -1;
    }
    try {
      return Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      // The HTTP codec refuses a malformed Content-Length before this runs.
      return -1;
    }
  }
}
