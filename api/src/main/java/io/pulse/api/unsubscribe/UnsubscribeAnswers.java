package io.pulse.api.unsubscribe;

import io.pulse.common.digest.UnsubscribeScope;
import io.pulse.common.digest.UnsubscribeTokens;
import io.pulse.common.notification.NotificationConfig;
import io.pulse.common.notification.UserLocales;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * The unsubscribe pages' answers, for people rather than API clients: HTML in the user's language
 * (the link's user's locale; before the link is verified, the browser's {@code Accept-Language}),
 * no key needed (the signed token is the credential). GET only shows the choice, because mail
 * scanners fetch links; a POST (a person's click, or a mail client's RFC 8058 one-click) changes
 * the preference.
 */
@ApplicationScoped
public class UnsubscribeAnswers {
  /** The form field that widens a notification email's link to every non-critical type. */
  public static final String ALL_EMAIL = "all-email";

  /**
   * The page runs no script and loads nothing: it needs its inline styles (Qute escapes every value
   * put into the page, so no one can add styles of their own) and its forms, which post back here.
   * Nobody may frame it, so no other site can trick a click on a button.
   */
  static final String POLICY =
      "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
          + "frame-ancestors 'none'; base-uri 'none'";

  private final UnsubscribeTokens tokens;
  private final Unsubscriber unsubscriber;
  private final UserLocales locales;
  private final EntityManager em;
  private final String settingsUrl;

  public UnsubscribeAnswers(
      UnsubscribeTokens tokens,
      Unsubscriber unsubscriber,
      UserLocales locales,
      EntityManager em,
      NotificationConfig notifications) {
    this.tokens = tokens;
    this.unsubscriber = unsubscriber;
    this.locales = locales;
    this.em = em;
    this.settingsUrl = notifications.platformUrl() + notifications.settingsPath();
  }

  public Response confirm(String token, HttpHeaders headers) {
    UnsubscribeTokens.Verified link;
    try {
      link = tokens.verify(token, Instant.now());
    } catch (UnsubscribeTokens.RefusedException e) {
      return refused(e, headers);
    }
    String language = languageOf(link.userId());
    boolean offerAll = offersAll(link);
    if (unsubscriber.critical(link.scope())) {
      return render(
          Response.Status.CONFLICT, language, refusal(link, "critical", null, offerAll, token));
    }
    if (unsubscriber.used(link, link.scope())) {
      return render(Response.Status.GONE, language, refusal(link, "used", null, offerAll, token));
    }
    return render(
        Response.Status.OK,
        language,
        new UnsubscribePage(
            "confirm",
            scopeName(link.scope()),
            link.scope().type(),
            null,
            null,
            token,
            offerAll,
            settingsUrl));
  }

  /** {@code what} is null (the link's own scope) or {@link #ALL_EMAIL}. */
  public Response unsubscribe(String token, String what, HttpHeaders headers) {
    UnsubscribeTokens.Verified link;
    try {
      link = tokens.verify(token, Instant.now());
    } catch (UnsubscribeTokens.RefusedException e) {
      return refused(e, headers);
    }
    String language = languageOf(link.userId());
    UnsubscribeScope action;
    if (what == null || what.isEmpty()) {
      action = link.scope();
    } else if (ALL_EMAIL.equals(what) && link.scope().kind() != UnsubscribeScope.Kind.DIGEST) {
      action = UnsubscribeScope.ALL_EMAIL;
    } else {
      return render(
          Response.Status.BAD_REQUEST,
          language,
          refusal(link, "choice", "this link cannot do '" + what + "'", false, null));
    }
    return switch (unsubscriber.apply(link, action)) {
      case CRITICAL ->
          render(
              Response.Status.CONFLICT,
              language,
              refusal(link, "critical", null, offersAll(link), token));
      case ALREADY_USED ->
          render(
              Response.Status.GONE, language, refusal(link, "used", null, offersAll(link), token));
      case DONE -> {
        boolean offerAll = action.kind() == UnsubscribeScope.Kind.EMAIL_TYPE && offersAll(link);
        yield render(
            Response.Status.OK,
            language,
            new UnsubscribePage(
                "done",
                scopeName(action),
                action.type(),
                null,
                null,
                offerAll ? token : null,
                offerAll,
                settingsUrl));
      }
    };
  }

  /** A notification email's link may also switch off all non-critical email, once. */
  private boolean offersAll(UnsubscribeTokens.Verified link) {
    return link.scope().kind() == UnsubscribeScope.Kind.EMAIL_TYPE
        && !unsubscriber.used(link, UnsubscribeScope.ALL_EMAIL);
  }

  private UnsubscribePage refusal(
      UnsubscribeTokens.Verified link,
      String reason,
      String detail,
      boolean offerAll,
      String token) {
    return new UnsubscribePage(
        "refused",
        scopeName(link.scope()),
        link.scope().type(),
        reason,
        detail,
        offerAll ? token : null,
        offerAll,
        settingsUrl);
  }

  private Response refused(UnsubscribeTokens.RefusedException e, HttpHeaders headers) {
    boolean expired = e.refusal() == UnsubscribeTokens.Refusal.EXPIRED;
    String reason =
        expired
            ? "expired"
            : e.refusal() == UnsubscribeTokens.Refusal.FORGED ? "forged" : "malformed";
    return render(
        expired ? Response.Status.GONE : Response.Status.BAD_REQUEST,
        languageOf(headers),
        new UnsubscribePage(
            "refused", null, null, reason, e.getMessage(), null, false, settingsUrl));
  }

  private static String scopeName(UnsubscribeScope scope) {
    return switch (scope.kind()) {
      case DIGEST -> "digest";
      case EMAIL_TYPE -> "type";
      case ALL_EMAIL -> "all";
    };
  }

  /** The link's user's language; a user we no longer have reads the default. */
  private String languageOf(long userId) {
    List<?> stored =
        em.createNativeQuery("select locale from users where id = ?1")
            .setParameter(1, userId)
            .getResultList();
    String tag = stored.isEmpty() ? null : (String) stored.get(0);
    return locales.language(locales.of(tag), UnsubscribePages.BY_LANGUAGE.keySet());
  }

  /** Nobody is known before the link verifies: the browser's preference among ours. */
  private String languageOf(HttpHeaders headers) {
    for (Locale wanted : headers.getAcceptableLanguages()) {
      if (UnsubscribePages.BY_LANGUAGE.containsKey(wanted.getLanguage())) {
        return wanted.getLanguage();
      }
    }
    return locales.language(locales.fallback(), UnsubscribePages.BY_LANGUAGE.keySet());
  }

  private static Response render(Response.Status status, String language, UnsubscribePage page) {
    String html = UnsubscribePages.BY_LANGUAGE.get(language).apply(page).render();
    return Response.status(status)
        .type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"))
        .header("Content-Language", language)
        .header("Cache-Control", "no-store")
        .header("Referrer-Policy", "no-referrer")
        .header("Content-Security-Policy", POLICY)
        .header("X-Content-Type-Options", "nosniff")
        .header("X-Frame-Options", "DENY")
        .entity(html)
        .build();
  }
}
