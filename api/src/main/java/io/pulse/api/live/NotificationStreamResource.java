package io.pulse.api.live;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pulse.api.auth.Scope;
import io.pulse.api.auth.StreamTokens;
import io.pulse.api.notification.NotificationView;
import io.pulse.api.openapi.ApiDocs;
import io.pulse.api.problem.ProblemException;
import io.pulse.common.events.InboxEvent;
import io.pulse.common.events.InboxItem;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * A user's inbox, live, as Server-Sent Events. On connect: the unread count, then (with {@code
 * Last-Event-ID}) every item after that id from the notifications table; then what {@code
 * pulse.events} brings, with a created item read back from the table. Only created items carry an
 * {@code id:}, the item's id, which only grows, so a reconnect's replay loses and doubles nothing.
 */
@Tag(name = ApiDocs.NOTIFICATIONS)
@Path("/api/v1/users/{id}/notifications/stream")
public class NotificationStreamResource {
  static final String UNREAD = "unread";

  private final LiveStreams streams;
  private final InboxItems items;
  private final StreamConfig config;
  private final SecurityIdentity identity;
  private final ObjectMapper json;

  public NotificationStreamResource(
      LiveStreams streams,
      InboxItems items,
      StreamConfig config,
      SecurityIdentity identity,
      ObjectMapper json) {
    this.streams = streams;
    this.items = items;
    this.config = config;
    this.identity = identity;
    this.json = json;
  }

  @GET
  @Produces(MediaType.SERVER_SENT_EVENTS)
  @RolesAllowed({Scope.READ, StreamTokens.ROLE})
  @Blocking
  @Operation(
      summary = "Stream a user's inbox live (Server-Sent Events)",
      description =
          "Events: `unread` (`{\"unread\":3}`, on connect and after every change), `notification.created` (`id:` the item's id, data the item in the inbox's shape), `notification.read` and `notification.recalled` (`{\"ids\":[\"981\"],\"unread\":2}`), and a `: heartbeat` comment every 15 s. On reconnect, `Last-Event-ID` (the header a browser sends, or the `lastEventId` parameter) replays from the inbox every item after it (at most `pulse.api.stream.replay-limit`), so nothing is lost or doubled. Authorized by an API key with scope `read`, or by `token` from `POST /users/{id}/stream-tokens` for this same user (a browser's EventSource sends no header). `503` when the instance holds `pulse.api.stream.max-connections` streams; a client that stops reading is disconnected once `pulse.api.stream.client-buffer` events wait for it.")
  @SecurityRequirement(name = ApiDocs.API_KEY, scopes = Scope.READ)
  @Parameter(
      in = ParameterIn.QUERY,
      name = "token",
      description = "a stream token for this user, instead of an API key")
  @APIResponse(
      responseCode = "200",
      description = "The event stream; it stays open",
      content =
          @Content(
              mediaType = MediaType.SERVER_SENT_EVENTS,
              examples =
                  @ExampleObject(
                      name = "200",
                      value =
                          "event: unread\ndata: {\"unread\":1}\n\nid: 981\nevent: notification.created\ndata: {\"id\":\"981\",\"type\":\"comment.reply\",\"title\":\"New reply\",\"body\":\"Nice post\",\"link\":\"/posts/9\",\"actorId\":5,\"createdAt\":\"2026-11-30T09:00:00Z\",\"read\":false,\"source\":\"post:9\",\"recalled\":false}\n\n: heartbeat\n\n")))
  @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
  @APIResponse(responseCode = "401", ref = ApiDocs.UNAUTHORIZED)
  @APIResponse(responseCode = "403", ref = ApiDocs.FORBIDDEN)
  @APIResponse(responseCode = "503", ref = ApiDocs.UNAVAILABLE)
  public Multi<OutboundSseEvent> stream(
      @PathParam("id") long userId,
      @Parameter(hidden = true) @HeaderParam("Last-Event-ID") String lastEventHeader,
      @Parameter(description = "the last `id:` received, for a client that cannot send the header")
          @QueryParam("lastEventId")
          String lastEventQuery,
      @Context Sse sse) {
    Long lastEventId = lastEventId(lastEventHeader, lastEventQuery);
    StreamTokens.requireBoundTo(identity, userId);
    LiveStreams.Subscription subscription =
        streams
            .open(userId)
            .orElseThrow(
                () ->
                    ProblemException.unavailable(
                        "too-many-streams",
                        "this instance holds its limit of open streams; try again",
                        null));
    try {
      // Subscribed before the table is read: an event committed meanwhile waits in the
      // subscription, and the high-water mark drops it if the replay already had it.
      List<OutboundSseEvent> head = new ArrayList<>();
      head.add(unread(sse, items.unread(userId)));
      long highWater = lastEventId == null ? 0 : lastEventId;
      if (lastEventId != null) {
        for (NotificationView item : items.after(userId, lastEventId, config.replayLimit())) {
          head.add(created(sse, item));
          highWater = Long.parseLong(item.id());
        }
      }
      long replayedUpTo = highWater;
      Multi<OutboundSseEvent> live =
          subscription
              .events()
              .onItem()
              .transformToUniAndConcatenate(event -> render(sse, userId, event, replayedUpTo))
              .onItem()
              .disjoint();
      return Multi.createBy()
          .concatenating()
          .streams(Multi.createFrom().iterable(head), live)
          .onTermination()
          .invoke(subscription::close);
    } catch (RuntimeException e) {
      subscription.close();
      throw e;
    }
  }

