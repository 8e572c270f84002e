package io.pulse.api.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pulse.api.limits.Caller;
import io.pulse.api.problem.ProblemException;
import io.quarkus.arc.Arc;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Appends to {@code audit_events}: who (the key's id and name, never its secret), from which
 * address, what, on what, and how it ended. Each event commits in its own transaction, so a refused
 * or failed action is recorded too. The table refuses updates and deletes (V8's trigger).
 *
 * <p>Actions that live elsewhere (a recall, a console sign-in) call {@link #record(Event)} with
 * their own actor, or {@link #recordRequest} from inside an API request.
 */
@ApplicationScoped
public class AuditTrail {
  /** One thing that happened; {@code details} is stored as JSON. */
  public record Event(
      String actorId,
      String actorName,
      String address,
      String action,
      String target,
      String outcome,
      Map<String, ?> details) {}

  public static final String SUCCEEDED = "succeeded";

  private final EntityManager em;
  private final ObjectMapper json;
  private final SecurityIdentity identity;

  public AuditTrail(EntityManager em, ObjectMapper json, SecurityIdentity identity) {
    this.em = em;
    this.json = json;
    this.identity = identity;
  }

  public void record(Event event) {
    String details = toJson(event.details());
    QuarkusTransaction.requiringNew()
        .run(
            () ->
                em.createNativeQuery(
                        """
                        insert into audit_events
                            (actor_id, actor_name, address, action, target, outcome, details)
                        values (?1, ?2, ?3, ?4, ?5, ?6, cast(?7 as jsonb))
                        """)
                    .setParameter(1, event.actorId())
                    .setParameter(2, event.actorName())
                    .setParameter(3, event.address())
                    .setParameter(4, event.action())
                    .setParameter(5, event.target())
                    .setParameter(6, event.outcome())
                    .setParameter(7, details)
                    .executeUpdate());
  }

  /** Records an action of the current API request's caller, from the request's peer address. */
  public void recordRequest(String action, String target, String outcome, Map<String, ?> details) {
    Caller caller = Caller.of(identity);
    record(
        new Event(
            caller == null ? "anonymous" : caller.keyId(),
            caller == null ? null : caller.keyName(),
            peerAddress(),
            action,
            target,
            outcome,
            details));
  }

  /**
   * Runs an admin action and records it: succeeded with the details its result gives, or failed
   * (then the failure goes on to the caller). A request refused for what it asked (4xx: malformed,
   * an unknown id) changed nothing and is not recorded: like every bad input, it writes nothing.
   */
  public <T> T around(
      String action, String target, Supplier<T> work, Function<T, Map<String, ?>> details) {
    T result;
    try {
      result = work.get();
    } catch (ProblemException e) {
      if (e.problem.status() < 500) {
        throw e;
      }
      recordRequest(
          action,
          target,
          "failed " + e.problem.status(),
          Map.of("detail", String.valueOf(e.problem.detail())));
      throw e;
    } catch (RuntimeException e) {
      recordRequest(action, target, "failed", Map.of("error", e.getClass().getSimpleName()));
      throw e;
    }
    recordRequest(action, target, SUCCEEDED, details.apply(result));
    return result;
  }

  private String toJson(Map<String, ?> details) {
    try {
      return json.writeValueAsString(details == null ? Map.of() : details);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("audit details are not JSON", e);
    }
  }

  private static String peerAddress() {
    if (!Arc.container().requestContext().isActive()) {
      return null;
    }
    RoutingContext context = Arc.container().instance(CurrentVertxRequest.class).get().getCurrent();
    SocketAddress peer = context == null ? null : context.request().remoteAddress();
    return peer == null ? null : peer.hostAddress();
  }
}
