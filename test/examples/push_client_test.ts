/**
 * The reference device client (examples/esp32/client) against a tiny HTTP server in the test that
 * records every byte: request line, headers, chunked framing, multipart parts, the last chunk,
 * and what the client does with an error answer. The end-to-end run against rtsp-edge's own
 * ingest server lives with that server.
 */

import assert from "node:assert/strict";
import { interopTest, run, type RunResult, withTempDir } from "../interop/support.ts";
import { splitAccessUnits } from "../../src/codec/access_unit.ts";
import { splitAnnexB } from "../../src/codec/annexb.ts";

const CLIENT_DIR = new URL("../../examples/esp32/client/", import.meta.url).pathname;
const TESTDATA = new URL("../testdata/", import.meta.url).pathname;
const latin1 = (b: Uint8Array) => Array.from(b, (c) => String.fromCharCode(c)).join("");

/** Builds push_file with the flags the Makefile uses, into `dir`. */
async function buildPushFile(dir: string): Promise<string> {
  const out = `${dir}/push_file`;
  const r = await run("gcc", [
    ...["-std=c99", "-O2", "-Wall", "-Wextra", "-Werror", "-pedantic", "-o", out],
    `${CLIENT_DIR}push_file.c`,
    `${CLIENT_DIR}rtse_push.c`,
  ]);
  assert.equal(r.code, 0, `gcc failed:\n${r.stderr}`);
  return out;
}

/** A request as the client sent it, its chunked body cut at the chunk boundaries. */
interface Captured {
  head: string;
  chunks: Uint8Array[];
  /** Each chunk's `ts=` extension (audio), if it had one. */
  stamps: (number | undefined)[];
  complete: boolean;
}

/**
 * Reads a request head and a strict chunked body (RFC 9112 §7.1: hex size, CRLF, data, CRLF; no
 * extension but an audio chunk's `;ts=<µs>`, no trailers); `complete` once the last chunk is in.
 * Throws on any other framing.
 */
function decodeRequest(bytes: Uint8Array): Captured {
  const s = latin1(bytes);
  const headEnd = s.indexOf("\r\n\r\n");
  if (headEnd < 0) return { head: s, chunks: [], stamps: [], complete: false };
  const chunks: Uint8Array[] = [];
  const stamps: (number | undefined)[] = [];
  let at = headEnd + 4;
  for (;;) {
    const line = s.indexOf("\r\n", at);
    if (line < 0) return { head: s.slice(0, headEnd + 4), chunks, stamps, complete: false };
    const size = /^([0-9A-F]+)(?:;ts=(\d+))?$/.exec(s.slice(at, line));
    assert.ok(size, `chunk size line ${JSON.stringify(s.slice(at, line))}`);
    const n = parseInt(size[1], 16);
    if (line + 2 + n + 2 > s.length) {
      return { head: s.slice(0, headEnd + 4), chunks, stamps, complete: false };
    }
    assert.equal(s.slice(line + 2 + n, line + 4 + n), "\r\n", "CRLF after chunk data");
    if (n === 0) {
      assert.equal(line + 4, s.length, "nothing after the last chunk");
      return { head: s.slice(0, headEnd + 4), chunks, stamps, complete: true };
    }
    chunks.push(bytes.subarray(line + 2, line + 2 + n));
    stamps.push(size[2] === undefined ? undefined : Number(size[2]));
    at = line + 4 + n;
  }
}

type Answer = { when: "after-body" | "after-head"; response: string };

/**
 * Accepts one connection on 127.0.0.1, records what arrives, and answers `response` once the
 * whole chunked body is in ("after-body") or right after the request head ("after-head"; it then
 * drains the connection until the client closes, so its answer is not lost to a reset).
 */
function oneRequestServer(answer: Answer): { port: number; received: Promise<Uint8Array> } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const received = (async () => {
    const conn = await listener.accept();
    listener.close();
    let bytes = new Uint8Array(0);
    const buf = new Uint8Array(64 * 1024);
    let answered = false;
    for (;;) {
      const n = await conn.read(buf).catch(() => null);
      if (n === null) break;
      const more = new Uint8Array(bytes.length + n);
      more.set(bytes);
      more.set(buf.subarray(0, n), bytes.length);
      bytes = more;
      const req = decodeRequest(bytes);
      const ready = answer.when === "after-head" ? req.head.endsWith("\r\n\r\n") : req.complete;
      if (ready && !answered) {
        answered = true;
        await conn.write(new TextEncoder().encode(answer.response));
        if (answer.when === "after-body") break;
      }
    }
    conn.close();
    return bytes;
  })();
  return { port, received };
}