  private Uni<List<OutboundSseEvent>> render(
      Sse sse, long userId, InboxEvent event, long replayedUpTo) {
    if (event == LiveStreams.HEARTBEAT) {
      return Uni.createFrom().item(List.of(sse.newEventBuilder().comment("heartbeat").build()));
    }
    if (!InboxEvent.CREATED.equals(event.event())) {
      OutboundSseEvent changed =
          data(
              sse,
              event.event(),
              Map.of(
                  "ids",
                  event.ids().stream().map(String::valueOf).toList(),
                  UNREAD,
                  event.unread()));
      return Uni.createFrom().item(List.of(changed, unread(sse, event.unread())));
    }
    List<Long> fresh = event.ids().stream().filter(id -> id > replayedUpTo).toList();
    if (fresh.isEmpty()) {
      return Uni.createFrom().item(List.of());
    }
    List<InboxItem> carried =
        event.carried().stream().filter(item -> item.id() > replayedUpTo).toList();
    if (carried.size() == fresh.size()) {
      // The event carries the items as committed: no read, no hop off the event loop.
      List<OutboundSseEvent> out = new ArrayList<>();
      carried.forEach(item -> out.add(created(sse, view(item))));
      out.add(unread(sse, event.unread()));
      return Uni.createFrom().item(out);
    }
    // The item is read from the table, off the event loop.
    return Uni.createFrom()
        .item(
            () -> {
              List<OutboundSseEvent> out = new ArrayList<>();
              items.byIds(userId, fresh).forEach(item -> out.add(created(sse, item)));
              out.add(unread(sse, event.unread()));
              return out;
            })
        .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
  }

  /** A new plain item, in the inbox's shape: unread, not recalled, in no group. */
  private static NotificationView view(InboxItem item) {
    return new NotificationView(
        Long.toString(item.id()),
        item.type(),
        item.title(),
        item.body(),
        item.link(),
        item.actorId(),
        item.createdAt(),
        false,
        item.source(),
        false,
        null,
        1,
        item.actorIds());
  }

  private OutboundSseEvent created(Sse sse, NotificationView item) {
    return sse.newEventBuilder()
        .id(item.id())
        .name(InboxEvent.CREATED)
        .data(String.class, toJson(item))
        .build();
  }

  private OutboundSseEvent unread(Sse sse, long count) {
    return data(sse, UNREAD, Map.of(UNREAD, count));
  }

  private OutboundSseEvent data(Sse sse, String name, Object data) {
    return sse.newEventBuilder().name(name).data(String.class, toJson(data)).build();
  }

  private String toJson(Object value) {
    try {
      return json.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Long lastEventId(String header, String query) {
    String given = header != null && !header.isBlank() ? header : query;
    if (given == null || given.isBlank()) {
      return null;
    }
    try {
      long id = Long.parseLong(given.trim());
      if (id >= 0) {
        return id;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw ProblemException.badField("lastEventId", "an event id: a non-negative integer");
  }
}
