/**
 * Hostile publishers over real sockets (HARDENING.md items 16 and 17): a client that ANNOUNCEs,
 * SETs UP with mode=record and RECORDs, over interleaved TCP and over UDP, then sends malformed
 * RTP and malformed H.264. Each bad packet or access unit is dropped and counted, the publisher's
 * connection stays, memory stays bounded, a reader of the published path gets every valid access
 * unit and nothing broken, and an ffmpeg reader of another path on the same server misses nothing.
 */

import assert from "node:assert/strict";
import { type AnnexBClip, readAnnexBClip } from "../../src/source/annexb_file.ts";
import { RtspTestClient } from "../support/rtsp_client.ts";
import { interopTest, startClipServer, testClip } from "../interop/support.ts";
import type { RtspServer } from "../../mod.ts";
import { RawPublisher, rtpPacket } from "./_peers.ts";
import { assertBounded, sleep, startReader, until } from "./_support.ts";

/** Publishers' access unit cap here; the test clip's largest access unit is about 13 KB. */
const CAP = 64 * 1024;

/**
 * A `length`-byte RTP packet whose first byte (V, P, X, CC) is `b0`, and whose last byte (the
 * padding count when P is set) is `last`, if given.
 */
function packet(b0: number, length = 24, last?: number, payloadType = 96): Uint8Array {
  const p = rtpPacket({ seq: 7, timestamp: 9000, payloadType }, new Uint8Array(length - 12));
  p[0] = b0;
  if (last !== undefined) p[length - 1] = last;
  return p;
}

/** HARDENING item 16: packets that are not RTP a server may take (RFC 3550 §5.1, §5.3.1). */
const BAD_RTP: [string, Uint8Array][] = [
  ["empty", new Uint8Array(0)],
  ["shorter than 12 bytes", packet(0x80).subarray(0, 11)],
  ["version 0", packet(0x00)],
  ["version 1", packet(0x40)],
  ["version 3", packet(0xc0)],
  ["15 CSRCs past the end", packet(0x8f, 20)],
  ["extension header past the end", packet(0x90, 14)],
  ["extension length past the end", Uint8Array.of(...packet(0x90, 12), 0xbe, 0xde, 0xff, 0xff)],
  ["padding past the end", packet(0xa0, 20, 200)],
  ["padding count 0", packet(0xa0, 20, 0)],
  ["another payload type", packet(0x80, 24, undefined, 97)],
];

const bytes = (...b: number[]) => Uint8Array.from(b);

/** HARDENING item 17: access units (payloads of consecutive packets, one timestamp) to drop. */
const BAD_H264: [string, Uint8Array[]][] = [
  ["FU-A without a start", [bytes(0x7c, 0x05, 1, 2, 3), bytes(0x7c, 0x45, 4, 5, 6)]],
  ["FU-A end alone", [bytes(0x7c, 0x45, 1, 2, 3)]],
  ["FU-A start never ended", [bytes(0x7c, 0x85, 1, 2, 3), bytes(0x7c, 0x05, 4, 5)]],
  ["STAP-A length past the end", [bytes(0x78, 0x10, 0x00, 0x65, 1, 2)]],
  ["STAP-A cut inside a length", [bytes(0x78, 0x00, 0x04, 0x65, 1, 2, 3, 0x00)]],
  ["STAP-A zero length", [bytes(0x78, 0x00, 0x00, 0x00, 0x02, 0x65, 1)]],
  ["empty payload", [new Uint8Array(0)]],
  [
    "over the cap in FU-A fragments",
    [
      bytes(0x7c, 0x81, ...new Uint8Array(1400)),
      ...Array.from(
        { length: 70 },
        (_, i) => bytes(0x7c, i === 69 ? 0x41 : 0x01, ...new Uint8Array(1400)),
      ),
    ],
  ],
  [
    "over the cap in single NAL unit packets",
    Array.from({ length: 70 }, () => bytes(0x41, ...new Uint8Array(1400))),
  ],
];