/** Runs push_file against a one-request server; returns its result and the request's bytes. */
async function push(
  binary: string,
  args: (port: number) => string[],
  answer: Answer,
): Promise<{ result: RunResult; request: Uint8Array }> {
  const server = oneRequestServer(answer);
  const [result, request] = await Promise.all([
    run(binary, args(server.port), 20_000),
    server.received,
  ]);
  assert.ok(!result.timedOut, "push_file did not finish");
  return { result, request };
}

const NO_CONTENT: Answer = { when: "after-body", response: "HTTP/1.1 204 No Content\r\n\r\n" };

/** A JPEG segment: marker, big-endian length (counting itself), payload (T.81 §B.1.1.4). */
function segment(marker: number, payload: number[]): number[] {
  const n = payload.length + 2;
  return [0xff, marker, n >> 8, n & 0xff, ...payload];
}

/**
 * A JPEG-shaped picture whose EXIF thumbnail holds its own SOI and EOI and whose entropy-coded
 * data holds a stuffed 0xFF and a restart marker: the splitter must walk segments to find the end.
 */
function jpegWithThumbnail(): Uint8Array {
  const exif = [..."Exif\0\0"].map((c) => c.charCodeAt(0));
  const soi = [0xff, 0xd8];
  const eoi = [0xff, 0xd9];
  const entropy = [0x12, 0xff, 0x00, 0x34, 0xff, 0xd0, 0x56, 0xff, 0x00, 0x78];
  return new Uint8Array([
    ...soi,
    ...segment(0xe1, [...exif, ...soi, 0x01, 0x02, ...eoi]),
    ...segment(0xdb, [0x00, ...new Array(64).fill(1)]),
    ...segment(0xda, [0x01, 0x01, 0x00, 0x00, 0x3f, 0x00]),
    ...entropy,
    ...eoi,
  ]);
}

async function mjpegClip(dir: string): Promise<{ file: string; frames: Uint8Array[] }> {
  const frames = [
    await Deno.readFile(`${TESTDATA}mjpeg/rgb_160x120.jpg`),
    jpegWithThumbnail(),
    await Deno.readFile(`${TESTDATA}mjpeg/progressive_422_160x120.jpg`),
    await Deno.readFile(`${TESTDATA}mjpeg/gray_160x120.jpg`),
  ];
  // Junk between pictures, as a capture may hold, is skipped up to the next SOI.
  const junk = new TextEncoder().encode("junk\r\n");
  const parts = [frames[0], frames[1], junk, frames[2], frames[3]];
  const file = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (file.set(p, at), at + p.length), 0);
  await Deno.writeFile(`${dir}/clip.mjpeg`, file);
  return { file: `${dir}/clip.mjpeg`, frames };
}

interopTest(
  "push_file sends JPEG frames as multipart parts, one per chunk, then the close delimiter",
  ["gcc"],
  () =>
    withTempDir(async (dir) => {
      const binary = await buildPushFile(dir);
      const { file, frames } = await mjpegClip(dir);
      const fps = 50;
      const { result, request } = await push(
        binary,
        (port) => [
          ...["--mjpeg", file, "--url", `http://127.0.0.1:${port}/ingest/cam1`],
          ...["--token", "secret", "--fps", String(fps)],
        ],
        NO_CONTENT,
      );
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /sent 4 frames/);
      assert.match(result.stdout, /server answered 204 No Content/);

      const req = decodeRequest(request);
      const port = /Host: 127\.0\.0\.1:(\d+)/.exec(req.head)?.[1];
      assert.equal(
        req.head,
        "POST /ingest/cam1 HTTP/1.1\r\n" +
          `Host: 127.0.0.1:${port}\r\n` +
          "User-Agent: rtse-push/1\r\n" +
          "Authorization: Bearer secret\r\n" +
          "Content-Type: multipart/x-mixed-replace; boundary=rtse-frame\r\n" +
          "Transfer-Encoding: chunked\r\n\r\n",
      );
      assert.ok(req.complete, "the body ends with the 0-length chunk");
      assert.equal(req.chunks.length, frames.length + 1);

      const stamps: number[] = [];
      frames.forEach((jpeg, k) => {
        const chunk = req.chunks[k];
        const head = latin1(chunk.subarray(0, chunk.length - jpeg.length));
        const m = new RegExp(
          `^${k === 0 ? "" : "\\r\\n"}--rtse-frame\\r\\n` +
            "Content-Type: image/jpeg\\r\\n" +
            `Content-Length: ${jpeg.length}\\r\\n` +
            "X-Timestamp-Us: (\\d+)\\r\\n\\r\\n$",
        ).exec(head);
        assert.ok(m, `part ${k} head: ${JSON.stringify(head)}`);
        stamps.push(Number(m[1]));
        assert.deepEqual(chunk.subarray(head.length), jpeg, `part ${k} body`);
      });
      assert.equal(latin1(req.chunks[frames.length]), "\r\n--rtse-frame--\r\n");
      // Paced at 50 fps on the monotonic clock: stamps rise, about 20 ms apart.
      for (let k = 1; k < stamps.length; k++) assert.ok(stamps[k] > stamps[k - 1]);
      const period = 1e6 / fps;
      assert.ok(stamps[3] - stamps[0] >= 2 * period, `stamps ${stamps}`);
    }),
);

