/**
 * Connection flood: 2,000 idle TCP connections plus 200 half-sent requests against the CLI (its
 * own process, test pattern 640x360) while 10 readers stream over interleaved TCP. Reports, per
 * run, the readers' dropped frames (target 0), the server's peak VmRSS (target under 200 MB), how
 * many abusive connections the caps refused, and how long until every abusive connection is gone.
 *
 * Two runs: the default caps (most of 2,000 connections from one IP are refused: the per-IP cap
 * working), then caps raised with `--max-connections`/`--max-connections-per-ip`.
 *
 * ```sh
 * deno run --allow-all bench/flood.ts [--idle 2000] [--half 200] [--readers 10] [--hold 20]
 * ```
 *
 * @module
 */

import { RtspTestClient } from "../test/support/rtsp_client.ts";
import { flags } from "./lines.ts";
import { freePort } from "../test/interop/support.ts";

const args = flags(Deno.args);
const IDLE = Number(args.idle ?? 2000);
const HALF = Number(args.half ?? 200);
const READERS = Number(args.readers ?? 10);
const HOLD_S = Number(args.hold ?? 20); // how long the flood is kept up
const HEADER_TIMEOUT_S = 5;
const GONE_LIMIT_S = 90; // give up waiting for the server to close abusive connections
const FRAME_TICKS = 3000; // 90 kHz at 30 fps

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function vmRssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(Deno.readTextFileSync(`/proc/${pid}/status`));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** An abusive connection: open, and watched for the server's close. */
interface Abuser {
  conn: Deno.TcpConn;
  closedAt: number | undefined; // ms since the flood began
}

async function abuse(port: number, t0: number, send?: Uint8Array): Promise<Abuser | undefined> {
  let conn: Deno.TcpConn;
  try {
    conn = await Deno.connect({ hostname: "127.0.0.1", port });
  } catch {
    return undefined; // the kernel's backlog was full: counts as refused
  }
  const a: Abuser = { conn, closedAt: undefined };
  if (send) await conn.write(send).catch(() => {});
  (async () => {
    const buf = new Uint8Array(4096);
    try {
      while ((await conn.read(buf)) !== null) { /* a 503 or a 400 before the close */ }
    } catch { /* reset */ }
    a.closedAt = performance.now() - t0;
  })();
  return a;
}

interface Row {
  run: string;
  readersOk: number;
  framesPerReader: number;
  droppedFrames: number;
  peakRssMb: number;
  refused: number;
  allGoneS: string;
}

async function floodRun(name: string, extraFlags: string[]): Promise<Row> {
  const port = freePort();
  const server = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      new URL("../cli.ts", import.meta.url).pathname,
      "--test-pattern",
      "--size",
      "640x360",
      "--bind",
      "127.0.0.1",
      "--port",
      String(port),
      "--header-timeout",
      String(HEADER_TIMEOUT_S),
      "--log-level",
      "error",
      ...extraFlags,
    ],
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  try {
    const url = `rtsp://127.0.0.1:${port}/stream`;
    for (let i = 0;; i++) {
      try {
        (await Deno.connect({ hostname: "127.0.0.1", port })).close();
        break;
      } catch {
        if (i > 300) throw new Error("the server did not start");
        await sleep(100);
      }
    }
    // The stream exists once the encoder has started, a little after the port opens.
    for (let i = 0;; i++) {
      const probe = await RtspTestClient.connect(url);
      const ok =
        (await probe.request("DESCRIBE", url, { Accept: "application/sdp" })).status === 200;
      await probe.close();
      if (ok) break;
      if (i > 100) throw new Error("the stream did not appear");
      await sleep(200);
    }
    // Readers first: they must keep every frame through the flood.
    const stamps: number[][] = Array.from({ length: READERS }, () => []);
    const readers = await Promise.all(stamps.map(async (s) => {
      const c = await RtspTestClient.connect(url, {
        depacketize: false,
        onFrame: (au) => s.push(au.timestamp),
      });
      await c.describe();
      await c.setup();
      await c.play();
      return c;
    }));
    await sleep(1000);
    const t0 = performance.now();
    let peak = vmRssMb(server.pid);
    const sampler = setInterval(() => peak = Math.max(peak, vmRssMb(server.pid)), 200);
    const half = new TextEncoder().encode("OPTIONS * RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: slo");
    const abusers: (Abuser | undefined)[] = [];
    for (let i = 0; i < IDLE; i += 50) {
      abusers.push(
        ...await Promise.all(
          Array.from({ length: Math.min(50, IDLE - i) }, () => abuse(port, t0)),
        ),
      );
    }
    for (let i = 0; i < HALF; i += 50) {
      abusers.push(
        ...await Promise.all(
          Array.from({ length: Math.min(50, HALF - i) }, () => abuse(port, t0, half)),
        ),
      );
    }
    await sleep(2000);
    const refused = abusers.filter((a) => !a || (a.closedAt !== undefined && a.closedAt < 2000))
      .length;
    // Keep the flood up, then wait for the server to drop what is left (deadline or idle close).
    await sleep(HOLD_S * 1000);
    const frameCounts = stamps.map((s) => s.length);
    let dropped = 0;
    for (const s of stamps) {
      for (let i = 1; i < s.length; i++) {
        const step = ((s[i] - s[i - 1]) >>> 0) / FRAME_TICKS;
        if (step > 1.5) dropped += Math.round(step) - 1;
      }
    }
    for (const r of readers) await r.close();
    const deadline = performance.now() + GONE_LIMIT_S * 1000;
    while (abusers.some((a) => a && a.closedAt === undefined) && performance.now() < deadline) {
      await sleep(250);
    }
    clearInterval(sampler);
    const open = abusers.filter((a) => a && a.closedAt === undefined).length;
    const last = Math.max(0, ...abusers.map((a) => a?.closedAt ?? 0));
    for (const a of abusers) {
      try {
        a?.conn.close();
      } catch { /* closed */ }
    }
    return {
      run: name,
      readersOk: frameCounts.filter((n) => n > 0).length,
      framesPerReader: Math.min(...frameCounts),
      droppedFrames: dropped,
      peakRssMb: Math.round(peak),
      refused,
      allGoneS: open === 0
        ? (last / 1000).toFixed(1)
        : `${open} still open after ${GONE_LIMIT_S + HOLD_S + 2} s`,
    };
  } finally {
    server.kill("SIGTERM");
    await server.status;
  }
}

const rows = [
  await floodRun("default caps", []),
  await floodRun("caps raised", [
    "--max-connections",
    String(IDLE + HALF + READERS + 100),
    "--max-connections-per-ip",
    String(IDLE + HALF + READERS + 100),
  ]),
];
console.log(
  `\n${IDLE} idle + ${HALF} half-sent connections, ${READERS} readers, flood held ${HOLD_S} s, ` +
    `--header-timeout ${HEADER_TIMEOUT_S}\n`,
);
console.log(
  "| run | readers streaming | frames/reader (min) | dropped frames (target 0) | " +
    "peak VmRSS MB (target < 200) | abusive connections refused | all abusive gone after (s) |",
);
console.log("|---|---|---|---|---|---|---|");
for (const r of rows) {
  console.log(
    `| ${r.run} | ${r.readersOk}/${READERS} | ${r.framesPerReader} | ${r.droppedFrames} | ` +
      `${r.peakRssMb} | ${r.refused} of ${IDLE + HALF} | ${r.allGoneS} |`,
  );
}
