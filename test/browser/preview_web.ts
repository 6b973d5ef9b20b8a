/**
 * A stand-in for the router in the browser tests and the console benchmark: `/play/<path>`,
 * `/assets/player.js` and the `/preview/<path>` WebSocket, each handed to its route function as
 * the router will.
 */

import type { Logger } from "../../src/base/log.ts";
import { playPage } from "../../src/http/player_page.ts";
import { playerAsset } from "../../src/http/player_script.ts";
import {
  type PreviewHost,
  previewRoute,
  type PreviewRouteOptions,
} from "../../src/http/preview.ts";
import type { WebHandler, WebSocketSession } from "../../src/http/web_handler.ts";

/** A web handler serving the player page, its script and the preview. */
export function previewWebHandler(
  options: { server: PreviewHost; logger: Logger } & Partial<PreviewRouteOptions>,
  wrap: (session: WebSocketSession) => WebSocketSession = (s) => s,
): WebHandler {
  const preview = previewRoute(options);
  const notFound = () => new Response("not found\n", { status: 404 });
  return {
    handle(request) {
      const url = new URL(request.url);
      if (url.pathname.startsWith("/play/")) return playPage(url.pathname.slice(5), url);
      if (url.pathname.startsWith("/assets/")) {
        return playerAsset(url.pathname.slice(8)) ?? notFound();
      }
      return notFound();
    },
    async socket(request, info) {
      const url = new URL(request.url);
      if (!url.pathname.startsWith("/preview/")) return notFound();
      const answer = await preview(url.pathname.slice(8), url, info);
      return answer instanceof Response ? answer : wrap(answer);
    },
  };
}
