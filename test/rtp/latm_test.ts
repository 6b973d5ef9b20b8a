// MP4A-LATM input (RFC 6416): the StreamMuxConfig of ffmpeg and a hand-made one, everything that
// is refused, ffmpeg's packets, and elements that arrive fragmented, without their marker, or not
// at all.
import assert from "node:assert/strict";
import { parseAudioSpecificConfig } from "../../src/codec/aac_config.ts";
import { AudioPayloadError } from "../../src/rtp/audio_unit.ts";
import { AacDepacketizer } from "../../src/rtp/aac_depacketizer.ts";
import { formatAacFmtp, parseAacFmtp } from "../../src/rtp/aac_fmtp.ts";
import { AacPacketizer } from "../../src/rtp/aac_packetizer.ts";
import { parseRtpPacket } from "../../src/rtp/header.ts";
import { parseLatmFmtp, parseStreamMuxConfig } from "../../src/rtp/latm_config.ts";
import { LatmDepacketizer } from "../../src/rtp/latm_depacketizer.ts";
import {
  audioMuxElement,
  bytes,
  capture,
  FFMPEG_LATM,
  rtp,
  streamMuxConfig,
} from "./audio_cases.ts";

/** Bytes from a string of 0s and 1s (other characters ignored), zero-padded. */
function bits(text: string): Uint8Array {
  const b = text.replace(/[^01]/g, "");
  const out = new Uint8Array(Math.ceil(b.length / 8));
  for (let i = 0; i < b.length; i++) if (b[i] === "1") out[i >> 3] |= 0x80 >> (i & 7);
  return out;
}

// AAC-LC 48 kHz stereo: object type 2, index 3, channels 2, GASpecificConfig 000.
const ASC = "00010 0011 0010 000";
// audioMuxVersion 0, allStreamsSameTimeFraming 1, numSubFrames 0, numProgram 0, numLayer 0.
const HEAD = "0 1 000000 0000 000";
// frameLengthType 0, latmBufferFullness 0xff, otherDataPresent 0, crcCheckPresent 0.
const TAIL = "000 11111111 0 0";

function config(head = HEAD, asc = ASC, tail = TAIL) {
  return parseStreamMuxConfig(bits(`${head} ${asc} ${tail}`));
}

Deno.test("parseStreamMuxConfig(): known answers", () => {
  // Hand-computed for 48 kHz stereo: 40 00 23 20 3f c0, as the test table's writer makes it too.
  assert.deepEqual([...bits(`${HEAD} ${ASC} ${TAIL}`)], [0x40, 0x00, 0x23, 0x20, 0x3f, 0xc0]);
  assert.deepEqual([...streamMuxConfig(48000, 2)], [0x40, 0x00, 0x23, 0x20, 0x3f, 0xc0]);
  const c = config();
  if (c instanceof Error) throw c;
  assert.deepEqual([...c.config], [0x11, 0x90]);
  assert.equal(c.otherDataBits, 0);
  // Other data of 16 bits (escape 0, 16), and a CRC byte.
  const other = config(HEAD, ASC, "000 11111111 1 0 00010000 1 10101010");
  if (other instanceof Error) throw other;
  assert.equal(other.otherDataBits, 16);
  // Other data length with an escape: (1, 0x01) (0, 0x00) = 256 bits.
  const escaped = config(HEAD, ASC, "000 11111111 1 1 00000001 0 00000000 0");
  assert.ok(!(escaped instanceof Error) && escaped.otherDataBits === 256);
  // An ASC that is not byte-aligned inside the StreamMuxConfig is copied out aligned.
  const he = config(HEAD, "00101 0110 0010 0011 00010 000");
  if (he instanceof Error) throw he;
  assert.deepEqual([...he.config], [0x2b, 0x11, 0x88, 0x00]);
  assert.equal(parseAudioSpecificConfig(he.config).extensionSampleRate, 48000);
});

Deno.test("parseLatmFmtp() reads ffmpeg's and refuses what ingest cannot turn into AUs", () => {
  const ffmpeg = parseLatmFmtp(FFMPEG_LATM.fmtp);
  if (ffmpeg instanceof Error) throw ffmpeg;
  assert.deepEqual([...ffmpeg.config], [0x12, 0x08]);
  assert.equal(ffmpeg.audioSpecificConfig.channels, 1);
  const refused: [string, RegExp][] = [
    ["cpresent=1;config=400024103fc0", /cpresent=1/],
    ["config=400024103fc0", /cpresent=1/], // RFC 6416 §7.1: cpresent defaults to 1
    ["cpresent=0", /without config/],
    ["cpresent=0;config=", /without config/], // mediamtx#3590
    ["cpresent=0;config=40zz", /not hex/],
    ["cpresent=0;config=4000", /ended/],
  ];
  for (
    const [head, why] of [
      ["1 0 1 000000 0000 000", /audioMuxVersion 1/],
      ["0 1 000001 0000 000", /2 subframes/],
      ["0 1 000000 0001 000", /2 programs/],
      ["0 1 000000 0000 001", /2 layers/],
    ] as const
  ) {
    const got = config(head);
    assert.ok(got instanceof AudioPayloadError);
    assert.match(got.message, why);
  }
  for (
    const [tail, why] of [
      ["001 000000000", /frameLengthType 1/],
      ["000 11111111 1 0 00000011", /not bytes/],
      ["000 11111111 1 1 11111111 1 11111111 1 11111111 0 11111111", /2\^24/],
    ] as const
  ) {
    const got = config(HEAD, ASC, tail);
    assert.ok(got instanceof AudioPayloadError, tail);
    assert.match(got.message, why);
  }
  for (const [text, why] of refused) {
    const got = parseLatmFmtp(text);
    assert.ok(got instanceof AudioPayloadError, text);
    assert.match(got.message, why, text);
  }
});