for (
  const clip of ["x264_high_176x100_25fps_aud_slices3_bframes", "x264_baseline_160x90_29.97fps"]
) {
  interopTest(
    `push_file sends ${clip}.h264 as video/h264, one access unit per chunk`,
    ["gcc"],
    () =>
      withTempDir(async (dir) => {
        const binary = await buildPushFile(dir);
        const file = `${TESTDATA}codec/${clip}.h264`;
        const bytes = await Deno.readFile(file);
        const { result, request } = await push(
          binary,
          (
            port,
          ) => ["--h264", file, "--url", `http://localhost:${port}/ingest/site/p4`, "--fps", "200"],
          NO_CONTENT,
        );
        assert.equal(result.code, 0, result.stderr);
        const req = decodeRequest(request);
        const port = /Host: localhost:(\d+)/.exec(req.head)?.[1];
        assert.equal(
          req.head,
          "POST /ingest/site/p4 HTTP/1.1\r\n" +
            `Host: localhost:${port}\r\n` +
            "User-Agent: rtse-push/1\r\n" +
            "Content-Type: video/h264; framing=chunk\r\n" +
            "Transfer-Encoding: chunked\r\n\r\n",
        );
        assert.ok(req.complete);
        // The chunks put together are the file, cut exactly where rtsp-edge's own splitter cuts.
        assert.deepEqual(
          new Uint8Array(req.chunks.flatMap((c) => [...c])),
          bytes,
        );
        const units = splitAccessUnits(bytes);
        assert.equal(req.chunks.length, units.length);
        req.chunks.forEach((chunk, k) => {
          assert.deepEqual(splitAnnexB(chunk), units[k].nalUnits, `access unit ${k}`);
        });
        assert.match(result.stdout, new RegExp(`sent ${units.length} frames`));
      }),
  );
}

interopTest(
  "push_file stops at an early 401 answer and exits with status 4, printing the reason",
  ["gcc"],
  () =>
    withTempDir(async (dir) => {
      const binary = await buildPushFile(dir);
      const { file } = await mjpegClip(dir);
      const body = "wrong token for /cam1\n";
      const { result, request } = await push(
        binary,
        (port) => [
          ...["--mjpeg", file, "--url", `http://127.0.0.1:${port}/ingest/cam1`],
          ...["--token", "nope", "--fps", "20", "--loop"],
        ],
        {
          when: "after-head",
          response: "HTTP/1.1 401 Unauthorized\r\n" +
            'WWW-Authenticate: Bearer realm="rtsp-edge"\r\n' +
            "Content-Type: text/plain\r\n" +
            `Content-Length: ${body.length}\r\n` +
            "Connection: close\r\n\r\n" + body,
        },
      );
      assert.equal(result.code, 4, `${result.stdout}${result.stderr}`);
      assert.match(result.stdout, /server answered 401 Unauthorized: wrong token for \/cam1$/m);
      // With --loop it would send for ever: it stopped because of the answer.
      assert.ok(decodeRequest(request).chunks.length <= 2, "stopped sending");
    }),
);

