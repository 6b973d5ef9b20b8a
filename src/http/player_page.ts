/**
 * `/play/<path>`: a bare page with one full-window video playing the path's live preview, fit for
 * an iframe (a Home Assistant card) or a kiosk. Every URL in it is relative to the page, so it
 * works behind a reverse proxy's prefix, and the WebSocket scheme follows the page's (`wss:` on
 * HTTPS). A path that is not served yet still gets the page: the player waits and retries, and
 * plays once a publisher comes.
 *
 * @module
 */

import type { WebRoutes } from "./routes.ts";

/** The function the router calls for `/play/<path>`. */
export type PlayRoute = NonNullable<WebRoutes["play"]>;

/**
 * The player page of `path` (the normalized path, `/cam`). Matches `WebRoutes.play`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { playPage } from "./player_page.ts";
 *
 * const page = await playPage("/cam", new URL("http://edge.local/play/cam"));
 * assert.equal(page.headers.get("Content-Type"), "text/html; charset=utf-8");
 * assert.match(await page.text(), /<script src="\.\.\/assets\/player\.js">/);
 * ```
 */
export function playPage(path: string, _url: URL): Response {
  return new Response(playerHtml(path), {
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Cache-Control": "no-store",
      "Referrer-Policy": "no-referrer",
    },
  });
}

/** The page's HTML. Exported for the console's tests. */
export function playerHtml(path: string): string {
  const segments = path.split("/").filter((s) => s !== "");
  // From <prefix>/play/a/b the page's directory is <prefix>/play/a/: one `../` per segment.
  const up = "../".repeat(Math.max(1, segments.length));
  const previewHref = up + "preview/" + segments.map(encodeURIComponent).join("/");
  const title = escapeHtml(`${path} · rtsp-edge`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>
html, body { margin: 0; height: 100%; background: #000; overflow: hidden; }
video { display: block; width: 100%; height: 100%; object-fit: contain; background: #000; }
#state { position: fixed; left: 8px; bottom: 8px; padding: 2px 6px; border-radius: 3px;
  font: 12px/1.4 system-ui, sans-serif; color: #fff; background: rgba(0, 0, 0, 0.6);
  pointer-events: none; transition: opacity 1s; }
#state.playing { opacity: 0; }
</style>
</head>
<body>
<video id="video" muted autoplay playsinline disableremoteplayback
  data-preview="${escapeHtml(previewHref)}"></video>
<div id="state">connecting</div>
<script src="${up}assets/player.js"></script>
<script src="${up}assets/play.js"></script>
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The page's own script, served as `/assets/play.js`: it starts the player on the socket the
 * video element names. A file, not an inline script, so the pages' Content-Security-Policy
 * (`default-src 'self'`, router.ts) lets it run.
 */
export const PLAY_PAGE_SCRIPT = String.raw`"use strict";
(function () {
  var video = document.getElementById("video");
  var url = new URL(video.dataset.preview, location.href);
  url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
  var line = document.getElementById("state");
  var labels = { connecting: "connecting", playing: "playing", waiting: "waiting for the source",
    paused: "paused", unsupported: "cannot play here", stopped: "stopped" };
  window.player = rtspEdgePlayer(video, url.href, {
    onState: function (state, detail) {
      line.textContent = (labels[state] || state) + (detail ? ": " + detail : "");
      line.className = state;
    }
  });
})();
`;
