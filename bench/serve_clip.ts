/**
 * The rtsp-edge side of the fan-out benchmark, in a process of its own so that its CPU time can be
 * read from /proc without the clients': `serve()` plus the CLI's paced, looped clip player.
 *
 * It measures, inside the server process, the delay from `sendFrame` to the moment each reader's
 * socket write of that frame completed (the `written` callback of the runtime's TCP connection,
 * which fires when the bytes are in the kernel; or the return of `write` itself, when the
 * connection took it whole at once without counting it as pending, as `bun_net.ts` does). It does so with a thin wrapper around the
 * server's `Network` (the public `network` option of `serve()`): every write made while
 * `sendFrame` runs is a frame write, tagged with the frame; completions arrive in write order.
 *
 * With `--probe off` the wrapper only reads each frame's RTP timestamp (so that clients' frames
 * can be matched) and times nothing.
 *
 * The wrapped network is the runtime's default (`defaultNetwork()`: `node_net.ts` under Deno,
 * `bun_net.ts` under Bun), as `serve()` would pick without the `network` option. The file uses only
 * `node:` modules, so it runs under `deno run` and compiled by `bun build --compile` alike
 * (bench/fanout.ts does both).
 *
 * Protocol (JSON lines): prints `{event:"ready", url, pid}`; on stdin takes
 * `{cmd:"report", from, to}` (wall ms) and answers `{event:"report", ...}`; `{cmd:"counters"}`
 * answers the server's own per-reader counters of the sessions ended so far (from its "session
 * ended" log lines); `{cmd:"exit"}` ends it.
 *
 * ```sh
 * deno run -A bench/serve_clip.ts --clip clip.h264 --fps 30 --path /stream
 * bun build --compile bench/serve_clip.ts --outfile dist/serve-clip && dist/serve-clip --clip ...
 * ```
 *
 * @module
 */

import { readFileSync } from "node:fs";
import process from "node:process";
import { serve } from "../mod.ts";
import { defaultNetwork } from "../src/runtime/default_network.ts";
import type { ConnectionHandler, Network, TcpConnection } from "../src/runtime/net.ts";
import { playClip, readAnnexBClip } from "../src/source/annexb_file.ts";
import { emit, flags, jsonLines, summary } from "./lines.ts";

// argv: the runtime, the script (or the binary's own), then the flags, under Deno and Bun alike.
const args = flags(process.argv.slice(2));
const fps = Number(args.fps ?? 30);
const path = args.path ?? "/stream";
const probeOn = args.probe !== "off";

/** What the probe knows about one frame, by sendFrame index. */
interface FrameRecord {
  /** performance.now() just before sendFrame. */
  sentAt: number;
  /** RTP timestamp, from the first frame write (undefined when no reader got it). */
  rtp: number | undefined;
  /** Writes made for it, writes completed, and writes the connection queued (not done at once). */
  writes: number;
  done: number;
  queued: number;
  /** performance.now() of the last completion. */
  lastDone: number;
  /** How long sendFrame ran (ms): the fan-out loop, every reader's write issued. */
  sendMs: number;
}

const frames: FrameRecord[] = [];
let current = -1; // index of the frame whose sendFrame is running, else -1
const writeFrame: number[] = []; // per completed write: frame index
const writeDelay: number[] = []; // per completed write: ms from sendFrame to completion
const connections: ProbedConnection[] = [];

/** Tags each write with the frame being sent (or -1) and times its completion. */
class ProbedConnection implements TcpConnection {
  readonly inner: TcpConnection;
  readonly written: number[] = []; // frame indices whose write completed, in order
  #queue: number[] = [];
  #head = 0;
  constructor(inner: TcpConnection) {
    this.inner = inner;
  }
  get remote() {
    return this.inner.remote;
  }
  get local() {
    return this.inner.local;
  }
  get bufferedBytes(): number {
    return this.inner.bufferedBytes;
  }
  get pendingWrites(): number {
    return this.inner.pendingWrites;
  }
  write(data: Uint8Array): void {
    // A frame write is interleaved RTP: '$' and an even (RTP) channel (RFC 2326 §10.12).
    const tag = current >= 0 && data[0] === 0x24 && (data[1] & 1) === 0 ? current : -1;
    if (tag >= 0) {
      const f = frames[tag];
      f.writes++;
      // '$', channel, length (2), then the RTP header: timestamp at bytes 4-7 (RFC 3550 §5.1).
      f.rtp ??= ((data[8] << 24) | (data[9] << 16) | (data[10] << 8) | data[11]) >>> 0;
    }
    if (!probeOn) return this.inner.write(data);
    // A write the runtime hands to the kernel at once and whole is done when write() returns
    // (bun_net.ts reports only writes that waited); the others are done at their `written`.
    const before = this.inner.pendingWrites;
    this.inner.write(data);
    if (this.inner.pendingWrites > before) {
      this.#queue.push(tag);
      if (tag >= 0) frames[tag].queued++;
    } else {
      this.#done(tag);
    }
  }
  end(): void {
    this.inner.end();
  }
  destroy(): void {
    this.inner.destroy();
  }
  completed(): void {
    const tag = this.#queue[this.#head++];
    if (this.#head === this.#queue.length) {
      this.#queue.length = 0;
      this.#head = 0;
    }
    if (tag !== undefined) this.#done(tag);
  }
  #done(tag: number): void {
    if (tag < 0) return;
    const now = performance.now();
    const f = frames[tag];
    f.done++;
    f.lastDone = now;
    this.written.push(tag);
    writeFrame.push(tag);
    writeDelay.push(now - f.sentAt);
  }
}

