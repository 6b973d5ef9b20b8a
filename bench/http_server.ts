/**
 * Why the HTTP port keeps its own HTTP/1.1 server instead of the runtime's: the same hostile
 * clients against rtsp-edge's port and against `Deno.serve` and `node:http` (as Deno runs them),
 * each with a handler that answers 200 at once. Printed per server:
 *
 * - **slow head**: a client that sends its request head one byte every 200 ms (slowloris): when
 *   the server closes it (rtsp-edge: 10 s after the first byte, however the bytes trickle);
 * - **idle connections from one address**: of 200 connections opened and left silent, how many
 *   are still open after 2 s (rtsp-edge: 16 per address, the rest refused at once);
 * - **a 100 kB header**: the status answered (rtsp-edge: 431).
 *
 * ```sh
 * deno run -A bench/http_server.ts
 * ```
 *
 * @module
 */

import { createServer } from "node:http";
import { serve } from "../mod.ts";
import { startIngest } from "../src/ingest/ingest_server.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function slowHead(port: number, limitMs: number): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const head = new TextEncoder().encode("GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + "a".repeat(400));
  const start = performance.now();
  let closed = false;
  const reader = (async () => {
    const buf = new Uint8Array(1024);
    try {
      while ((await conn.read(buf)) !== null) { /* an answer, or nothing */ }
    } catch { /* reset */ }
    closed = true;
  })();
  for (let i = 0; i < head.length && !closed && performance.now() - start < limitMs; i++) {
    try {
      await conn.write(head.subarray(i, i + 1));
    } catch {
      closed = true;
    }
    await sleep(200);
  }
  const took = performance.now() - start;
  const closedByServer = closed;
  try {
    conn.close();
  } catch { /* closed */ }
  await reader;
  return closedByServer
    ? `closed after ${(took / 1000).toFixed(1)} s`
    : `still open after ${limitMs / 1000} s`;
}

async function idleConnections(port: number): Promise<string> {
  const conns: Deno.Conn[] = [];
  for (let i = 0; i < 200; i++) {
    try {
      conns.push(await Deno.connect({ hostname: "127.0.0.1", port }));
    } catch { /* refused */ }
  }
  await sleep(2000);
  let open = 0;
  await Promise.all(conns.map(async (c) => {
    const buf = new Uint8Array(16);
    const timer = setTimeout(() => c.close(), 300);
    try {
      const n = await c.read(buf);
      if (n !== null) open++; // an answer: not closed
    } catch {
      open++; // our own close: the server had not closed it
    }
    clearTimeout(timer);
  }));
  return `${open} of 200 open after 2 s`;
}

async function bigHeader(port: number): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const request = `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(100_000)}\r\n\r\n`;
  // Written in the background: a server that answers early stops reading.
  const writing = conn.write(new TextEncoder().encode(request)).catch(() => 0);
  const buf = new Uint8Array(4096);
  let status = "no answer";
  try {
    const n = await conn.read(buf);
    if (n) status = new TextDecoder().decode(buf.subarray(0, n)).split("\r\n")[0];
  } catch { /* reset */ }
  conn.close();
  await writing;
  return status;
}

async function measure(name: string, port: number, close: () => Promise<void>) {
  // The idle connections last: the ones refused at a cap must not be counted against the others.
  const header = await bigHeader(port);
  const slow = await slowHead(port, 30_000);
  const results = [slow, await idleConnections(port), header];
  console.log(
    `${name.padEnd(22)} slow head: ${results[0]}; idle: ${results[1]}; 100 kB header: ${
      results[2]
    }`,
  );
  await close();
}

const rtsp = await serve({ port: 0, hostname: "127.0.0.1" });
const ours = await startIngest({
  rtsp,
  port: 0,
  hostname: "127.0.0.1",
  policyFor: () => undefined,
  web: { handle: () => new Response("ok") },
});
await measure("rtsp-edge HTTP port", ours.port, async () => {
  await ours.close();
  await rtsp.close();
});

const deno = Deno.serve(
  { port: 0, hostname: "127.0.0.1", onListen() {} },
  () => new Response("ok"),
);
await measure("Deno.serve", deno.addr.port, () => deno.shutdown());

const node = createServer((_req, res) => res.end("ok"));
await new Promise<void>((r) => node.listen(0, "127.0.0.1", r));
const nodePort = (node.address() as { port: number }).port;
await measure("node:http (under Deno)", nodePort, () => {
  node.closeAllConnections();
  return new Promise((r) => node.close(() => r()));
});
