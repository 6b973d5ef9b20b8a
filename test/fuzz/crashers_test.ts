// Replays every saved crasher in test/testdata/fuzz/<parser>/ through the same checks as the
// property suites: only the parser's own error class, input unchanged, same outcome around
// sentinels, and no control bytes reflected in an error message.
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
import { parseSdp, SdpError } from "../../src/sdp/parse.ts";
import { parseRtpPacket } from "../../src/rtp/header.ts";
import { parseRtcpCompound } from "../../src/rtcp/parse.ts";
import { JpegError, probeJpeg } from "../../src/codec/jpeg.ts";
import { parseSps } from "../../src/codec/sps.ts";
import { CodecError } from "../../src/codec/h264.ts";
import { splitAccessUnits } from "../../src/codec/access_unit.ts";
import { ConfigError, parseJsonWithPositions } from "../../src/config/json_with_positions.ts";
import { fromLatin1, type Outcome, outcome, sameEverywhere } from "./_support.ts";
import { drain, summarize } from "../rtsp/_helpers.ts";

class NeverThrown extends Error {}

// deno-lint-ignore no-explicit-any
type ErrorClass = new (...args: any[]) => Error;

const text = (parse: (t: string) => unknown, cls: ErrorClass) => (b: Uint8Array): Outcome =>
  outcome(cls, () => parse(fromLatin1(b)));

/** Folder name → how to replay one file. */
const REPLAY: Record<string, (b: Uint8Array) => Outcome> = {
  range: text(parseRange, HeaderError),
  transport: text(parseTransport, HeaderError),
  session: text(parseSessionHeader, HeaderError),
  rtp_info: text(parseRtpInfo, HeaderError),
  option_tags: text(parseOptionTags, HeaderError),
  url: text(parseRtspUrl, HeaderError),
  cseq: text(parseCSeq, HeaderError),
  sdp: text(parseSdp, SdpError),
  json: text((t) => parseJsonWithPositions(t).value, ConfigError),
  rtsp_parser: (b) =>
    outcome(NeverThrown, () => {
      const p = new RtspParser();
      p.feed(b);
      const events = drain(p);
      for (const e of events) if (e.kind === "error") assert.notEqual(e.error.context, "parser");
      return events.map(summarize);
    }),
  rtp: (b) => outcome(NeverThrown, () => parseRtpPacket(b)),
  rtcp: (b) => outcome(NeverThrown, () => parseRtcpCompound(b)),
  jpeg: (b) => outcome(JpegError, () => probeJpeg(b)),
  sps: (b) => outcome(CodecError, () => parseSps(b)),
  access_unit: (b) => outcome(CodecError, () => splitAccessUnits(b)),
};

Deno.test("every saved fuzz crasher replays cleanly through its parser", () => {
  const root = new URL("../testdata/fuzz/", import.meta.url);
  let files = 0;
  for (const dir of Deno.readDirSync(root)) {
    if (!dir.isDirectory) continue;
    const replay = REPLAY[dir.name];
    assert.ok(replay, `no replay for test/testdata/fuzz/${dir.name}/: add it to REPLAY`);
    for (const file of Deno.readDirSync(new URL(`${dir.name}/`, root))) {
      const bytes = Deno.readFileSync(new URL(`${dir.name}/${file.name}`, root));
      const got = sameEverywhere(bytes, replay);
      if ("error" in got) {
        assert.ok(!/[\0\r\n]/.test(got.error), `${dir.name}/${file.name} reflects control bytes`);
      }
      files++;
    }
  }
  assert.ok(files > 0, "the crasher folders hold files");
});
