package io.pulse.api.problem;

import io.pulse.api.auth.ApiConfig;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.inject.Instance;
import jakarta.ws.rs.ext.Provider;
import jakarta.ws.rs.ext.ReaderInterceptor;
import jakarta.ws.rs.ext.ReaderInterceptorContext;
import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * A body sent without a Content-Length (chunked) has no size to check up front: it is read here, up
 * to one byte past {@code pulse.api.max-body-bytes}, before the JSON reader sees any of it, so an
 * oversized body is a 413 whatever it holds. The limit is at most a megabyte or so, and the JSON
 * reader would hold the whole document anyway.
 */
@Provider
public class BodyLimitInterceptor implements ReaderInterceptor {
  // Interceptors are built while the application is set up, before config mappings exist, so
  // the config is looked up on first use, and kept: each lookup builds the mapping anew (it
  // showed in the API's profile, about 1% of its samples).
  private final Instance<ApiConfig> config;
  private final CurrentVertxRequest current;
  private volatile long limit = -1;

  public BodyLimitInterceptor(Instance<ApiConfig> config, CurrentVertxRequest current) {
    this.config = config;
    this.current = current;
  }

  @Override
  public Object aroundReadFrom(ReaderInterceptorContext context) throws IOException {
    long limit = limit();
    byte[] body =
        context.getInputStream().readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
    if (body.length > limit) {
      // The rest of the body stays unread, so the connection cannot carry another request.
      HttpServerRequest request = current.getCurrent().request();
      request.response().endHandler(done -> request.connection().close());
      throw new BodyTooLargeException(limit);
    }
    context.setInputStream(new ByteArrayInputStream(body));
    return context.proceed();
  }

  private long limit() {
    long known = limit;
    if (known < 0) {
      known = config.get().maxBodyBytes();
      limit = known;
    }
    return known;
  }

  /** Thrown when a streamed body passes the limit; answered as a 413 problem. */
  public static class BodyTooLargeException extends IOException {
    public final long limit;

    BodyTooLargeException(long limit) {
      super("body is larger than " + limit + " bytes");
      this.limit = limit;
    }
  }
}
