/**
 * The pages and endpoints of the HTTP port, each a function the router (router.ts) calls once the
 * request has passed the access check. What a feature needs (the server, the status board, the
 * snapshot engine) it took when it was made; the router knows none of it.
 *
 * @module
 */

import type { RequestInfo, WebSocketSession } from "./web_handler.ts";

/** What answers under each prefix of the HTTP port. Absent ones answer 404. */
export interface WebRoutes {
  /** `/`: the console page. */
  console?(request: Request): Response | Promise<Response>;
  /** `/api/...`: the JSON API; `url.pathname` still starts with `/api/`. */
  api?(request: Request, url: URL, info: RequestInfo): Response | Promise<Response>;
  /** `/metrics`: the Prometheus text exposition. */
  metrics?(request: Request): Response | Promise<Response>;
  /** `/snapshot/<path>.jpg`: `path` is the normalized path (`/cam`). */
  snapshot?(path: string, url: URL): Response | Promise<Response>;
  /** `/play/<path>`: the bare player page of one path. */
  play?(path: string, url: URL): Response | Promise<Response>;
  /** `/preview/<path>` as a WebSocket: the live preview's fragmented MP4. */
  preview?(
    path: string,
    url: URL,
    info: RequestInfo,
  ): WebSocketSession | Response | Promise<WebSocketSession | Response>;
  /** Static assets under `/assets/` (the console's and player's script). */
  asset?(name: string): Response | undefined;
}
