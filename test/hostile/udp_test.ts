/**
 * Hostile UDP readers over real sockets (HARDENING.md items 11 and 19), against a server with a
 * 2 s session timeout while a well-behaved ffmpeg reader streams from it: `destination=` never
 * sends media to a third party, and a UDP reader that goes silent is reaped at the timeout.
 */

import assert from "node:assert/strict";
import { RtspTestClient } from "../support/rtsp_client.ts";
import { interopTest, startClipServer } from "../interop/support.ts";
import type { RtspServer } from "../../mod.ts";
import { bindPairOn, type CountingPort, RtspPeer } from "./_peers.ts";
import { assertBounded, sleep, startReader, until } from "./_support.ts";

/** A second loopback address: the "third party" a hostile SETUP names. */
const VICTIM = "127.0.0.2";

const total = (ports: CountingPort[]) => ports.reduce((n, p) => n + p.count, 0);

/**
 * Item 11: SETUP naming `VICTIM` in `destination=` (and, in some spellings, another port pair),
 * then PLAY for `playMs` and TEARDOWN. The requester's own RTP/RTCP ports on 127.0.0.1 get the
 * media; the same ports on the victim, and another pair on both addresses, get nothing.
 */
async function reflectionAttempt(
  server: RtspServer,
  transport: (own: number, other: number) => string,
  playMs: number,
): Promise<void> {
  // Same port numbers on both addresses: only the address tells where the server sent.
  const [own, victimOwn] = await bindPairOn(["127.0.0.1", VICTIM]);
  const [otherOwn, victimOther] = await bindPairOn(["127.0.0.1", VICTIM]);
  const silent = [...victimOwn, ...victimOther, ...otherOwn];
  const peer = await RtspPeer.connect(server.port);
  const url = server.url("/stream");
  try {
    const spec = transport(own[0].port, otherOwn[0].port);
    const setup = await peer.request("SETUP", `${url}/trackID=0`, { Transport: spec });
    // Accepted, with the destination ignored (HARDENING item 11), so there is media to misdirect.
    assert.equal(setup?.status, 200, `SETUP ${spec}: ${setup?.head}`);
    assert.doesNotMatch(setup!.head, new RegExp(`destination=${VICTIM}`), "echoed the destination");
    const session = /^Session:\s*([^;\r\n]+)/mi.exec(setup!.head)![1];
    assert.equal((await peer.request("PLAY", url, { Session: session }))?.status, 200);
    if (playMs > 0) {
      await until("RTP on the requester's own port", () => own[0].count >= 10, 3000);
      await sleep(playMs);
      assert.ok(own[1].count >= 1, "no sender report on the requester's RTCP port");
    }
    assert.equal((await peer.request("TEARDOWN", url, { Session: session }))?.status, 200);
    await sleep(50); // anything sent astray has landed
    assert.equal(total(silent), 0, `${spec}: media went to a port the requester does not own`);
  } finally {
    await peer.close();
    for (const p of [...own, ...silent]) p.close();
  }
}

const REFLECTIONS: ((own: number, other: number) => string)[] = [
  (own) => `RTP/AVP;unicast;destination=${VICTIM};client_port=${own}-${own + 1}`,
  (own, other) =>
    `RTP/AVP;unicast;client_port=${own}-${own + 1};destination=${VICTIM};server_port=${other}-${
      other + 1
    }`,
  (own, other) => `RTP/AVP;unicast;destination=${VICTIM}:${other};client_port=${own}-${own + 1}`,
  (own, other) =>
    `RTP/AVP;multicast;destination=${VICTIM};port=${other}-${other + 1},` +
    `RTP/AVP;unicast;destination=${VICTIM};client_port=${own}-${own + 1}`,
];

/** A UDP reader that went silent after PLAY. */
interface Silent {
  /** RTP packets it received so far. */
  packets(): number;
  /** Resolves when its RTSP connection is closed. */
  closed: Promise<void>;
  close(): Promise<void>;
}

/** A silent reader that keeps its RTSP connection open, and never sends a receiver report. */
async function keepsConnection(server: RtspServer): Promise<Silent> {
  const c = await RtspTestClient.connect(server.url("/stream"), {
    transport: "udp",
    receiverReportIntervalMs: 0,
  });
  await c.play();
  assert.equal(c.sessionTimeout, 2, "the Session header advertises the timeout");
  return { packets: () => c.packetsReceived, closed: c.closed, close: () => c.close() };
}

/** A silent reader that drops its RTSP connection right after PLAY, keeping its UDP ports. */
async function dropsConnection(server: RtspServer): Promise<Silent> {
  const [pair] = await bindPairOn(["127.0.0.1"]);
  const peer = await RtspPeer.connect(server.port);
  const url = server.url("/stream");
  const transport = `RTP/AVP;unicast;client_port=${pair[0].port}-${pair[1].port}`;
  const setup = await peer.request("SETUP", `${url}/trackID=0`, { Transport: transport });
  assert.equal(setup?.status, 200, setup?.head);
  const session = /^Session:\s*([^;\r\n]+)/mi.exec(setup!.head)![1];
  assert.equal((await peer.request("PLAY", url, { Session: session }))?.status, 200);
  await peer.close(); // the UDP session outlives its connection (RFC 2326 §3)
  return {
    packets: () => pair[0].count,
    closed: Promise.resolve(),
    close: () => Promise.resolve(pair.forEach((p) => p.close())),
  };
}

/**
 * Item 19: `n` UDP readers that play and then never send RTCP or a request; half of them also
 * drop their RTSP connection at once. All are reaped at the session timeout, counted, their media
 * stops, and the connections left open are closed as idle.
 */
async function silentReaders(server: RtspServer, n: number): Promise<void> {
  const before = server.stats.timedOutSessions;
  const readers = await Promise.all(
    Array.from({ length: n }, (_, i) => (i % 2 ? dropsConnection : keepsConnection)(server)),
  );
  const peak = server.stats.sessions;
  try {
    await until(
      "the media reaching the silent readers",
      () => readers.every((c) => c.packets() > 0),
      3000,
    );
    const started = Date.now();
    await until(
      "the silent readers reaped",
      () => server.stats.timedOutSessions - before >= n,
      6000,
    );
    assert.ok(Date.now() - started < 4500, "reaped well after the 2 s timeout");
    assert.equal(server.stats.timedOutSessions - before, n);
    assert.ok(server.stats.sessions <= peak - n, "sessions left behind");
    await sleep(100); // what was in flight lands
    const got = readers.map((c) => c.packets());
    await sleep(400);
    assert.deepEqual(readers.map((c) => c.packets()), got, "media went on after the reap");
    // Those that kept their connection hold no session now: it is closed as idle.
    await Promise.race([
      Promise.all(readers.map((c) => c.closed)),
      sleep(3000).then(() => assert.fail("an idle connection was left open")),
    ]);
  } finally {
    await Promise.all(readers.map((c) => c.close()));
  }
}

interopTest(
  "UDP readers: destination= never reflects media to a third party, and silent ones are reaped",
  ["ffmpeg"],
  async () => {
    const s = await startClipServer({ sessionTimeout: 2 });
    const reader = startReader(s.url, 13);
    try {
      await sleep(1500); // the reader is playing before the first attack
      for (const transport of REFLECTIONS) await reflectionAttempt(s.server, transport, 300);
      await assertBounded("11 destination=", 10, async () => {
        for (const transport of REFLECTIONS) await reflectionAttempt(s.server, transport, 0);
      });
      await assertBounded("19 silent UDP readers", 1, () => silentReaders(s.server, 8));
      await reader.check();
    } finally {
      await s.close();
    }
  },
);