interopTest(
  "push_file reports an error answer at the end of the body and exits with status 4",
  ["gcc"],
  () =>
    withTempDir(async (dir) => {
      const binary = await buildPushFile(dir);
      const file = `${TESTDATA}codec/x264_baseline_160x90_29.97fps.h264`;
      const body = "an access unit is larger than 1000 bytes\n";
      const { result } = await push(
        binary,
        (port) => ["--h264", file, "--url", `http://127.0.0.1:${port}/ingest/cam1`, "--fps", "200"],
        {
          when: "after-body",
          response: "HTTP/1.1 413 Content Too Large\r\nContent-Type: text/plain\r\n" +
            `Content-Length: ${body.length}\r\n\r\n${body}`,
        },
      );
      assert.equal(result.code, 4);
      assert.match(
        result.stdout,
        /server answered 413 Content Too Large: an access unit is larger than 1000 bytes$/m,
      );
    }),
);

interopTest(
  "push_file sends PCM to /ingest/<path>/audio, one chunk per --chunk-ms, each with ts= of its " +
    "first sample",
  ["gcc"],
  () =>
    withTempDir(async (dir) => {
      const binary = await buildPushFile(dir);
      // 100 ms of 16 kHz mono s32le and a stray byte: 5 chunks of 20 ms, the stray byte dropped.
      const pcm = new Uint8Array(6401).map((_, i) => i & 0xff);
      await Deno.writeFile(`${dir}/mic.raw`, pcm);
      const { result, request } = await push(
        binary,
        (port) => [
          ...["--pcm-s32le", `${dir}/mic.raw`, "--rate", "16000", "--chunk-ms", "20"],
          ...["--url", `http://127.0.0.1:${port}/ingest/cam1`, "--token", "secret"],
        ],
        NO_CONTENT,
      );
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /sent 5 chunks, 6400 bytes/);
      const req = decodeRequest(request);
      const port = /Host: 127\.0\.0\.1:(\d+)/.exec(req.head)?.[1];
      assert.equal(
        req.head,
        "POST /ingest/cam1/audio HTTP/1.1\r\n" +
          `Host: 127.0.0.1:${port}\r\n` +
          "User-Agent: rtse-push/1\r\n" +
          "Authorization: Bearer secret\r\n" +
          "Content-Type: audio/x-raw;format=s32le;rate=16000;channels=1\r\n" +
          "Transfer-Encoding: chunked\r\n\r\n",
      );
      assert.ok(req.complete);
      assert.deepEqual(req.chunks.map((c) => c.length), [1280, 1280, 1280, 1280, 1280]);
      assert.deepEqual(req.chunks[1], pcm.subarray(1280, 2560));
      const stamps = req.stamps as number[];
      assert.deepEqual(stamps.slice(1).map((t, i) => t - stamps[i]), [
        20_000,
        20_000,
        20_000,
        20_000,
      ]);
      // A rate the server would refuse is a usage error here.
      const bad = await run(binary, [
        ...["--pcm-s16le", `${dir}/mic.raw`, "--rate", "4000"],
        ...["--url", "http://127.0.0.1:9/ingest/cam1"],
      ]);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--rate must be from 8000 to 96000/);
    }),
);

interopTest(
  "push_file refuses a URL that is not an ingest URL",
  ["gcc"],
  () =>
    withTempDir(async (dir) => {
      const binary = await buildPushFile(dir);
      const r = await run(binary, ["--h264", "x.h264", "--url", "http://host:8080/cam1"]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /--url must look like http:\/\/HOST:PORT\/ingest\/PATH/);
    }),
);

interopTest(
  "push_file --help and -h print the usage and every option on standard output and exit 0",
  ["gcc"],
  () =>
    withTempDir(async (dir) => {
      const binary = await buildPushFile(dir);
      for (const flag of ["--help", "-h"]) {
        const r = await run(binary, [flag]);
        assert.equal(r.code, 0, `${flag}: ${r.stderr}`);
        assert.equal(r.stderr, "", flag);
        assert.match(r.stdout, /^usage: push_file \(--h264 FILE\.h264 \| --mjpeg FILE\.mjpeg\)/);
        for (
          const option of [
            ...["--h264", "--mjpeg", "--pcm-s16le", "--rate", "--channels", "--chunk-ms"],
            ...["--url", "--token", "--fps", "--loop"],
          ]
        ) {
          assert.match(r.stdout, new RegExp(`^  ${option} `, "m"), `${flag}: ${option}`);
        }
      }
      // Anything else it does not know is still a usage error.
      const unknown = await run(binary, ["--halp"]);
      assert.equal(unknown.code, 2);
      assert.match(unknown.stderr, /^push_file: unknown option\nusage: push_file /);
    }),
);