function depacketizer(clockRate = 48000) {
  const c = config();
  if (c instanceof Error) throw c;
  return new LatmDepacketizer({ config: c, clockRate, maxElementSize: 4096 });
}

Deno.test("LatmDepacketizer reads ffmpeg's packets into plain AUs", () => {
  const c = parseLatmFmtp(FFMPEG_LATM.fmtp);
  if (c instanceof Error) throw c;
  const d = new LatmDepacketizer({ config: c, clockRate: FFMPEG_LATM.clockRate });
  const packets = capture(FFMPEG_LATM.packets).map((b) => parseRtpPacket(b)!);
  const units = packets.flatMap((p) => d.push(p));
  assert.equal(units.length, 4);
  assert.equal(d.dropped, 0);
  // The first element: PayloadLengthInfo 0xff 0x10 = 271 bytes, then ffmpeg's AU with its name.
  assert.equal(units[0].data.length, 271);
  assert.equal(new TextDecoder().decode(units[0].data.subarray(3, 16)), "Lavc59.37.100");
  units.forEach((u, i) => {
    assert.equal(u.rtpTimestamp, packets[i].timestamp);
    assert.equal(u.samples, 1024);
    assert.equal(u.data.length + Math.floor(u.data.length / 255) + 1, packets[i].payload.length);
  });
});

Deno.test("LatmDepacketizer: fragments, a missing marker, loss and garbage", () => {
  const unit = bytes(600, 3);
  const element = audioMuxElement(unit);
  const [a, b, c] = [element.slice(0, 200), element.slice(200, 400), element.slice(400)];
  let d = depacketizer();
  const parts = [rtp(1, 0, false, a), rtp(2, 0, false, b), rtp(3, 0, true, c)];
  assert.deepEqual(parts.flatMap((p) => d.push(parseRtpPacket(p)!)).map((u) => u.data), [unit]);

  // The middle fragment lost: nothing, and the next element is read.
  d = depacketizer();
  const next = rtp(4, 1024, true, audioMuxElement(Uint8Array.of(1, 2)));
  const out = [parts[0], parts[2], next].flatMap((p) => d.push(parseRtpPacket(p)!));
  assert.deepEqual(out.map((u) => [...u.data]), [[1, 2]]);
  assert.equal(d.dropped, 2);

  // No marker bit at all: a new timestamp ends the element, flush() the last one.
  d = depacketizer();
  const unmarked = [0, 1024, 2048].map((ts, i) =>
    rtp(10 + i, ts, false, audioMuxElement(bytes(50, i)))
  );
  const got = unmarked.flatMap((p) => d.push(parseRtpPacket(p)!));
  got.push(...d.flush());
  assert.deepEqual(got.map((u) => u.rtpTimestamp), [0, 1024, 2048]);

  // Lengths that run past the payload, and a run larger than maxElementSize.
  d = depacketizer();
  assert.deepEqual(d.push(parseRtpPacket(rtp(1, 0, true, Uint8Array.of(10, 1, 2)))!), []);
  assert.deepEqual(d.push(parseRtpPacket(rtp(2, 0, true, Uint8Array.of(255, 255)))!), []);
  for (let i = 0; i < 5; i++) d.push(parseRtpPacket(rtp(3 + i, 9, false, bytes(1000, i)))!);
  assert.equal(d.dropped, 2 + 5);
  assert.throws(
    () => new LatmDepacketizer({ config: config() as never, clockRate: 0 }),
    RangeError,
  );
});

Deno.test("LATM from ffmpeg re-served as mpeg4-generic: the same AUs come out the other side", () => {
  const latm = parseLatmFmtp(FFMPEG_LATM.fmtp);
  if (latm instanceof Error) throw latm;
  const input = new LatmDepacketizer({ config: latm, clockRate: FFMPEG_LATM.clockRate });
  const units = capture(FFMPEG_LATM.packets).flatMap((b) => input.push(parseRtpPacket(b)!));
  // What the server would announce: AAC-hbr with the ASC taken out of the StreamMuxConfig.
  const fmtp = parseAacFmtp(formatAacFmtp(latm.config));
  if (fmtp instanceof Error) throw fmtp;
  assert.equal(formatAacFmtp(latm.config).endsWith(";config=1208"), true);
  const packetizer = new AacPacketizer({ payloadType: 96, ssrc: 5, initialSequence: 0 });
  const output = new AacDepacketizer({ fmtp, clockRate: FFMPEG_LATM.clockRate });
  const again = units.flatMap((u) =>
    [...packetizer.packetize([u.data], u.rtpTimestamp).packets()].flatMap((b) =>
      output.push(parseRtpPacket(b)!)
    )
  );
  assert.deepEqual(again, units);
});
