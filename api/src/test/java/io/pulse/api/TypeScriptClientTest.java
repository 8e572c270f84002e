package io.pulse.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * The TypeScript client in {@code api/client-typescript}: generated from an OpenAPI document that
 * must be the API's current one (regenerate with {@code deploy/client-typescript.sh}), and its own
 * Node tests run against this running API: a notification sent, its job and an inbox read, a
 * refused request's problem, and a webhook signed as the workers sign verified.
 */
@QuarkusTest
class TypeScriptClientTest {
  static final Path CLIENT = Path.of("client-typescript");

  @TestHTTPResource("/")
  URL api;

  @Test
  void theCommittedDocumentIsTheApisOwn() throws IOException {
    ObjectMapper json = new ObjectMapper();
    String live = given().accept("application/json").get("/q/openapi?format=json").asString();
    Path committed = CLIENT.resolve("openapi.json");
    if (Boolean.getBoolean("pulse.client.regenerate")) {
      Files.writeString(
          committed, json.writerWithDefaultPrettyPrinter().writeValueAsString(json.readTree(live)));
    }
    JsonNode expected = json.readTree(live);
    JsonNode actual = json.readTree(committed.toFile());
    assertEquals(
        expected,
        actual,
        "api/client-typescript/openapi.json is stale against the API's OpenAPI document:"
            + " run deploy/client-typescript.sh and commit the result");
  }

  @Test
  void itsNodeTestsPassAgainstTheRunningApi() throws Exception {
    long now = Instant.now().getEpochSecond();
    String secret = "ts-client-webhook-secret";
    String body = "{\"jobId\":\"0193a9c2-0000-7000-8000-000000000001\",\"title\":\"Bonjour 안녕\"}";
    Map<String, String> env =
        Map.of(
            "PULSE_URL",
            api.toString().replaceAll("/$", ""),
            "PULSE_KEY",
            ApiTestSupport.ADMIN_KEY,
            "PULSE_WEBHOOK_SECRET",
            secret,
            "PULSE_WEBHOOK_BODY",
            body,
            "PULSE_WEBHOOK_SIGNATURE",
            "t=" + now + ",v1=" + hmac(secret, now + "." + body),
            "PULSE_WEBHOOK_NOW",
            Long.toString(now));
    if (!Files.isDirectory(CLIENT.resolve("node_modules"))) {
      run(List.of("npm", "ci", "--no-audit", "--no-fund"), Map.of());
    }
    run(List.of("npm", "test"), env);
  }

  private static void run(List<String> command, Map<String, String> env) throws Exception {
    File log = Path.of("target", "client-typescript-" + command.get(1) + ".log").toFile();
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(CLIENT.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log);
    builder.environment().putAll(env);
    Process process = builder.start();
    if (!process.waitFor(5, TimeUnit.MINUTES)) {
      process.destroyForcibly();
    }
    String output = Files.readString(log.toPath(), StandardCharsets.UTF_8);
    System.out.println(output);
    assertEquals(0, process.exitValue(), String.join(" ", command) + " failed:\n" + output);
  }

  private static String hmac(String secret, String signed) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return HexFormat.of().formatHex(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
  }
}
