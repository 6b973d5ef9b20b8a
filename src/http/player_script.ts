/**
 * The live player, as the JavaScript source the HTTP port serves at `/assets/player.js` (through
 * {@link playerAsset}) for the `/play/<path>` page and the console. It defines one global,
 * `rtspEdgePlayer(video, wsUrl, options?) → { stop(), state }`, which reads `/preview/<path>`
 * (fragmented MP4 over a WebSocket, see preview_session.ts) into Media Source Extensions:
 *
 * - codec string from the server's `init` message, `ManagedMediaSource` where present (Safari on
 *   iPhone), else `MediaSource`; `segments` mode with an append queue;
 * - live: more than 0.5 s behind the newest frame, it jumps to it, and more than 0.2 s behind it
 *   plays 10 % fast until it is back; the buffer behind the playhead is removed a few seconds at a
 *   time, so memory stays flat;
 * - muted autoplay, `playsinline`; the socket is closed while the page is hidden and opened again
 *   when it shows; a dropped socket is reopened with backoff (0.5 s doubling to 10 s);
 * - `options.onState(state, detail)` hears `connecting`, `playing`, `waiting` (for the source),
 *   `paused` (page hidden), `unsupported` and `stopped`.
 *
 * Plain script in the style every browser runs (no modules, no build step, no CDN), kept here as a
 * string so the single binary carries it.
 *
 * @module
 */

import { PLAY_PAGE_SCRIPT } from "./player_page.ts";

