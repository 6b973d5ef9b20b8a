// Property-based fuzzing of the pull client (src/client) with fast-check (fixed seed): what a server
// sends on the RTSP connection (responses, interleaved frames, garbage), split anywhere, never
// throws out of the channel, gives the same events however it is split, and fails a pending
// request only with a ChannelError; RTP of any shape never throws out of the video receiver, whose
// output stays well-formed; challenges of any shape never throw.
import assert from "node:assert/strict";
import fc from "fast-check";
import { silentLogger } from "../../src/base/log.ts";
import { parseChallenges } from "../../src/client/auth.ts";
import { ChannelError, RtspChannel } from "../../src/client/channel.ts";
import { VideoReceiver } from "../../src/client/media.ts";
import { findStartCode } from "../../src/codec/annexb.ts";
import { H264Packetizer } from "../../src/rtp/h264_packetizer.ts";
import { clip } from "../support/fake_rtsp_device.ts";
import { check, concat, fromLatin1, fuzzInput, latin1, randomBytes, testdata } from "./_support.ts";

function frame(channel: number, payload: Uint8Array): Uint8Array {
  return concat(
    new Uint8Array([0x24, channel, payload.length >> 8, payload.length & 0xff]),
    payload,
  );
}

const RTP = (() => {
  const p = new H264Packetizer({
    payloadType: 96,
    ssrc: 7,
    initialSequence: 65534,
    maxPayloadSize: 200,
  });
  const out: Uint8Array[] = [];
  for (const [i, au] of clip().accessUnits.slice(0, 3).entries()) {
    for (const packet of p.packetize(au, (0xfffff000 + i * 3000) >>> 0).packets()) {
      out.push(packet.slice());
    }
  }
  return out;
})();

const SEEDS = [
  testdata("rtsp/live555_describe_response.txt"),
  testdata("rtsp/live555_setup_response.txt"),
  latin1(
    'RTSP/1.0 401 Unauthorized\r\nCSeq: 1\r\nWWW-Authenticate: Digest realm="c", nonce="n"\r\n\r\n',
  ),
  latin1("RTSP/1.0 400 Bad Request\r\nCSeq: 0\r\n\r\n"),
  concat(latin1("RTSP/1.0 200 OK\r\nCSeq: 1\r\nSession: -42;timeout=2\r\n\r\n"), frame(0, RTP[0])),
  concat(frame(0, RTP[1]), frame(1, new Uint8Array([0x80, 200, 0, 6])), frame(0, RTP[2])),
  latin1("RTSP/1.0 404 Not Found\r\nCSeq: 1\r\n"),
  latin1("OPTIONS * RTSP/1.0\r\nCSeq: 9\r\n\r\n"),
];

interface Run {
  events: string[];
  errors: unknown[];
  closed: string[];
}

function runChannel(chunks: Uint8Array[]): Run {
  const run: Run = { events: [], errors: [], closed: [] };
  const channel = new RtspChannel({ timeoutMs: 60_000, logger: silentLogger }, {
    interleaved(ch, payload) {
      assert.ok(payload.length <= 0xffff);
      run.events.push(`$${ch}:${payload.length}`);
    },
    closed(error) {
      run.closed.push(error?.message ?? "");
    },
  });
  channel.attach({ write() {}, destroy() {} });
  for (let i = 0; i < 2; i++) {
    channel.request("DESCRIBE", "rtsp://cam/live").then(
      (r) => run.events.push(`R${r.status}:${r.body.length}`),
      (e) => run.errors.push(e),
    );
  }
  for (const chunk of chunks) channel.handler.data(chunk);
  channel.close();
  return run;
}

function splitAt(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const p of points) {
    out.push(bytes.subarray(from, p));
    from = p;
  }
  out.push(bytes.subarray(from));
  return out;
}

Deno.test("the client channel takes any bytes, split anywhere, with the same outcome", async () => {
  const runs: [Run, Run][] = [];
  check(
    fc.tuple(
      fc.array(fuzzInput(SEEDS, 300), { minLength: 1, maxLength: 4 }),
      fc.array(fc.nat(), { maxLength: 6 }),
    ),
    400,
    ([parts, cuts]) => {
      const bytes = concat(...parts);
      const whole = runChannel([bytes]);
      const split = runChannel(splitAt(bytes, cuts));
      runs.push([whole, split]);
    },
  );
  await new Promise((resolve) => setTimeout(resolve, 0)); // let the promises settle
  for (const [whole, split] of runs) {
    assert.deepEqual(split.events, whole.events);
    assert.deepEqual(split.closed, whole.closed);
    for (const e of [...whole.errors, ...split.errors]) {
      assert.ok(e instanceof ChannelError, `${e}`);
    }
    assert.ok(whole.closed.length <= 1);
  }
});

Deno.test("the video receiver never throws and hands out clean NAL units, times never back", () => {
  const packets = fc.array(
    fc.oneof(
      { weight: 3, arbitrary: fuzzInput(RTP, 64) },
      { weight: 1, arbitrary: randomBytes(40).map((b) => concat(RTP[0].subarray(0, 12), b)) },
    ),
    { maxLength: 30 },
  );
  check(packets, 500, (list) => {
    let last = -1;
    const receiver = new VideoReceiver({ codec: "h264", payloadType: 96, clockRate: 90000 }, {
      accessUnit(nals, us) {
        assert.ok(us >= last, `time went back: ${last} → ${us}`);
        last = us;
        assert.ok(nals.length > 0);
        for (const n of nals) {
          assert.ok(n.length > 0);
          assert.equal(findStartCode(n, 0), -1);
        }
      },
      jpeg() {
        assert.fail("no JPEG from an H.264 track");
      },
    });
    for (const p of list) receiver.rtp(p);
    const s = receiver.stats;
    assert.equal(s.packets, list.length);
  });
});

Deno.test("WWW-Authenticate of any shape never throws", () => {
  const seeds = [
    'Digest realm="r", nonce="n", qop="auth,auth-int", opaque="o", algorithm=MD5',
    'Basic realm="cam"',
    'Digest realm="a\\"b", nonce=abc, stale=TRUE',
  ].map(latin1);
  check(fuzzInput(seeds, 120), 1000, (bytes) => {
    for (const c of parseChallenges([fromLatin1(bytes)])) {
      assert.ok(c.scheme === "digest" || c.scheme === "basic");
    }
  });
});
