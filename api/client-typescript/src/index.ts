// The Pulse Jobs API client: its paths and types are generated from the API's OpenAPI document
// (openapi.json -> src/schema.d.ts, `npm run generate`), so a call that the API does not have, or
// a body it would refuse for its shape, fails to compile.
import createClient, { type Client } from "openapi-fetch";
import { createHmac, timingSafeEqual } from "node:crypto";
import type { paths } from "./schema.js";

export type { paths, components } from "./schema.js";
export { notificationStream } from "./stream.js";
export type { StreamEvent, StreamOptions, InboxItem } from "./stream.js";

export type PulseClient = Client<paths>;

/** A client for the API at `baseUrl`, sending `Authorization: Bearer <apiKey>` with every call. */
export function createPulseClient(baseUrl: string, apiKey: string): PulseClient {
  return createClient<paths>({
    baseUrl,
    headers: { Authorization: `Bearer ${apiKey}` },
  });
}

/**
 * Whether a webhook delivery is genuine: `Pulse-Signature` is `t=<unix seconds>,v1=<hex>[,v1=...]`
 * with one `v1` per secret the workers sign with (more than one during a rotation); each is
 * HMAC-SHA256 over `<t>.<raw body>`. It is genuine when one of them matches one of `secrets` and
 * `t` is within `toleranceSeconds` of now, which refuses a replayed old delivery. Pass the raw
 * body as received: parsing and re-serializing JSON changes the bytes.
 */
export function verifyWebhook(
  secrets: string[],
  rawBody: string | Buffer,
  signatureHeader: string,
  toleranceSeconds = 300,
  nowSeconds = Math.floor(Date.now() / 1000),
): boolean {
  const fields = signatureHeader.split(",").map((field) => {
    const at = field.indexOf("=");
    return at < 0 ? ["", ""] : [field.slice(0, at).trim(), field.slice(at + 1).trim()];
  });
  const timestamps = fields.filter(([name]) => name === "t").map(([, value]) => value);
  const signatures = fields.filter(([name]) => name === "v1").map(([, value]) => value);
  if (timestamps.length !== 1 || !/^[0-9]+$/.test(timestamps[0])) {
    return false;
  }
  if (Math.abs(nowSeconds - Number(timestamps[0])) > toleranceSeconds) {
    return false;
  }
  const body = typeof rawBody === "string" ? Buffer.from(rawBody, "utf8") : rawBody;
  const signed = Buffer.concat([Buffer.from(timestamps[0] + ".", "utf8"), body]);
  return secrets.some((secret) => {
    const expected = createHmac("sha256", secret).update(signed).digest();
    return signatures.some((signature) => {
      const given = Buffer.from(signature, "hex");
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
  });
}
