/**
 * Shared pieces of the hostile-client suite: a raw TCP peer that sends exactly the bytes it is
 * given, a well-behaved ffmpeg reader whose frames are checked for gaps, and a memory bound.
 */

import assert from "node:assert/strict";
import { argv, run, type RunResult } from "../interop/support.ts";

const dec = new TextDecoder();
const enc = new TextEncoder();

/** What a raw peer got back. */
export interface Reply {
  /** Everything the server sent, as Latin-1-ish text. */
  text: string;
  /** Status codes of the responses in `text`, in order. */
  statuses: number[];
  /** Whether the server closed the connection (EOF) before the wait ended. */
  closed: boolean;
}

/**
 * Connects to `port`, writes each of `chunks` (pausing `gapMs` between them), then reads until the
 * server closes or `waitMs` passes without it.
 */
export async function exchange(
  port: number,
  chunks: (string | Uint8Array)[],
  { waitMs = 1500, gapMs = 0, untilReply = false }: {
    waitMs?: number;
    gapMs?: number;
    /** Stop as soon as one whole response head has arrived, rather than waiting for a close. */
    untilReply?: boolean;
  } = {},
): Promise<Reply> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  let text = "";
  let closed = false;
  let replied = () => {};
  const reply = new Promise<void>((r) => replied = r);
  const reading = (async () => {
    const buf = new Uint8Array(65536);
    try {
      for (;;) {
        const n = await conn.read(buf);
        if (n === null) {
          closed = true;
          return;
        }
        text += dec.decode(buf.subarray(0, n), { stream: true });
        if (untilReply && /^RTSP\/1\.0 \d{3}[^]*?\r\n\r\n/m.test(text)) replied();
      }
    } catch {
      closed = true; // reset by the server
    }
  })();
  try {
    for (const c of chunks) {
      // Deno's write may take only part of the bytes: loop until all are sent.
      const bytes = typeof c === "string" ? enc.encode(c) : c;
      for (let at = 0; at < bytes.length;) at += await conn.write(bytes.subarray(at));
      if (gapMs) await sleep(gapMs);
    }
  } catch {
    closed = true; // the server closed while we were still writing
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([reading, reply, new Promise((r) => timer = setTimeout(r, waitMs))]);
  clearTimeout(timer);
  try {
    conn.close();
  } catch { /* already closed */ }
  await reading;
  const statuses = [...text.matchAll(/^RTSP\/1\.0 (\d{3})/gm)].map((m) => Number(m[1]));
  return { text, statuses, closed };
}

/** Resolves after `ms`, without keeping a timer alive afterwards. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Runs `attack` `times` times and asserts the heap grew by at most `boundMb` (generous: this is to
 * catch a leak per connection, not to measure).
 */
export async function assertBounded(
  what: string,
  times: number,
  attack: () => Promise<void>,
  boundMb = 48,
): Promise<void> {
  await attack(); // warm up: first-use allocations are not a leak
  const before = Deno.memoryUsage();
  for (let i = 0; i < times; i++) await attack();
  const after = Deno.memoryUsage();
  const heapMb = (after.heapUsed - before.heapUsed) / 2 ** 20;
  const rssMb = (after.rss - before.rss) / 2 ** 20;
  assert.ok(heapMb < boundMb, `${what}: heap grew ${heapMb.toFixed(1)} MB over ${times} runs`);
  assert.ok(rssMb < 4 * boundMb, `${what}: RSS grew ${rssMb.toFixed(1)} MB over ${times} runs`);
}

/** A well-behaved ffmpeg reader started before the attacks; `check()` awaits and verifies it. */
export interface Reader {
  check(): Promise<void>;
}

/**
 * Starts `ffmpeg -rtsp_transport tcp -t seconds -f framecrc` on `url`. `check()` asserts a clean
 * exit and consecutive video DTS exactly one frame (3000 ticks at 30 fps) apart: no gap.
 */
export function startReader(url: string, seconds: number): Reader {
  const result: Promise<RunResult> = run(
    "ffmpeg",
    argv`-v warning -rtsp_transport tcp -i ${url} -t ${seconds} -c copy -f framecrc -`,
    (seconds + 30) * 1000,
  );
  return {
    async check() {
      const r = await result;
      assert.equal(r.code, 0, `the ffmpeg reader failed: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /missed|corrupt|error/i, "the ffmpeg reader saw errors");
      // The first packet is stamped 0 by ffmpeg itself with -c copy (see interop/fanout_test.ts).
      const ts = r.stdout.split("\n").filter((l) => /^0,/.test(l)).slice(1).map((l) =>
        Number(l.split(",")[1])
      );
      assert.ok(ts.length >= seconds * 30 - 3, `the reader got ${ts.length} frames`);
      const gaps = ts.slice(1).map((t, k) => t - ts[k]).filter((d) => d !== 3000);
      assert.deepEqual(gaps, [], "the reader's frames have gaps");
    },
  };
}

/** Polls `ready` every 20 ms until it holds; throws naming `what` after `timeoutMs`. */
export async function until(what: string, ready: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}