/** The player's JavaScript source. */
export const PLAYER_SCRIPT: string =
  `/* rtsp-edge live player: fragmented MP4 over a WebSocket into Media Source Extensions.
 * rtspEdgePlayer(video, wsUrl, options?) -> { stop(), state }. options.onState(state, detail) hears
 * "connecting", "playing", "waiting" (for the source; detail says why), "paused" (page hidden),
 * "unsupported" and "stopped". Plain ES5-style script: no build step, no dependency. */
(function (global) {
  "use strict";

  var LIVE_LAG_S = 0.5; // further behind the newest frame than this: jump to it
  var JUMP_BEHIND_S = 0.1; // where a jump lands, behind the newest frame
  var CATCH_UP_S = 0.2; // further behind than this: play 10 % fast until back
  var KEEP_S = 4; // buffer kept behind the playhead; older is removed so memory stays flat
  var MAX_QUEUED_BYTES = 16 << 20; // waiting for the SourceBuffer: beyond this, start over
  var MAX_BACKOFF_MS = 10000;

  function mediaSourceClass() {
    return global.ManagedMediaSource || global.MediaSource || null;
  }

  function rtspEdgePlayer(video, wsUrl, options) {
    options = options || {};
    var MS = mediaSourceClass();
    var stopped = false;
    var state = "";
    var ws = null;
    var media = null; // { source, buffer, url, codec, queue, queued }
    var retries = 0;
    var retryTimer = null;
    var pendingInit = null;

    video.muted = true;
    video.defaultMuted = true;
    video.autoplay = true;
    video.playsInline = true;
    video.setAttribute("muted", "");
    video.setAttribute("playsinline", "");
    // Safari's ManagedMediaSource plays only with remote playback off (or an AirPlay source).
    if ("disableRemotePlayback" in video) video.disableRemotePlayback = true;

    function setState(next, detail) {
      if (next === state && !detail) return;
      state = next;
      if (options.onState) {
        try {
          options.onState(next, detail || "");
        } catch (e) { /* the page's handler failing must not stop the player */ }
      }
    }

    function hidden() {
      return typeof document !== "undefined" && document.visibilityState === "hidden";
    }

    function connect() {
      if (stopped || ws || hidden()) return;
      if (!MS) return setState("unsupported", "this browser has no Media Source Extensions");
      clearTimeout(retryTimer);
      retryTimer = null;
      setState("connecting");
      var socket = new WebSocket(wsUrl);
      socket.binaryType = "arraybuffer";
      ws = socket;
      socket.onmessage = function (event) {
        if (ws !== socket) return;
        if (typeof event.data === "string") return control(event.data);
        enqueue(new Uint8Array(event.data));
      };
      socket.onclose = function () {
        if (ws !== socket) return;
        ws = null;
        closeMedia();
        if (stopped || hidden()) return;
        // Back off 0.5 s, 1 s, 2 s ... up to 10 s; a socket that carried frames starts over.
        var delay = Math.min(MAX_BACKOFF_MS, 500 * Math.pow(2, retries++));
        setState("connecting", "reconnecting in " + Math.round(delay / 100) / 10 + " s");
        retryTimer = setTimeout(connect, delay);
      };
    }

    function control(text) {
      var message;
      try {
        message = JSON.parse(text);
      } catch (e) {
        return;
      }
      if (message.type === "init") {
        var mime = 'video/mp4; codecs="' + message.codec + '"';
        if (!MS.isTypeSupported(mime)) {
          return setState("unsupported", "this browser cannot play " + message.codec);
        }
        pendingInit = mime;
      } else if (message.type === "waiting") {
        setState("waiting", message.reason);
      }
    }

    function enqueue(bytes) {
      if (pendingInit) {
        var mime = pendingInit;
        pendingInit = null;
        if (!media || (media.codec !== mime && !(media.buffer && media.buffer.changeType))) {
          openMedia(mime);
        } else if (media.codec !== mime) {
          media.queue.push({ changeType: mime });
          media.codec = mime;
        }
      }
      if (!media) return; // a fragment before any init segment: wait for one
      media.queue.push(bytes);
      media.queued += bytes.length;
      if (media.queued > MAX_QUEUED_BYTES) return restart("the page fell behind");
      pump();
    }

    function openMedia(mime) {
      closeMedia();
      var source = new MS();
      var m = {
        source: source,
        buffer: null,
        url: URL.createObjectURL(source),
        codec: mime,
        queue: [],
        queued: 0,
      };
      media = m;
      source.addEventListener("sourceopen", function () {
        if (media !== m) return;
        try {
          m.buffer = source.addSourceBuffer(mime);
        } catch (e) {
          return setState("unsupported", String(e && e.message || e));
        }
        m.buffer.mode = "segments";
        m.buffer.addEventListener("updateend", function () {
          if (media !== m) return;
          followLiveEdge();
          pump();
        });
        m.buffer.addEventListener("error", function () {
          if (media === m) restart("the browser refused a fragment");
        });
        pump();
      });
      video.src = m.url;
    }

    function closeMedia() {
      if (!media) return;
      var m = media;
      media = null;
      try {
        if (m.source.readyState === "open") m.source.endOfStream();
      } catch (e) { /* already ended */ }
      video.removeAttribute("src");
      try {
        video.load();
      } catch (e) { /* nothing to unload */ }
      URL.revokeObjectURL(m.url);
    }

    /** Hands the SourceBuffer its next piece, or trims the buffer when nothing waits. */
    function pump() {
      var m = media;
      if (!m || !m.buffer || m.buffer.updating) return;
      var next = m.queue.shift();
      if (!next) return trim(m);
      if (next.length) m.queued -= next.length;
      try {
        if (next.changeType) {
          m.buffer.changeType(next.changeType);
          return pump();
        }
        m.buffer.appendBuffer(next);
      } catch (e) {
        if (e && e.name === "QuotaExceededError") {
          m.queue.unshift(next);
          m.queued += next.length;
          return trim(m, true);
        }
        restart("the browser refused a fragment: " + (e && e.message || e));
      }
    }

    function trim(m, urgent) {
      var b = m.buffer.buffered;
      if (!b.length) return;
      var keepFrom = video.currentTime - (urgent ? 0.5 : KEEP_S);
      // Remove in steps of a few seconds, not after every frame.
      if (b.start(0) < keepFrom - (urgent ? 0 : 2)) {
        try {
          m.buffer.remove(0, keepFrom);
        } catch (e) { /* removing while updating: next time */ }
      }
    }

    /** Stays within LIVE_LAG_S of the newest frame: jumps forward rather than drifting behind. */
    function followLiveEdge() {
      var b = video.buffered;
      if (!b.length) return;
      var start = b.start(b.length - 1);
      var end = b.end(b.length - 1);
      var t = video.currentTime;
      var lag = end - t;
      if (t < start || lag > LIVE_LAG_S) video.currentTime = Math.max(start, end - JUMP_BEHIND_S);
      // A small lag (the player waited to start, a late frame) is caught up without a jump.
      var rate = lag > CATCH_UP_S ? 1.1 : 1;
      if (video.playbackRate !== rate) video.playbackRate = rate;
      if (video.paused) {
        var played = video.play();
        if (played && played.catch) played.catch(function () { /* autoplay refused: muted retries */ });
      }
    }

    function restart(why) {
      closeMedia();
      pendingInit = null;
      setState("connecting", why);
      if (ws && ws.readyState === 1) ws.send("restart");
    }

    function onVisibility() {
      if (hidden()) {
        // A hidden page stops: the server's reader goes away and no bandwidth is spent.
        var socket = ws;
        ws = null;
        clearTimeout(retryTimer);
        if (socket) socket.close(1000, "page hidden");
        closeMedia();
        setState("paused", "page hidden");
      } else {
        retries = 0;
        connect();
      }
    }

    function onPlaying() {
      retries = 0;
      setState("playing");
    }

    function onVideoError() {
      if (media) restart("the video could not be decoded");
    }

    video.addEventListener("playing", onPlaying);
    video.addEventListener("error", onVideoError);
    if (typeof document !== "undefined") {
      document.addEventListener("visibilitychange", onVisibility);
    }
    connect();

    return {
      get state() {
        return state;
      },
      stop: function () {
        if (stopped) return;
        stopped = true;
        clearTimeout(retryTimer);
        if (typeof document !== "undefined") {
          document.removeEventListener("visibilitychange", onVisibility);
        }
        video.removeEventListener("playing", onPlaying);
        video.removeEventListener("error", onVideoError);
        var socket = ws;
        ws = null;
        if (socket) socket.close(1000, "stopped");
        closeMedia();
        setState("stopped");
      },
    };
  }

  global.rtspEdgePlayer = rtspEdgePlayer;
})(typeof window !== "undefined" ? window : globalThis);
`;

const SCRIPTS: Readonly<Record<string, string>> = {
  "player.js": PLAYER_SCRIPT,
  "play.js": PLAY_PAGE_SCRIPT,
};

/**
 * Answers `/assets/<name>` for the player's script (`player.js`) and the bare player page's own
 * (`play.js`); undefined for any other name, so a router can try the console's assets next.
 * Matches `WebRoutes.asset`.
 */
export function playerAsset(name: string): Response | undefined {
  const script = SCRIPTS[name];
  if (script === undefined) return undefined;
  return new Response(script, {
    headers: {
      "Content-Type": "text/javascript; charset=utf-8",
      // Revalidated each time, so a new version of the server is never run with an old player.
      "Cache-Control": "no-cache",
    },
  });
}
