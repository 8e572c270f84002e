package io.pulse.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A console session over plain HTTP, signed in the way the sign-in form does it. */
public record ConsoleSession(String cookie, String csrf) {
  static final String COOKIE = "pulse_console";
  private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

  /** Signs in with {@code key}; fails the test unless the console lets it in. */
  public static ConsoleSession signIn(String key) {
    Response signedIn = postSignIn(key);
    assertEquals(303, signedIn.statusCode(), signedIn.asString());
    String cookie = signedIn.cookie(COOKIE);
    String page =
        given()
            .redirects()
            .follow(false)
            .cookie(COOKIE, cookie)
            .get("/console")
            .then()
            .statusCode(200)
            .extract()
            .asString();
    return new ConsoleSession(cookie, csrfIn(page));
  }

  /** The sign-in form's answer to {@code key}, with the form's own token and cookie. */
  static Response postSignIn(String key) {
    Response form = given().get("/console/sign-in");
    String token = form.cookie("pulse_console_sign_in");
    assertEquals(token, csrfIn(form.asString()), "the form carries its cookie's token");
    return given()
        .redirects()
        .follow(false)
        .cookie("pulse_console_sign_in", token)
        .formParam("csrf", token)
        .formParam("key", key)
        .post("/console/sign-in");
  }

  static String csrfIn(String page) {
    Matcher m = CSRF.matcher(page);
    return m.find() ? m.group(1) : null;
  }

  public RequestSpecification request() {
    return given().redirects().follow(false).cookie(COOKIE, cookie);
  }
}
