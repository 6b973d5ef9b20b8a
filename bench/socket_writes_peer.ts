/**
 * The two sides of bench/socket_writes.ts, in one runtime-neutral file (`node:` modules only, so it
 * runs under `deno run` and `bun` alike).
 *
 * - `--role server --api node|deno|bun --readers N`: accepts N connections on 127.0.0.1 with the
 *   chosen socket API (`node:net`; `Deno.listen`, Deno only; `Bun.listen`, Bun only), then writes
 *   one 8,200-byte buffer (a 2 Mbit/s, 30 fps frame) to each, 30 times a second, the way the
 *   server's fan-out loop does: no batching, each socket's writes counted until they complete.
 *   Prints `{event:"ready", port, pid}`, then `{event:"writing"}` once every reader is connected.
 * - `--role client --port P --count N`: N `node:net` connections that read and drop everything.
 *   Prints `{event:"connected"}`.
 *
 * Both end on `{cmd:"exit"}` on stdin.
 *
 * @module
 */

import * as net from "node:net";
import process from "node:process";
import { emit, flags, jsonLines } from "./lines.ts";

const args = flags(process.argv.slice(2));
const FRAME = new Uint8Array(8200).fill(0x24);
const FPS = 30;

/** One write per call; `pending` counts writes whose completion has not been seen. */
type Writer = (data: Uint8Array) => void;
let pending = 0;

/** `node:net`: the callback of each write, as node_net.ts does. */
function listenNode(accept: (write: Writer) => void): Promise<number> {
  const done = () => pending--;
  const server = net.createServer({ noDelay: true }, (socket) => {
    socket.on("data", () => {});
    socket.on("error", () => {});
    accept((data) => {
      pending++;
      socket.write(data, done);
    });
  });
  return new Promise((resolve) => {
    server.listen({ host: "127.0.0.1", port: 0 }, () => {
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

/** `Deno.listen`: `conn.write` resolves when the bytes are in the kernel; one promise per write. */
function listenDeno(accept: (write: Writer) => void): Promise<number> {
  // deno-lint-ignore no-explicit-any
  const deno = (globalThis as any).Deno;
  if (!deno) throw new Error("--api deno runs only under Deno");
  const listener = deno.listen({ hostname: "127.0.0.1", port: 0 });
  (async () => {
    for await (const conn of listener) {
      conn.setNoDelay(true);
      const buffer = new Uint8Array(16 * 1024);
      (async () => {
        try {
          while ((await conn.read(buffer)) !== null) { /* dropped */ }
        } catch { /* closed */ }
      })();
      const done = () => pending--;
      accept((data) => {
        pending++;
        // A short write is not retried here: on loopback at this rate the kernel takes it all.
        conn.write(data).then(done, done);
      });
    }
  })();
  return Promise.resolve(listener.addr.port);
}

/** `Bun.listen`: `socket.write` returns what the kernel took, synchronously, as bun_net.ts uses. */
function listenBun(accept: (write: Writer) => void): Promise<number> {
  // deno-lint-ignore no-explicit-any
  const bun = (globalThis as any).Bun;
  if (!bun) throw new Error("--api bun runs only under Bun");
  const listener = bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      // deno-lint-ignore no-explicit-any
      open(socket: any) {
        socket.setNoDelay?.(true);
        accept((data) => {
          if (socket.write(data) < data.length) pending++; // would wait in bun_net's queue
        });
      },
      data() {},
      drain() {},
      close() {},
      error() {},
    },
  });
  return Promise.resolve(listener.port);
}

async function server(): Promise<void> {
  const readers = Number(args.readers ?? 100);
  const writers: Writer[] = [];
  const api = args.api ?? "node";
  const listen = api === "deno" ? listenDeno : api === "bun" ? listenBun : listenNode;
  let startWriting: () => void = () => {};
  const allConnected = new Promise<void>((resolve) => startWriting = resolve);
  const port = await listen((write) => {
    writers.push(write);
    if (writers.length === readers) startWriting();
  });
  emit({ event: "ready", port, pid: process.pid });
  await allConnected;
  const timer = setInterval(() => {
    for (const write of writers) write(FRAME);
  }, 1000 / FPS);
  emit({ event: "writing" });
  await untilExit();
  clearInterval(timer);
  emit({ event: "done", pending });
}

async function client(): Promise<void> {
  const count = Number(args.count ?? 100);
  const sockets: net.Socket[] = [];
  await Promise.all(Array.from({ length: count }, () =>
    new Promise<void>((resolve, reject) => {
      const socket = net.connect({ host: "127.0.0.1", port: Number(args.port) }, resolve);
      socket.on("data", () => {});
      socket.once("error", reject);
      sockets.push(socket);
    })));
  emit({ event: "connected" });
  await untilExit();
  for (const socket of sockets) socket.destroy();
}

async function untilExit(): Promise<void> {
  for await (const msg of jsonLines(process.stdin)) if (msg.cmd === "exit") return;
}

await (args.role === "client" ? client() : server());
process.exit(0);
