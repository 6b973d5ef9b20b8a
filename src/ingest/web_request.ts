/**
 * Between the HTTP/1.1 wire and the Web types the console's handlers speak: a parsed request head
 * and its body become a `Request`; a `Response` becomes the bytes of an HTTP/1.1 answer (RFC 9112
 * §4, §6.3: always framed by Content-Length, since every answer here is small and whole).
 *
 * @module
 */

import { formatResponse, type HttpRequestHead } from "./http_request.ts";

/** Largest body of a request to the console or API (they take none larger than a form). */
export const MAX_WEB_BODY_BYTES = 64 * 1024;

/** The reason phrases the HTTP port sends (RFC 9110 §15). */
export const REASONS: Readonly<Record<number, string>> = {
  100: "Continue",
  101: "Switching Protocols",
  200: "OK",
  204: "No Content",
  301: "Moved Permanently",
  302: "Found",
  303: "See Other",
  304: "Not Modified",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  411: "Length Required",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  501: "Not Implemented",
  503: "Service Unavailable",
  504: "Gateway Timeout",
  505: "HTTP Version Not Supported",
};

/** A `Request` for a parsed head and its whole body. */
export function toRequest(head: HttpRequestHead, body: Uint8Array | undefined): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(head.headers)) {
    // The parser has checked names and values already; a Latin-1 value the Headers class
    // refuses is dropped rather than failing the request.
    try {
      headers.set(name, value);
    } catch { /* dropped */ }
  }
  // The Host header is the client's, not to be trusted for anything but building this URL.
  const url = new URL(head.target.startsWith("/") ? head.target : "/", "http://rtsp-edge.local");
  const hasBody = body !== undefined && body.length > 0 && head.method !== "GET" &&
    head.method !== "HEAD";
  return new Request(url, {
    method: head.method,
    headers,
    body: hasBody ? body as Uint8Array<ArrayBuffer> : undefined,
  });
}

/**
 * The wire bytes of `response`, its body read whole. `keepAlive` false adds `Connection: close`.
 * A HEAD request gets the head only.
 */
export async function responseBytes(
  response: Response,
  method: string,
  keepAlive: boolean,
): Promise<Uint8Array> {
  const body = new Uint8Array(await response.arrayBuffer());
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (name === "content-length" || name === "transfer-encoding" || name === "connection") return;
    headers[headerCase(name)] = value;
  });
  if (!keepAlive) headers["Connection"] = "close";
  const status = response.status;
  const noBody = status < 200 || status === 204 || status === 304;
  const reason = response.statusText || REASONS[status] || "Status";
  if (noBody) return formatResponse(status, reason, headers);
  headers["Content-Length"] = String(body.length);
  return formatResponse(status, reason, headers, method === "HEAD" ? undefined : body);
}

/** Whether the client lets the connection stay open after this request (RFC 9112 §9.3). */
export function wantsKeepAlive(head: HttpRequestHead): boolean {
  const connection = head.headers["connection"]?.toLowerCase() ?? "";
  if (/(^|,)\s*close\s*(,|$)/.test(connection)) return false;
  return head.version === "HTTP/1.1" || /(^|,)\s*keep-alive\s*(,|$)/.test(connection);
}

// `content-type` → `Content-Type`: the form clients and captures are read in.
function headerCase(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());
}
