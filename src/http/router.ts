/**
 * The HTTP port's map: which URL is which feature, what it needs from the access check, and the
 * headers every page gets. Device pushes to `/ingest/<path>` never come here (the connection
 * serves them itself).
 *
 * | URL                        | what                              | needs                  |
 * | -------------------------- | --------------------------------- | ---------------------- |
 * | `/`                        | the console                       | read                   |
 * | `/play/<path>`             | a bare player page                | read of the path       |
 * | `/preview/<path>` (WS)     | the preview's fragmented MP4      | read of the path       |
 * | `/snapshot/<path>.jpg`     | the latest picture                | read of the path       |
 * | `/api/...`                 | the JSON API                      | read; publish for POST |
 * | `/metrics`                 | Prometheus metrics                | read                   |
 * | `/assets/<name>`           | the pages' scripts                | read                   |
 *
 * @module
 */

import { normalizePathName } from "../base/path_name.ts";
import type { Logger } from "../base/log.ts";
import type { WebRoutes } from "./routes.ts";
import type { WebAuth, WebNeed } from "./web_auth.ts";
import type { RequestInfo, WebHandler, WebSocketSession } from "./web_handler.ts";

// The pages load their scripts from /assets, never inline, so a strict policy fits them. The player
// page is meant to be framed (a Home Assistant iframe card), so framing stays allowed.
const PAGE_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy": "default-src 'self'; connect-src 'self' ws: wss:; " +
    "img-src 'self' blob: data:; media-src 'self' blob:; style-src 'self' 'unsafe-inline'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

/** A `WebHandler` that checks access, then calls the route of the URL. */
export function makeRouter(routes: WebRoutes, auth: WebAuth, logger: Logger): WebHandler {
  const guarded = async (
    request: Request,
    info: RequestInfo,
    need: WebNeed,
    answer: () => Response | Promise<Response>,
  ): Promise<Response> => {
    const verdict = await auth.check(request, info, need);
    if (!verdict.ok) {
      if (verdict.response.status === 403 || request.headers.has("authorization")) {
        logger.log("warn", "console request refused", {
          peer: info.peer,
          path: new URL(request.url).pathname.slice(0, 200),
          status: verdict.response.status,
        });
      }
      return verdict.response;
    }
    const response = await answer();
    if (verdict.setCookie) {
      const headers = new Headers(response.headers);
      headers.append("set-cookie", verdict.setCookie);
      return new Response(response.body, { status: response.status, headers });
    }
    return response;
  };

  return {
    handle(request, info) {
      const url = new URL(request.url);
      const route = routeOf(url.pathname);
      const method = request.method;
      if (route.kind === "api") {
        // The API decides its own methods; changing something needs the right to publish.
        if (!routes.api) return notFound();
        const safe = method === "GET" || method === "HEAD";
        if (!safe && !sameOrigin(request)) return text(403, "cross-site requests are refused\n");
        return guarded(
          request,
          info,
          { action: safe ? "read" : "publish", openTo: "api" },
          () => routes.api!(request, url, info),
        );
      }
      if (method !== "GET" && method !== "HEAD") {
        return text(405, "only GET and HEAD here\n", { allow: "GET, HEAD" });
      }
      switch (route.kind) {
        case "console":
          if (!routes.console) return notFound();
          return guarded(
            request,
            info,
            { action: "read" },
            async () => withHeaders(await routes.console!(request), PAGE_HEADERS),
          );
        case "metrics":
          if (!routes.metrics) return notFound();
          return guarded(
            request,
            info,
            { action: "read", openTo: "metrics" },
            () => routes.metrics!(request),
          );
        case "asset": {
          // Static, but behind the check all the same: a locked console shows nothing of itself.
          const asset = routes.asset?.(route.name);
          return asset ? guarded(request, info, { action: "read" }, () => asset) : notFound();
        }
        case "snapshot":
        case "play": {
          const handler = route.kind === "snapshot" ? routes.snapshot : routes.play;
          if (!handler) return notFound();
          if (route.path === undefined) return text(404, "no such path\n");
          const path = route.path;
          return guarded(request, info, { action: "read", path }, async () => {
            const response = await handler(path, url);
            return route.kind === "play" ? withHeaders(response, PAGE_HEADERS) : response;
          });
        }
        default:
          return notFound();
      }
    },

    async socket(request, info): Promise<WebSocketSession | Response> {
      const url = new URL(request.url);
      const route = routeOf(url.pathname);
      if (route.kind !== "preview" || !routes.preview) return notFound();
      if (route.path === undefined) return text(404, "no such path\n");
      // A page of another site must not open previews with this browser's cookie (RFC 6455 §10.2).
      if (!sameOrigin(request)) return text(403, "cross-site WebSocket refused\n");
      const verdict = await auth.check(request, info, { action: "read", path: route.path });
      if (!verdict.ok) return verdict.response;
      return routes.preview(route.path, url, info);
    },
  };
}

type Route =
  | { kind: "console" | "api" | "metrics" | "none" }
  | { kind: "asset"; name: string }
  | { kind: "snapshot" | "play" | "preview"; path: string | undefined };

/** Which feature a request path names. Path names are percent-decoded and checked here. */
export function routeOf(pathname: string): Route {
  if (pathname === "/" || pathname === "/index.html") return { kind: "console" };
  if (pathname === "/metrics") return { kind: "metrics" };
  if (pathname === "/api" || pathname.startsWith("/api/")) return { kind: "api" };
  if (pathname.startsWith("/assets/")) return { kind: "asset", name: pathname.slice(8) };
  for (const kind of ["snapshot", "play", "preview"] as const) {
    const prefix = `/${kind}/`;
    if (!pathname.startsWith(prefix)) continue;
    let name = pathname.slice(prefix.length);
    if (kind === "snapshot") {
      if (!name.endsWith(".jpg")) return { kind, path: undefined };
      name = name.slice(0, -4);
    }
    return { kind, path: streamPath(name) };
  }
  return { kind: "none" };
}

function streamPath(encoded: string): string | undefined {
  try {
    const name = decodeURIComponent(encoded);
    return name.startsWith("/") ? undefined : normalizePathName(name);
  } catch {
    return undefined;
  }
}

/**
 * Whether a request that changes something comes from our own pages: a browser names the page's
 * origin (RFC 6454 §7) on every cross-origin request it sends, so an `Origin` of another host is
 * another site's page. No `Origin` is a program (curl, a home automation server), not a browser.
 */
function sameOrigin(request: Request): boolean {
  const origin = request.headers.get("origin");
  if (origin === null) return true;
  try {
    return new URL(origin).host === request.headers.get("host");
  } catch {
    return false;
  }
}

function withHeaders(response: Response, extra: Readonly<Record<string, string>>): Response {
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(extra)) {
    if (!headers.has(name)) headers.set(name, value);
  }
  return new Response(response.body, { status: response.status, headers });
}

function text(status: number, body: string, headers: Record<string, string> = {}): Response {
  return new Response(body, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", ...headers },
  });
}

function notFound(): Response {
  return text(404, "not found\n");
}
