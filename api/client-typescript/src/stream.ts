// The live notification stream (GET /api/v1/users/{id}/notifications/stream) read with fetch, so
// the same code runs in a browser and in Node.js (which has no EventSource). It keeps the last
// event id and reconnects with it, so the server replays what came meanwhile: nothing is lost or
// doubled across a dropped connection.
import type { components } from "./schema.js";

export type InboxItem = components["schemas"]["NotificationView"];

export type StreamEvent =
  | { event: "unread"; unread: number }
  | { event: "notification.created"; id: string; item: InboxItem }
  | { event: "notification.read" | "notification.recalled"; ids: string[]; unread: number };

export interface StreamOptions {
  /** A token from POST /api/v1/users/{id}/stream-tokens (what a browser uses), or ... */
  token?: string;
  /** ... an API key with scope read (a backend). */
  apiKey?: string;
  /** Resume after this item id (the last `notification.created` id seen). */
  lastEventId?: string;
  /** Stops the stream. */
  signal?: AbortSignal;
}

/**
 * The events of one connection, in order. Returns when the server ends the stream; pass
 * `lastEventId` from the last created item to reconnect without losing or doubling any.
 */
export async function* notificationStream(
  baseUrl: string,
  userId: number,
  options: StreamOptions,
): AsyncGenerator<StreamEvent> {
  const url = new URL(`${baseUrl.replace(/\/$/, "")}/api/v1/users/${userId}/notifications/stream`);
  if (options.token) {
    url.searchParams.set("token", options.token);
  }
  const headers: Record<string, string> = { Accept: "text/event-stream" };
  if (options.apiKey) {
    headers.Authorization = `Bearer ${options.apiKey}`;
  }
  if (options.lastEventId) {
    headers["Last-Event-ID"] = options.lastEventId;
  }
  const response = await fetch(url, { headers, signal: options.signal });
  if (!response.ok || !response.body) {
    throw new Error(`stream refused: HTTP ${response.status} ${await response.text()}`);
  }
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true }).replace(/\r\n?/g, "\n");
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const event = parse(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
      if (event) {
        yield event;
      }
    }
  }
}

/** One SSE block; null for a comment (the heartbeat) or a block without data. */
function parse(block: string): StreamEvent | null {
  let name = "message";
  let id: string | undefined;
  const data: string[] = [];
  for (const line of block.split("\n")) {
    if (line === "" || line.startsWith(":")) {
      continue;
    }
    const at = line.indexOf(":");
    const field = at < 0 ? line : line.slice(0, at);
    const value = at < 0 ? "" : line.slice(at + 1).replace(/^ /, "");
    if (field === "event") {
      name = value;
    } else if (field === "data") {
      data.push(value);
    } else if (field === "id") {
      id = value;
    }
  }
  if (data.length === 0) {
    return null;
  }
  const payload = JSON.parse(data.join("\n"));
  if (name === "notification.created") {
    return { event: name, id: id ?? String(payload.id), item: payload as InboxItem };
  }
  if (name === "notification.read" || name === "notification.recalled") {
    return { event: name, ids: payload.ids, unread: payload.unread };
  }
  return { event: "unread", unread: payload.unread };
}