const base = await defaultNetwork();
const probedNetwork: Network = {
  listenTcp(options, accept) {
    return base.listenTcp(options, (tcp) => {
      const probe = new ProbedConnection(tcp);
      connections.push(probe);
      const handler: ConnectionHandler = accept(probe);
      return {
        data: (bytes) => handler.data(bytes),
        written: probeOn
          ? () => {
            probe.completed();
            handler.written();
          }
          : () => handler.written(),
        closed: () => handler.closed(),
      };
    });
  },
  bindUdp: (options, onDatagram) => base.bindUdp(options, onDatagram),
};

// The server's own per-reader counters arrive in its "session ended" log lines.
const ended = { sessions: 0, framesSent: 0, framesDropped: 0 };
const warnings: Record<string, number> = {};

const server = await serve({
  port: 0,
  hostname: "127.0.0.1",
  maxConnections: 4000,
  maxConnectionsPerIp: 4000,
  maxSessions: 4000,
  maxSessionsPerIp: 4000,
  network: probedNetwork,
  logger: {
    log(level, message, fields) {
      if (message === "session ended") {
        ended.sessions++;
        ended.framesSent += Number(fields?.framesSent ?? 0);
        ended.framesDropped += Number(fields?.framesDropped ?? 0);
      } else if (level === "warn" || level === "error") {
        warnings[message] = (warnings[message] ?? 0) + 1;
      }
    },
  },
});
const stream = server.addStream(path, { codec: "h264", framerate: fps });
const clip = readAnnexBClip(readFileSync(args.clip));
const player = playClip(clip, fps, (nals, options) => {
  const index = frames.length;
  const f = {
    sentAt: performance.now(),
    rtp: undefined,
    writes: 0,
    done: 0,
    queued: 0,
    lastDone: 0,
    sendMs: 0,
  };
  frames.push(f);
  current = index;
  try {
    return stream.sendFrame(nals, options);
  } finally {
    current = -1;
    f.sendMs = performance.now() - f.sentAt;
  }
});

emit({
  event: "ready",
  url: server.url(path),
  pid: process.pid,
  probe: probeOn,
  // Which runtime serves: "bun 1.x" compiled, "deno 2.x" under deno run.
  runtime: process.versions.bun ? `bun ${process.versions.bun}` : `deno ${process.versions.deno}`,
});

const origin = performance.timeOrigin;
for await (const msg of jsonLines(process.stdin)) {
  if (msg.cmd === "report") {
    const from = Number(msg.from) - origin;
    const to = Number(msg.to) - origin;
    emit(report(from, to));
  } else if (msg.cmd === "counters") {
    emit({ event: "counters", ended, stats: server.stats, warnings });
  } else if (msg.cmd === "exit") {
    break;
  }
}
player.stop();
await server.close();
emit({ event: "closed", ended, warnings });
process.exit(0);

/** Figures for the frames sent in [from, to) (performance.now() ms). */
function report(from: number, to: number) {
  const inWindow: number[] = [];
  for (let i = 0; i < frames.length; i++) {
    if (frames[i].sentAt >= from && frames[i].sentAt < to) inWindow.push(i);
  }
  const lo = inWindow[0] ?? 0;
  const hi = inWindow.length ? inWindow[inWindow.length - 1] : -1;
  // Per frame: until the last reader's write completed (only frames every write of which is done).
  const allDone: number[] = [];
  let incomplete = 0;
  for (const i of inWindow) {
    const f = frames[i];
    if (f.writes > 0 && f.done === f.writes) allDone.push(f.lastDone - f.sentAt);
    else if (f.writes > f.done) incomplete++;
  }
  const perWrite: number[] = [];
  for (let k = 0; k < writeFrame.length; k++) {
    if (writeFrame[k] >= lo && writeFrame[k] <= hi) perWrite.push(writeDelay[k]);
  }
  // Frames of the window written to each reader (connection) that was open at its end.
  const perReader = connections.filter((c) => c.written.length > 0).map((c) =>
    c.written.reduce((n, i) => n + (i >= lo && i <= hi ? 1 : 0), 0)
  );
  return {
    event: "report",
    probe: probeOn,
    frames: inWindow.map((i) => [frames[i].rtp ?? -1, frames[i].sentAt + origin]),
    lastFrameDelay: summary(allDone),
    sendFrameMs: summary(inWindow.map((i) => frames[i].sendMs)),
    writeDelay: summary(perWrite),
    incompleteFrames: incomplete,
    writesPerFrame: inWindow.length
      ? inWindow.reduce((n, i) => n + frames[i].writes, 0) / inWindow.length
      : 0,
    perReaderWritten: perReader,
    // node_net counts every write as pending until its callback: this says something under Bun.
    queuedShare: inWindow.reduce((n, i) => n + frames[i].queued, 0) /
      Math.max(1, inWindow.reduce((n, i) => n + frames[i].writes, 0)),
    stats: server.stats,
    streamStats: stream.stats,
    warnings,
  };
}
