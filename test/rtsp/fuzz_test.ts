// Deterministic mutation fuzzing: whatever the bytes, the parsers terminate, never throw
// anything but their own error class, and never hit an internal failure.
import assert from "node:assert/strict";
import { HeaderError } from "../../src/rtsp/header_error.ts";
import { parseCSeq } from "../../src/rtsp/cseq.ts";
import { parseOptionTags } from "../../src/rtsp/option_tags.ts";
import { parseRange } from "../../src/rtsp/range.ts";
import { parseRtpInfo } from "../../src/rtsp/rtp_info.ts";
import { parseSessionHeader } from "../../src/rtsp/session_header.ts";
import { parseTransport } from "../../src/rtsp/transport.ts";
import { parseRtspUrl } from "../../src/rtsp/url.ts";
import { RtspParser } from "../../src/rtsp/parser.ts";
import { concat, drain, parseChunks, parseWhole, testdata, testdataMessages } from "./_helpers.ts";

// Small seeded PRNG (mulberry32) so failures reproduce.
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INTERESTING = [0x00, 0x09, 0x0a, 0x0d, 0x20, 0x24, 0x2f, 0x3a, 0x7f, 0x80, 0xc2, 0xff, 0x31];

function mutate(input: Uint8Array, rand: () => number): Uint8Array {
  const out = Array.from(input);
  const n = 1 + Math.floor(rand() * 4);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(rand() * (out.length + 1));
    const byte = rand() < 0.5
      ? INTERESTING[Math.floor(rand() * INTERESTING.length)]
      : Math.floor(rand() * 256);
    const op = rand();
    if (op < 0.4) out[at] = byte;
    else if (op < 0.7) out.splice(at, 0, byte);
    else if (op < 0.9) out.splice(at, 1);
    else out.length = at; // truncate
  }
  return Uint8Array.from(out);
}

Deno.test("RtspParser survives mutated captured traffic without internal failures", () => {
  const rand = prng(2326);
  const seeds = [
    ...testdataMessages().map(testdata),
    testdata("ffmpeg_publish_tcp_stream.bin").subarray(0, 1200),
  ];
  for (let round = 0; round < 3000; round++) {
    const seed = seeds[round % seeds.length];
    const input = mutate(seed, rand);
    const before = input.slice();
    const whole = parseWhole(input);
    assert.deepEqual(input, before);
    for (const e of whole) {
      assert.ok(["request", "response", "interleaved", "error"].includes(e.kind as string));
      if (e.kind === "error") assert.notEqual(e.context, "parser", JSON.stringify(e));
    }
    if (round % 10 === 0) {
      const at = Math.floor(rand() * (input.length + 1));
      assert.deepEqual(parseChunks([input.subarray(0, at), input.subarray(at)]), whole);
    }
  }
});

Deno.test("RtspParser survives random bytes fed in random chunk sizes", () => {
  const rand = prng(7);
  for (let round = 0; round < 300; round++) {
    const input = Uint8Array.from(
      { length: 1 + Math.floor(rand() * 2000) },
      () =>
        rand() < 0.3
          ? INTERESTING[Math.floor(rand() * INTERESTING.length)]
          : Math.floor(rand() * 256),
    );
    const parser = new RtspParser();
    for (let at = 0; at < input.length;) {
      const size = 1 + Math.floor(rand() * 64);
      parser.feed(input.subarray(at, at + size));
      at += size;
      for (const e of drain(parser)) {
        if (e.kind === "error") assert.notEqual(e.error.context, "parser");
      }
    }
  }
});

Deno.test("header parsers throw only HeaderError on random text", () => {
  const rand = prng(461);
  const alphabet = 'RTP/AVPTCUunicast;=-,"0123456789:.@[]%?#*\\ \t\r\n\u0000\u0085éxnpt=now';
  const parsers: ((v: string) => unknown)[] = [
    parseTransport,
    parseSessionHeader,
    parseRange,
    parseRtpInfo,
    parseOptionTags,
    parseRtspUrl,
    parseCSeq,
  ];
  const prefixes = ["", "RTP/AVP;", "npt=", "url=rtsp://h/", "rtsp://", "A;timeout="];
  for (let round = 0; round < 5000; round++) {
    const length = Math.floor(rand() * 40);
    let text = prefixes[Math.floor(rand() * prefixes.length)];
    for (let i = 0; i < length; i++) text += alphabet[Math.floor(rand() * alphabet.length)];
    for (const parse of parsers) {
      try {
        parse(text);
      } catch (e) {
        assert.ok(e instanceof HeaderError, `${parse.name}(${JSON.stringify(text)}): ${e}`);
      }
    }
  }
});

Deno.test("RtspParser handles a long pipelined stream of all captured messages", () => {
  const all = concat(...testdataMessages().map(testdata));
  const repeated = concat(...Array.from({ length: 200 }, () => all));
  const events = parseWhole(repeated);
  assert.equal(events.length, 200 * parseWhole(all).length);
});
