package io.pulse.api.push;

import io.pulse.api.auth.Scope;
import io.pulse.api.openapi.ApiDocs;
import io.pulse.api.problem.ProblemException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * A user's browser push subscriptions, for the {@code push} channel: the platform hands over what
 * the browser's {@code pushManager.subscribe()} gave it, and removes it when the user turns push
 * off on that device.
 */
@Tag(name = ApiDocs.NOTIFICATIONS)
@Path("/api/v1/users/{id}/push-subscriptions")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class PushSubscriptionResource {
  private static final String VIEW_EXAMPLE =
      "{\"id\":\"17\",\"endpoint\":\"https://fcm.googleapis.com/fcm/send/dpH5lCsTSSM:APA91bH...\",\"expirationTime\":null,\"createdAt\":\"2026-12-07T09:00:00Z\"}";

  private final PushSubscriptions subscriptions;

  public PushSubscriptionResource(PushSubscriptions subscriptions) {
    this.subscriptions = subscriptions;
  }

  @POST
  @RolesAllowed(Scope.JOBS_WRITE)
  @Operation(
      summary = "Add a browser push subscription",
      description =
          "The body is the browser's `PushSubscription` JSON as is (`subscription.toJSON()`): `endpoint` (https), `expirationTime` (epoch ms or null) and `keys` with `p256dh` (the 65-byte uncompressed P-256 point) and `auth` (16 bytes), both base64url. Checked whole before anything is saved: a bad field is `400` naming it. Saved by endpoint: posting the same subscription again updates it (`200`), a new one is `201`; an endpoint posted for another user moves to this user. A user keeps at most `pulse.notifications.push.max-subscriptions-per-user` (20); past it the oldest is dropped. Push goes out for the types whose channels include `push` (PUT /users/{id}/preferences).")
  @SecurityRequirement(name = ApiDocs.API_KEY, scopes = Scope.JOBS_WRITE)
  @RequestBody(
      content =
          @Content(
              mediaType = "application/json",
              examples =
                  @ExampleObject(
                      name = "request",
                      value =
                          "{\"endpoint\":\"https://fcm.googleapis.com/fcm/send/dpH5lCsTSSM:APA91bH...\",\"expirationTime\":null,\"keys\":{\"p256dh\":\"BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4\",\"auth\":\"BTBZMqHH6r4Tts7J_aSIgg\"}}")))
  @APIResponse(
      responseCode = "201",
      description = "Saved, new",
      content =
          @Content(
              mediaType = "application/json",
              schema = @Schema(implementation = PushSubscriptionView.class),
              examples = @ExampleObject(name = "201", value = VIEW_EXAMPLE)))
  @APIResponse(
      responseCode = "200",
      description = "Saved, an update of the subscription with this endpoint",
      content =
          @Content(
              mediaType = "application/json",
              schema = @Schema(implementation = PushSubscriptionView.class),
              examples = @ExampleObject(name = "200", value = VIEW_EXAMPLE)))
  @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
  @APIResponse(responseCode = "401", ref = ApiDocs.UNAUTHORIZED)
  @APIResponse(responseCode = "403", ref = ApiDocs.FORBIDDEN)
  @APIResponse(responseCode = "413", ref = ApiDocs.TOO_LARGE)
  @APIResponse(responseCode = "415", ref = ApiDocs.NOT_JSON)
  public Response add(@PathParam("id") long userId, @NotNull PushSubscriptionRequest request) {
    PushSubscriptions.Saved saved = subscriptions.save(userId, request);
    if (!saved.created()) {
      return Response.ok(saved.view()).build();
    }
    return Response.created(
            URI.create("/api/v1/users/" + userId + "/push-subscriptions/" + saved.view().id()))
        .entity(saved.view())
        .build();
  }

  @GET
  @RolesAllowed(Scope.READ)
  @Operation(
      summary = "List a user's push subscriptions",
      description =
          "Oldest first, without their keys, and the VAPID public key (`applicationServerKey`) a browser subscribes with (null while push is not configured). Reads only.")
  @SecurityRequirement(name = ApiDocs.API_KEY, scopes = Scope.READ)
  @APIResponse(
      responseCode = "200",
      description = "The subscriptions",
      content =
          @Content(
              mediaType = "application/json",
              schema = @Schema(implementation = PushSubscriptionList.class),
              examples =
                  @ExampleObject(
                      name = "200",
                      value =
                          "{\"items\":["
                              + VIEW_EXAMPLE
                              + "],\"applicationServerKey\":\"BAgxGY8xBWYlbfZYlSnhv_vD5lKhE84HRU3ghGeBCQuqDNwpv_8YqMkKk90ctgPtZgX3WGyEIPTAUudpkDrrbTg\"}")))
  @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
  @APIResponse(responseCode = "401", ref = ApiDocs.UNAUTHORIZED)
  @APIResponse(responseCode = "403", ref = ApiDocs.FORBIDDEN)
  public PushSubscriptionList list(@PathParam("id") long userId) {
    return subscriptions.list(userId);
  }

  @DELETE
  @RolesAllowed(Scope.JOBS_WRITE)
  @Operation(
      summary = "Remove a push subscription by its endpoint",
      description =
          "What a browser knows after `subscription.unsubscribe()`: its endpoint, as the `endpoint` query parameter. `204` when removed, `404` when the user has no subscription with that endpoint.")
  @SecurityRequirement(name = ApiDocs.API_KEY, scopes = Scope.JOBS_WRITE)
  @APIResponse(responseCode = "204", description = "Removed")
  @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
  @APIResponse(responseCode = "401", ref = ApiDocs.UNAUTHORIZED)
  @APIResponse(responseCode = "403", ref = ApiDocs.FORBIDDEN)
  @APIResponse(responseCode = "404", ref = ApiDocs.NOT_FOUND)
  public Response removeByEndpoint(
      @PathParam("id") long userId,
      @Parameter(description = "the subscription's endpoint URL", required = true)
          @QueryParam("endpoint")
          String endpoint) {
    if (!subscriptions.deleteByEndpoint(userId, endpoint)) {
      throw ProblemException.notFound("push subscription");
    }
    return Response.noContent().build();
  }

  @DELETE
  @Path("/{subscriptionId}")
  @RolesAllowed(Scope.JOBS_WRITE)
  @Operation(
      summary = "Remove a push subscription by its id",
      description =
          "The `id` a POST or GET answered. `204` when removed, `404` when the user has no subscription with that id.")
  @SecurityRequirement(name = ApiDocs.API_KEY, scopes = Scope.JOBS_WRITE)
  @APIResponse(responseCode = "204", description = "Removed")
  @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
  @APIResponse(responseCode = "401", ref = ApiDocs.UNAUTHORIZED)
  @APIResponse(responseCode = "403", ref = ApiDocs.FORBIDDEN)
  @APIResponse(responseCode = "404", ref = ApiDocs.NOT_FOUND)
  public Response removeById(
      @PathParam("id") long userId, @PathParam("subscriptionId") long subscriptionId) {
    if (!subscriptions.deleteById(userId, subscriptionId)) {
      throw ProblemException.notFound("push subscription");
    }
    return Response.noContent().build();
  }
}
