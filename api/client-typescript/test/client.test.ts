// Run by the API's TypeScriptClientTest against the running API (PULSE_URL, PULSE_KEY); the
// webhook case verifies a delivery signed the way the workers sign (PULSE_WEBHOOK_*).
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { createPulseClient, notificationStream, verifyWebhook } from "../src/index.js";

const url = process.env.PULSE_URL ?? "http://127.0.0.1:8080";
const key = process.env.PULSE_KEY ?? "";

test("sends a notification, reads its job and the recipient's inbox", async () => {
  const pulse = createPulseClient(url, key);
  const sent = await pulse.POST("/api/v1/notifications", {
    params: { header: { "Idempotency-Key": `ts-client-${randomUUID()}` } },
    body: { type: "comment.reply", recipientIds: [4242], title: "From TypeScript", body: "hello" },
  });
  assert.equal(sent.response.status, 202, JSON.stringify(sent.error));
  const jobId = sent.data?.jobId;
  assert.ok(jobId, "the answer names the job");

  const job = await pulse.GET("/api/v1/jobs/{id}", { params: { path: { id: jobId } } });
  assert.equal(job.response.status, 200);
  assert.equal(job.data?.type, "notification.dispatch");

  const inbox = await pulse.GET("/api/v1/users/{id}/notifications", {
    params: { path: { id: 4242 } },
  });
  assert.equal(inbox.response.status, 200, JSON.stringify(inbox.error));
  assert.ok(Array.isArray(inbox.data?.items));
});

test("a refused request carries its problem body", async () => {
  const pulse = createPulseClient(url, key);
  const refused = await pulse.POST("/api/v1/notifications", {
    // @ts-expect-error: the compiler knows a notification needs a title; the API says so too
    body: { type: "comment.reply", recipientIds: [1] },
  });
  assert.equal(refused.response.status, 400);
  assert.match(JSON.stringify(refused.error), /title/);
});

test("verifies a signed webhook and refuses a tampered or stale one", () => {
  const secret = process.env.PULSE_WEBHOOK_SECRET ?? "";
  const body = process.env.PULSE_WEBHOOK_BODY ?? "";
  const header = process.env.PULSE_WEBHOOK_SIGNATURE ?? "";
  const now = Number(process.env.PULSE_WEBHOOK_NOW ?? Math.floor(Date.now() / 1000));
  assert.ok(secret && body && header, "the Java side passed a signed delivery");
  assert.equal(verifyWebhook([secret], body, header, 300, now), true);
  assert.equal(verifyWebhook(["old-secret", secret], body, header, 300, now), true);
  assert.equal(verifyWebhook([secret], body + " ", header, 300, now), false);
  assert.equal(verifyWebhook(["another"], body, header, 300, now), false);
  assert.equal(verifyWebhook([secret], body, header, 300, now + 301), false);
});

test("reads the live stream with a stream token: the unread count on connect", async () => {
  const pulse = createPulseClient(url, key);
  const minted = await pulse.POST("/api/v1/users/{id}/stream-tokens", {
    params: { path: { id: 4243 } },
  });
  assert.equal(minted.response.status, 200, JSON.stringify(minted.error));
  const token = minted.data?.token;
  assert.ok(token);
  const stop = new AbortController();
  const events = notificationStream(url, 4243, { token, signal: stop.signal });
  const first = await events.next();
  stop.abort();
  assert.deepEqual(first.value, { event: "unread", unread: 0 });
});

test("a token for one user does not open another's stream", async () => {
  const pulse = createPulseClient(url, key);
  const minted = await pulse.POST("/api/v1/users/{id}/stream-tokens", {
    params: { path: { id: 4243 } },
  });
  const other = notificationStream(url, 4244, { token: minted.data?.token });
  await assert.rejects(() => other.next(), /HTTP 401/);
});

test("hands over a browser's push subscription, lists it and removes it", async () => {
  const pulse = createPulseClient(url, key);
  const user = 4000 + Math.floor(Math.random() * 100_000);
  // What a browser's pushManager.subscribe() gives, through subscription.toJSON().
  const subscription = {
    endpoint: `https://fcm.googleapis.com/fcm/send/ts-${randomUUID()}`,
    expirationTime: null,
    keys: {
      p256dh:
        "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
      auth: "BTBZMqHH6r4Tts7J_aSIgg",
    },
  };
  const added = await pulse.POST("/api/v1/users/{id}/push-subscriptions", {
    params: { path: { id: user } },
    body: subscription,
  });
  assert.equal(added.response.status, 201, JSON.stringify(added.error));
  const listed = await pulse.GET("/api/v1/users/{id}/push-subscriptions", {
    params: { path: { id: user } },
  });
  assert.deepEqual(
    listed.data?.items?.map((item) => item.endpoint),
    [subscription.endpoint],
  );
  assert.ok(listed.data?.applicationServerKey, "the key browsers subscribe with");
  const removed = await pulse.DELETE("/api/v1/users/{id}/push-subscriptions", {
    params: { path: { id: user }, query: { endpoint: subscription.endpoint } },
  });
  assert.equal(removed.response.status, 204);
  const bad = await pulse.POST("/api/v1/users/{id}/push-subscriptions", {
    params: { path: { id: user } },
    body: { ...subscription, keys: { ...subscription.keys, auth: "AAAA" } },
  });
  assert.equal(bad.response.status, 400);
  assert.match(JSON.stringify(bad.error), /keys\.auth/);
});
