package io.pulse.common.notification;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The notification types the platform knows, each with its default channels (used when a user set
 * no preference) and whether it is critical (delivered on its default channels even to a user who
 * opted out). Both the API (to refuse unknown types) and the workers (to resolve channels) read it.
 */
@ConfigMapping(prefix = "pulse.notifications")
public interface NotificationConfig {
  Map<String, TypeSettings> types();

  Webhook webhook();

  Push push();

  /** The campus platform's address: relative links in mails are made absolute with it. */
  @WithDefault("https://campus.example")
  String platformUrl();

  /**
   * Where on the platform a user changes their notification settings (appended to {@link
   * #platformUrl()}): mails and the unsubscribe pages link there, to undo an unsubscribe.
   */
  @WithDefault("/settings/notifications")
  String settingsPath();

  /** The right-hand side of the Message-IDs of the mails the workers send. */
  @WithDefault("pulse.jobs")
  String messageIdDomain();

  /**
   * The language of users who chose none (a BCP 47 tag), and the fallback of a language no template
   * is shipped in. Mails and pages fall back once more to {@code en}, which every template has.
   */
  @WithDefault("en")
  String defaultLocale();

  /**
   * How many budgeted deliveries (see {@link #budgetChannels()}) of non-critical types one user
   * gets per day of their own calendar; a user may set a lower budget. Past it a delivery ends
   * {@code skipped} with reason {@code budget} and is listed in the user's next digest.
   */
  @WithDefault("20")
  int dailyBudget();

  /**
   * The channels that reach a person's pocket and count towards the daily budget. {@code push}
   * counts as soon as a push channel delivers; webhooks go to the platform and never count.
   */
  @WithDefault("email,push")
  Set<String> budgetChannels();

  /** Whether deliveries on {@code channel} count towards (and are limited by) the budget. */
  default boolean countsTowardsBudget(String channel) {
    return budgetChannels().contains(channel);
  }

  interface TypeSettings {
    @WithDefault("in_app")
    List<String> defaultChannels();

    /** Delivered on its default channels even to a user who opted out, and in quiet hours. */
    @WithDefault("false")
    boolean critical();

    /**
     * Escalation only if unread: the email of this type waits this long (as a scheduled job) and
     * goes out only if the recipient's in-app item is still unread then; read meanwhile, the
     * delivery ends {@code skipped} with reason {@code read}. Applies to recipients who get both
     * in-app and email. Absent: the email goes out at once.
     */
    Optional<java.time.Duration> emailIfUnreadAfter();

    /**
     * Grouping: notifications of this type with one {@code groupKey} for one recipient within this
     * window of the first are folded into that first one's inbox item (count, latest actors, newest
     * text), and its email goes out once, for the first. Absent: no grouping.
     */
    Optional<java.time.Duration> groupWindow();
  }

  /** The group window of a type, if it groups. */
  default Optional<java.time.Duration> groupWindow(String type) {
    TypeSettings settings = types().get(type);
    return settings == null ? Optional.empty() : settings.groupWindow();
  }

  /** The escalation delay of a type's email, if it has one. */
  default Optional<java.time.Duration> emailIfUnreadAfter(String type) {
    TypeSettings settings = types().get(type);
    return settings == null ? Optional.empty() : settings.emailIfUnreadAfter();
  }

  /** Whether the type is critical: delivered despite an opt-out, and despite quiet hours. */
  default boolean critical(String type) {
    TypeSettings settings = types().get(type);
    return settings != null && settings.critical();
  }

  interface Webhook {
    /** Where webhook deliveries are POSTed; without it the webhook channel is skipped. */
    Optional<String> url();

    /** The HMAC-SHA256 key of the signature header. */
    Optional<String> secret();

    /**
     * Secrets a rotation retires: each also signs every delivery (one more {@code v1=}) until it is
     * removed, so receivers can move to the new secret at their own pace.
     */
    Optional<List<String>> previousSecrets();

    @WithDefault("2s")
    java.time.Duration connectTimeout();

    @WithDefault("5s")
    java.time.Duration readTimeout();
  }

  /**
   * Web Push. Without both VAPID keys the channel is off: the dispatch leaves no push deliveries
   * and the API answers subscriptions without an {@code applicationServerKey}.
   */
  interface Push {
    /**
     * The VAPID public key: the uncompressed P-256 point (65 bytes), base64url, as {@code web-push
     * generate-vapid-keys} prints it. Browsers subscribe with it as {@code applicationServerKey}.
     */
    Optional<String> vapidPublicKey();

    /** The VAPID private key: the P-256 scalar (32 bytes), base64url. Workers only. */
    Optional<String> vapidPrivateKey();

    /** The VAPID {@code sub} claim: how a push service reaches the sender's operators. */
    @WithDefault("mailto:push@pulse.example")
    String vapidSubject();

    /** How long a push service keeps a message for an offline device (the TTL header). */
    @WithDefault("24h")
    java.time.Duration ttl();

    /**
     * Accept (API) and send to (workers) {@code http://127.0.0.1} endpoints: for the local
     * push-service stand-in of tests, dev and the bench only. Every other endpoint must be https.
     */
    @WithDefault("false")
    boolean allowLoopbackHttp();

    /** Subscriptions one user may hold (browsers, devices); one more is refused with 409. */
    @WithDefault("20")
    int maxSubscriptionsPerUser();

    @WithDefault("5s")
    java.time.Duration connectTimeout();

    @WithDefault("10s")
    java.time.Duration readTimeout();

    default boolean configured() {
      return vapidPublicKey().isPresent() && vapidPrivateKey().isPresent();
    }
  }

  default boolean knows(String type) {
    return types().containsKey(type);
  }

  /**
   * The one rule for which channels a user gets for a type: what they saved, or the type's defaults
   * when they saved nothing ({@code saved} null); a critical type adds its defaults back to any
   * opt-out. A type the configuration does not know goes in-app only.
   */
  default Set<String> channelsFor(String type, List<String> saved) {
    TypeSettings settings = types().get(type);
    List<String> defaults = settings == null ? List.of(Channel.IN_APP) : settings.defaultChannels();
    Set<String> channels = new LinkedHashSet<>(saved == null ? defaults : saved);
    if (settings != null && settings.critical()) {
      channels.addAll(defaults);
    }
    return channels;
  }
}
