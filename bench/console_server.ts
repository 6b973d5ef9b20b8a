/**
 * The server side of the console benchmark, in a process of its own so that its CPU time can be
 * read from /proc without the browser's or the readers': `serve()` playing the benchmark clip at
 * `--path`, and the HTTP port with the player page, its script and the preview WebSocket (the
 * routes the router will call, wired as test/browser/preview_web.ts wires them).
 *
 * Every preview fragment sent is timed: its `tfdt` (the decode time, which is also the frame's
 * presentation time in the page) and the wall time `peer.send` was called, per viewer session.
 *
 * Protocol (JSON lines): prints `{event:"ready", rtspUrl, httpPort, pid}`; on stdin takes
 * `{cmd:"sends", session}` and answers `{event:"sends", sends: [[tfdt, wallMs], ...]}` for the
 * session-th viewer (0 the first); `{cmd:"exit"}` ends it.
 *
 * @module
 */

import { serve } from "../mod.ts";
import { silentLogger } from "../src/base/log.ts";
import type { WebSocketPeer, WebSocketSession } from "../src/http/web_handler.ts";
import { startIngest } from "../src/ingest/ingest_server.ts";
import { playClip, readAnnexBClip } from "../src/source/annexb_file.ts";
import { previewWebHandler } from "../test/browser/preview_web.ts";
import { emit, flags, jsonLines, wallNow } from "./lines.ts";

const args = flags(Deno.args);
const fps = Number(args.fps ?? 30);
const path = args.path ?? "/stream";

/** Per viewer session, in the order they opened: [tfdt, wall ms] of each fragment sent. */
const sessions: [number, number][][] = [];

/** The `tfdt` of a `moof`+`mdat` message, or undefined for an init segment. */
function decodeTime(bytes: Uint8Array): number | undefined {
  // moof(8) mfhd(16) traf(8) tfhd(16), then tfdt: header 8, version and flags 4, time 8.
  if (bytes[4] !== 0x6d || bytes[5] !== 0x6f || bytes[6] !== 0x6f || bytes[7] !== 0x66) return;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return v.getUint32(60) * 2 ** 32 + v.getUint32(64);
}

/** Times what a session sends. */
function timed(session: WebSocketSession): WebSocketSession {
  const sends: [number, number][] = [];
  sessions.push(sends);
  return {
    open(peer: WebSocketPeer) {
      session.open({
        send(data) {
          const tfdt = decodeTime(data);
          peer.send(data);
          if (tfdt !== undefined) sends.push([tfdt, wallNow()]);
        },
        sendText: (text) => peer.sendText(text),
        get bufferedBytes() {
          return peer.bufferedBytes;
        },
        close: (code, reason) => peer.close(code, reason),
      });
    },
    message: (data) => session.message?.(data),
    closed: () => session.closed(),
  };
}

const server = await serve({ port: 0, hostname: "127.0.0.1" });
const stream = server.addStream(path, { codec: "h264", framerate: fps });
const clip = readAnnexBClip(await Deno.readFile(args.clip));
const player = playClip(clip, fps, (nals, options) => stream.sendFrame(nals, options));
const ingest = await startIngest({
  rtsp: server,
  port: 0,
  hostname: "127.0.0.1",
  policyFor: () => undefined,
  maxConnections: 1000,
  maxConnectionsPerIp: 1000,
  web: previewWebHandler({ server, logger: silentLogger }, timed),
});

emit({ event: "ready", rtspUrl: server.url(path), httpPort: ingest.port, pid: Deno.pid });

for await (const msg of jsonLines(Deno.stdin.readable)) {
  if (msg.cmd === "sends") {
    emit({ event: "sends", sends: sessions[Number(msg.session ?? 0)] ?? [] });
  } else if (msg.cmd === "exit") {
    break;
  }
}
player.stop();
await ingest.close();
await server.close();
emit({ event: "closed" });
