/**
 * The JSON API under `/api/`, after mediamtx's `/v3/paths/list`: the paths with their state,
 * rates and readers, the sessions, a kick, and the latest log lines. Every answer is JSON and never
 * cached (it is a live view); errors are `{ "error": "..." }` with the status that fits.
 *
 * @module
 */

import type { WebRoutes } from "./routes.ts";
import type { StatusBoard } from "./status.ts";

const JSON_HEADERS = {
  "Content-Type": "application/json; charset=utf-8",
  "Cache-Control": "no-store",
};

/**
 * The `api` route of {@link WebRoutes}, answering from `board`:
 * `GET /api/paths`, `GET /api/paths/<name>` (`<name>` may hold `/`), `GET /api/sessions`,
 * `POST /api/sessions/<id>/kick`, `GET /api/logs`.
 */
export function apiRoute(board: StatusBoard): NonNullable<WebRoutes["api"]> {
  return (request, url) => {
    const parts = url.pathname.replace(/^\/api\/?/, "").split("/").filter((p) => p !== "");
    const [what, id, action] = parts;
    if (what === "paths" && parts.length === 1) {
      return onlyGet(request) ?? list(board.paths());
    }
    if (what === "paths" && parts.length >= 2) {
      // Path names may have segments (`garden/cam`), as mediamtx's `/v3/paths/get/{name}`.
      const name = decoded(parts.slice(1).join("/"));
      const path = name === undefined ? undefined : board.path(name);
      return onlyGet(request) ?? (path ? json(200, path) : error(404, `no path ${name ?? id}`));
    }
    if (what === "sessions" && parts.length === 1) {
      return onlyGet(request) ?? list(board.sessions());
    }
    if (what === "sessions" && parts.length === 3 && action === "kick") {
      if (request.method !== "POST") return notAllowed("POST");
      const session = decoded(id);
      if (session === undefined || !board.kick(session)) {
        return error(404, `no session ${session ?? id}`);
      }
      return new Response(null, { status: 204, headers: { "Cache-Control": "no-store" } });
    }
    if (what === "logs" && parts.length === 1) {
      const lines = board.log?.lines() ?? [];
      return onlyGet(request) ?? json(200, {
        items: lines.map((l) => ({
          time: new Date(l.time).toISOString(),
          level: l.level,
          message: l.message,
          fields: l.fields,
        })),
      });
    }
    return error(404, `no such endpoint: ${url.pathname}`);
  };
}

function list(items: unknown[]): Response {
  return json(200, { itemCount: items.length, items });
}

/** 405 unless GET (or HEAD, which the connection answers without the body). */
function onlyGet(request: Request): Response | undefined {
  return request.method === "GET" || request.method === "HEAD" ? undefined : notAllowed("GET");
}

function notAllowed(allow: string): Response {
  const response = error(405, `use ${allow}`);
  response.headers.set("Allow", allow === "GET" ? "GET, HEAD" : allow);
  return response;
}

function decoded(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: JSON_HEADERS });
}

function error(status: number, message: string): Response {
  return json(status, { error: message });
}