/** The clip's access units from its first keyframe on, forever. */
function* frames(clip: AnnexBClip): Generator<Uint8Array[]> {
  const first = clip.accessUnits.findIndex((au) => au.keyframe);
  for (let i = first;; i = i + 1 < clip.accessUnits.length ? i + 1 : first) {
    yield clip.accessUnits[i].nalUnits;
  }
}

async function attackPublisher(
  server: RtspServer,
  clip: AnnexBClip,
  transport: "tcp" | "udp",
): Promise<void> {
  const path = `/pub-${transport}`;
  const pub = await RawPublisher.start(server.port, path, transport);
  const viewer = await RtspTestClient.connect(server.url(path), { receiverReportIntervalMs: 0 });
  const next = frames(clip);
  // UDP has no flow control: a short pause per access unit keeps the server's socket from
  // overflowing, so a loss is the server's doing, not the test's.
  const pace = () => transport === "udp" ? sleep(2) : Promise.resolve();
  let sent = 0;
  const sendValid = async () => {
    await pub.sendAccessUnit(next.next().value!);
    sent++;
    await pace();
  };
  try {
    for (let i = 0; i < 30; i++) await sendValid(); // one GOP, so the path has a stream to read
    await viewer.play();
    await sleep(300);
    const base = viewer.framesReceived;
    sent = 0;
    assert.ok(base > 0, `${transport}: the viewer got nothing of the first GOP`);

    // Item 16: every bad packet dropped and counted; a valid access unit after each round.
    const badBefore = server.stats.badRtp;
    let badSent = 0;
    await assertBounded(`16 over ${transport}`, 40, async () => {
      for (const [, packet] of BAD_RTP) {
        await pub.sendRaw(packet);
        badSent++;
      }
      await sendValid();
    });
    await until(
      `${transport}: the bad RTP counted`,
      () => server.stats.badRtp - badBefore >= badSent,
    );
    assert.equal(server.stats.badRtp - badBefore, badSent, `${transport}: badRtp`);
    assert.equal((await pub.request("OPTIONS"))?.status, 200, `${transport}: connection lost`);

    // Item 17: each malformed access unit dropped (whole), the valid ones after it delivered.
    const droppedBefore = server.stats.droppedAccessUnits;
    let badUnits = 0;
    await assertBounded(`17 over ${transport}`, 20, async () => {
      for (const [, payloads] of BAD_H264) {
        for (const [k, p] of payloads.entries()) {
          await pub.sendPayload(p, k === payloads.length - 1);
          if (k % 20 === 19) await pace();
        }
        pub.nextFrame();
        badUnits++;
        await sendValid();
      }
    });
    await until(
      `${transport}: the viewer got every valid access unit`,
      () => viewer.framesReceived >= base + sent,
    );
    assert.equal(
      server.stats.droppedAccessUnits - droppedBefore,
      badUnits,
      `${transport}: droppedAccessUnits`,
    );
    assert.equal(viewer.framesReceived, base + sent, `${transport}: frames the viewer got`);
    assert.equal(viewer.lost, 0, `${transport}: the viewer saw a sequence gap`);
    assert.equal(viewer.strayPackets, 0, `${transport}: the viewer got unparsable RTP`);
    assert.deepEqual(viewer.protocolErrors, []);
    assert.equal((await pub.request("OPTIONS"))?.status, 200, `${transport}: connection lost`);
    assert.ok(!pub.peer.closed, `${transport}: the server closed the publisher`);
  } finally {
    await viewer.close();
    await pub.close();
  }
}

interopTest(
  "a publisher's malformed RTP and H.264 are dropped and counted, over TCP and UDP, and harm no reader",
  ["ffmpeg"],
  async () => {
    const s = await startClipServer({ maxAccessUnitSize: CAP });
    const clip = readAnnexBClip(await Deno.readFile(await testClip()));
    const reader = startReader(s.url, 8);
    try {
      await sleep(1500); // the reader is playing before the first attack
      await attackPublisher(s.server, clip, "tcp");
      await attackPublisher(s.server, clip, "udp");
      await reader.check();
    } finally {
      await s.close();
    }
  },
);
