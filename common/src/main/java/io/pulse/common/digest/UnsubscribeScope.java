package io.pulse.common.digest;

import java.util.Objects;

/**
 * What an unsubscribe link switches off: the digest, one notification type's email, or every
 * non-critical type's email. It is signed into the link ({@link UnsubscribeTokens}), so a link from
 * a digest cannot switch off notification emails, nor one about replies those about messages.
 */
public record UnsubscribeScope(Kind kind, String type) {
  public enum Kind {
    DIGEST,
    EMAIL_TYPE,
    ALL_EMAIL
  }

  private static final String EMAIL = "email:";

  public static final UnsubscribeScope DIGEST = new UnsubscribeScope(Kind.DIGEST, null);
  public static final UnsubscribeScope ALL_EMAIL = new UnsubscribeScope(Kind.ALL_EMAIL, null);

  public UnsubscribeScope {
    Objects.requireNonNull(kind, "kind");
    if ((kind == Kind.EMAIL_TYPE) != (type != null && !type.isEmpty())) {
      throw new IllegalArgumentException("a type goes with EMAIL_TYPE, and only with it");
    }
  }

  public static UnsubscribeScope emailOf(String type) {
    return new UnsubscribeScope(Kind.EMAIL_TYPE, type);
  }

  /**
   * As signed into a link and stored with a used one: {@code digest}, {@code email:<type>}, {@code
   * email:*}.
   */
  public String claim() {
    return switch (kind) {
      case DIGEST -> "digest";
      case EMAIL_TYPE -> EMAIL + type;
      case ALL_EMAIL -> EMAIL + "*";
    };
  }

  /** The claim read back; null when it is none of ours. */
  static UnsubscribeScope ofClaim(String claim) {
    if ("digest".equals(claim)) {
      return DIGEST;
    }
    if ((EMAIL + "*").equals(claim)) {
      return ALL_EMAIL;
    }
    if (claim.startsWith(EMAIL) && claim.length() > EMAIL.length()) {
      return emailOf(claim.substring(EMAIL.length()));
    }
    return null;
  }
}
