package io.pulse.api.console;

import io.pulse.api.admin.ApiKeyResource;
import io.pulse.api.admin.CreateKey;
import io.pulse.api.admin.CreatedKey;
import io.pulse.api.auth.ApiKey;
import io.pulse.api.auth.Scope;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.net.URI;
import java.util.List;
import java.util.UUID;
import org.jboss.resteasy.reactive.RestResponse;

/**
 * The API keys: listed to any console user, created and revoked by admins through the admin API's
 * own endpoints (same validation, same audit events). A new secret is shown once, never stored.
 */
@Path("/console/api-keys")
@Produces(MediaType.TEXT_HTML)
public class ConsoleApiKeys {
  private final ApiKeyResource admin;
  private final SecurityIdentity identity;

  public ConsoleApiKeys(ApiKeyResource admin, SecurityIdentity identity) {
    this.admin = admin;
    this.identity = identity;
  }

  @GET
  @RolesAllowed(Scope.READ)
  public String list() {
    return page(null);
  }

  @POST
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  @RolesAllowed(Scope.ADMIN)
  public String create(
      @FormParam("csrf") String csrf,
      @FormParam("name") String name,
      @FormParam("scope") String scope) {
    ConsoleCsrf.require(identity, csrf);
    CreatedKey created =
        (CreatedKey)
            admin
                .create(
                    new CreateKey(
                        name, scope == null ? List.of() : List.of(scope), null, null, null, null))
                .getEntity();
    return page(created);
  }

  @POST
  @Path("/{id}/revoke")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  @RolesAllowed(Scope.ADMIN)
  public RestResponse<Void> revoke(@FormParam("csrf") String csrf, @PathParam("id") UUID id) {
    ConsoleCsrf.require(identity, csrf);
    admin.revoke(id);
    return RestResponse.seeOther(URI.create("/console/api-keys"));
  }

  private String page(CreatedKey created) {
    List<ApiKey> keys = ApiKey.find("order by createdAt desc").page(0, 200).list();
    return ConsolePages.apiKeys(Nav.of(identity), keys, created).render();
  }
}
