/**
 * Publishing (ANNOUNCE, SETUP mode=record, RECORD) through the socket-free harness: the state
 * rules, both transports, the path registry, and the HARDENING items for media that comes in.
 */

import assert from "node:assert/strict";
import { buildSenderReport } from "../../src/rtcp/sender_report.ts";
import { parseRtpPacket, type RtpPacket } from "../../src/rtp/header.ts";
import type { RtspResponse } from "../../src/rtsp/message.ts";
import type { ServerCore } from "../../src/server/core.ts";
import type { LogFields } from "../../src/base/log.ts";
import { encodeBase64 } from "../../src/sdp/base64.ts";
import { Client, dollar, FakeTcp, makeCore, PPS, rtpPacket, SPS } from "./conversation.ts";

const PUB = "rtsp://127.0.0.1:8554/pub";
const TRACK = `${PUB}/streamid=0`;
const REC_TCP = "RTP/AVP/TCP;unicast;interleaved=0-1;mode=record";
const REC_UDP = "RTP/AVP/UDP;unicast;client_port=6000-6001;mode=record";
const HEAD = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=No Name\r\nt=0 0\r\n";
const SPROP = `sprop-parameter-sets=${encodeBase64(SPS)},${encodeBase64(PPS)}`;
const VIDEO = "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n" +
  `a=fmtp:96 packetization-mode=1; ${SPROP}\r\na=control:streamid=0\r\n`;
const AUDIO =
  "m=audio 0 RTP/AVP 97\r\na=rtpmap:97 MPEG4-GENERIC/48000/2\r\na=control:streamid=1\r\n";

function sessionId(r: RtspResponse): string {
  const value = r.headers.get("Session");
  assert.ok(value, `no Session header (status ${r.status})`);
  return value.split(";")[0];
}

function announce(client: Client, body = HEAD + VIDEO, url = PUB): Promise<RtspResponse> {
  return client.request("ANNOUNCE", url, { CSeq: 1, "Content-Type": "application/sdp" }, body);
}

/** ANNOUNCE, SETUP of the video track, RECORD; returns the session id. */
async function publish(client: Client, transport = REC_TCP, body = HEAD + VIDEO): Promise<string> {
  assert.equal((await announce(client, body)).status, 200);
  const setup = await client.request("SETUP", TRACK, { CSeq: 2, Transport: transport });
  assert.equal(setup.status, 200);
  const session = sessionId(setup);
  assert.equal((await client.request("RECORD", PUB, { CSeq: 3, Session: session })).status, 200);
  return session;
}

/** A reader playing /pub over TCP. */
async function reader(core: ServerCore, hostname = "127.0.0.2"): Promise<Client> {
  const client = new Client(core, new FakeTcp(hostname));
  const setup = await client.request("SETUP", `${PUB}/trackID=0`, {
    CSeq: 1,
    Transport: "RTP/AVP/TCP;unicast;interleaved=0-1",
  });
  assert.equal(setup.status, 200);
  const play = await client.request("PLAY", PUB, { CSeq: 2, Session: sessionId(setup) });
  assert.equal(play.status, 200);
  return client;
}

function received(client: Client): RtpPacket[] {
  return client.collect().interleaved.filter((f) => f.channel === 0).map((f) =>
    parseRtpPacket(f.payload)!
  );
}

/** An IDR of 3000 bytes as two FU-A packets, then a P-frame as one packet, at RTP time `ts`. */
function gop(seq: number, ts: number): Uint8Array[] {
  const body = new Uint8Array(3000).fill(0x5a);
  return [
    rtpPacket(seq, ts, [0x7c, 0x85, ...body.subarray(0, 1500)], { marker: false }),
    rtpPacket(seq + 1, ts, [0x7c, 0x45, ...body.subarray(1500)]),
    rtpPacket(seq + 2, ts + 3600, [0x41, 0x9a, 1, 2, 3]),
  ];
}

async function sendRtp(client: Client, packets: Uint8Array[], channel = 0): Promise<void> {
  const all = packets.map((p) => dollar(channel, p));
  const joined = new Uint8Array(all.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of all) joined.set(p, (at += p.length) - p.length);
  await client.send(joined);
}

Deno.test("ffmpeg-style publishing over TCP: ANNOUNCE, SETUP mode=record, RECORD; readers get the frames", async () => {
  const { core } = makeCore();
  const pub = new Client(core);
  const a = await announce(pub);
  assert.equal(a.status, 200);
  assert.equal(
    a.headers.get("Session"),
    undefined,
    "ANNOUNCE replies carry no Session (gortsplib)",
  );
  // RFC 2326 §10.3: DESCRIBE works before the first IDR, from the announced sprop-parameter-sets.
  const describe = await new Client(core, new FakeTcp("127.0.0.3")).request("DESCRIBE", PUB, {
    CSeq: 1,
  });
  assert.equal(describe.status, 200);
  assert.match(new TextDecoder().decode(describe.body), new RegExp(SPROP.replace(/[+/]/g, "\\$&")));
  const setup = await pub.request("SETUP", TRACK, { CSeq: 2, Transport: REC_TCP });
  assert.equal(setup.status, 200);
  assert.equal(setup.headers.get("Transport"), "RTP/AVP/TCP;unicast;interleaved=0-1");
  assert.match(setup.headers.get("Session") ?? "", /^[0-9a-f]{32};timeout=60$/);
  const record = await pub.request("RECORD", PUB, {
    CSeq: 3,
    Session: sessionId(setup),
    Range: "npt=0.000-",
  });
  assert.equal(record.status, 200);
  const r = await reader(core);
  await sendRtp(pub, gop(100, 90_000));
  const packets = received(r);
  // The IDR came without SPS/PPS (ffmpeg's global headers): they go out in front of it.
  assert.deepEqual(packets.slice(0, 2).map((p) => p.payload[0] & 0x1f), [7, 8]);
  assert.equal(packets.filter((p) => p.marker).length, 2, "two frames");
  const [idrTs, pTs] = packets.filter((p) => p.marker).map((p) => p.timestamp);
  assert.equal((pTs - idrTs) >>> 0, 3600, "RTP time moves as the publisher's did");
  assert.equal(pub.tcp.ended, false);
});

Deno.test("publishing over UDP takes RTP only from the publisher's address and RTP port", async () => {
  const { core, clock } = makeCore();
  const pub = new Client(core);
  assert.equal((await announce(pub)).status, 200);
  const setup = await pub.request("SETUP", TRACK, { CSeq: 2, Transport: REC_UDP });
  assert.equal(setup.status, 200);
  assert.equal(
    setup.headers.get("Transport"),
    "RTP/AVP;unicast;client_port=6000-6001;server_port=6970-6971",
  );
  const session = sessionId(setup);
  const [first, second, third] = gop(1, 0);
  const stream = core.mounts.get("/pub")!;
  const before = stream.stats.frames;
  for (const p of [first, second]) {
    core.rtpDatagram(p, { hostname: "127.0.0.1", port: 6000, family: "IPv4" });
  }
  assert.equal(stream.stats.frames, before, "nothing is taken before RECORD");
  await pub.request("RECORD", PUB, { CSeq: 3, Session: session });
  for (
    const from of [{ hostname: "127.0.0.1", port: 6002 }, { hostname: "10.9.9.9", port: 6000 }]
  ) {
    core.rtpDatagram(first, { ...from, family: "IPv4" });
  }
  core.rtpDatagram(first, { hostname: "127.0.0.1", port: 6001, family: "IPv4" }); // RTCP port
  assert.equal(core.stats.strayDatagrams, 3);
  for (const p of [first, second, third]) {
    core.rtpDatagram(p, { hostname: "127.0.0.1", port: 6000, family: "IPv4" });
  }
  assert.equal(stream.stats.frames, before + 2);
  // RTCP from the publisher's RTCP port is a sign of life.
  const session_ = core.sessions.get(session)!;
  const seen = session_.lastSeen;
  clock.advance(5000);
  core.rtcpDatagram(
    buildSenderReport({
      ssrc: 1,
      ntpMs: 0,
      rtpTimestamp: 0,
      packetCount: 0,
      octetCount: 0,
      cname: "c",
    }),
    { hostname: "127.0.0.1", port: 6001, family: "IPv4" },
  );
  assert.equal(session_.lastSeen, seen + 5000);
});

Deno.test("a second publisher on a busy path is refused with 409 and a reason; the first goes on", async () => {
  const { core } = makeCore();
  const first = new Client(core);
  await publish(first);
  const second = new Client(core, new FakeTcp("127.0.0.9"));
  const refused = await announce(second);
  assert.equal(refused.status, 409);
  assert.equal(refused.reason, "Conflict (path is already being published)");
  assert.equal(core.sessions.size, 1);
  const r = await reader(core);
  await sendRtp(first, gop(1, 0));
  assert.equal(received(r).filter((p) => p.marker).length, 2);
  // The path the program serves itself is refused the same way.
  const local = await announce(second, HEAD + VIDEO, "rtsp://127.0.0.1:8554/stream");
  assert.equal(local.status, 409);
  assert.equal(local.reason, "Conflict (path is served by a local source)");
});

Deno.test("a publisher replaced by another loses its session and its connection is closed", async () => {
  const { core } = makeCore({ publishers: () => ({ replace: true }) });
  const first = new Client(core);
  await publish(first);
  const second = new Client(core, new FakeTcp("127.0.0.9"));
  await publish(second);
  assert.equal(first.tcp.ended, true);
  assert.equal(core.sessions.size, 1);
  assert.equal(core.publishers.publisherOf("/pub"), "rtsp 127.0.0.9");
  // An ingest device replacing the RTSP publisher closes it too.
  core.publishers.claim("/pub", { codec: "h264", publisher: "ingest", replace: true });
  assert.equal(second.tcp.ended, true);
  assert.equal(core.sessions.size, 0);
});

Deno.test("the publishers option refuses a path without a rule with 403 saying how to allow it", async () => {
  const lines: { level: string; message: string; fields?: LogFields }[] = [];
  const { core } = makeCore({ publishers: (path) => path === "/pub" ? {} : undefined });
  core.logger = { log: (level, message, fields) => void lines.push({ level, message, fields }) };
  const client = new Client(core, new FakeTcp("127.0.0.7"));
  const refused = await announce(client, HEAD + VIDEO, "rtsp://127.0.0.1:8554/other");
  assert.equal(refused.status, 403);
  // The command line's and the config file's ways to allow it, in the one line ffmpeg prints.
  assert.equal(
    refused.reason,
    "Forbidden (this path takes no publishers: start rtsp-edge with --publish, or give the path " +
      "source: publisher)",
  );
  const logged = lines.filter((l) => l.message.startsWith("publisher refused"));
  assert.equal(logged.length, 1);
  assert.equal(logged[0].level, "info");
  assert.match(logged[0].message, /--publish or a path with source: publisher in the config/);
  assert.match(logged[0].message, /the publishers option/);
  assert.equal(logged[0].fields?.path, "/other");
  assert.match(String(logged[0].fields?.peer), /^127\.0\.0\.7/);
  assert.equal(core.mounts.has("/other"), false);
  assert.equal((await announce(client)).status, 200);
});

Deno.test("PLAY in a publishing session, RECORD in a reading one, and RECORD or SETUP mode=record without ANNOUNCE are 455", async () => {
  const { core } = makeCore();
  const pub = new Client(core);
  const publishing = await publish(pub);
  assert.equal((await pub.request("PLAY", PUB, { CSeq: 9, Session: publishing })).status, 455);
  const other = new Client(core, new FakeTcp("127.0.0.5"));
  const setup = await other.request("SETUP", "rtsp://127.0.0.1:8554/stream/trackID=0", {
    CSeq: 1,
    Transport: "RTP/AVP/TCP;unicast;interleaved=0-1",
  });
  const reading = sessionId(setup);
  const rec = await other.request("RECORD", "rtsp://127.0.0.1:8554/stream", {
    CSeq: 2,
    Session: reading,
  });
  assert.equal(rec.status, 455);
  assert.equal(rec.reason, "Method Not Valid in This State (the session is reading)");
  const inReader = await other.request("SETUP", "rtsp://127.0.0.1:8554/stream/trackID=0", {
    CSeq: 3,
    Session: reading,
    Transport: REC_TCP,
  });
  assert.equal(inReader.status, 455);
  const fresh = new Client(core, new FakeTcp("127.0.0.6"));
  assert.equal((await fresh.request("RECORD", "rtsp://127.0.0.1:8554/x", { CSeq: 1 })).status, 455);
  const noAnnounce = await fresh.request("SETUP", "rtsp://127.0.0.1:8554/x/streamid=0", {
    CSeq: 2,
    Transport: REC_TCP,
  });
  assert.equal(noAnnounce.status, 455);
  assert.equal(
    noAnnounce.reason,
    "Method Not Valid in This State (SETUP for RECORD without ANNOUNCE)",
  );
  // A guessed session id learns nothing (HARDENING item 13).
  const guessed = await fresh.request("RECORD", PUB, { CSeq: 3, Session: "0".repeat(32) });
  assert.equal(guessed.status, 454);
  assert.equal(core.sessions.size, 2);
});

Deno.test("a publisher's session is usable only on its connection", async () => {
  const { core } = makeCore();
  const pub = new Client(core);
  const session = await publish(pub, REC_UDP);
  const sameIp = new Client(core);
  for (const method of ["RECORD", "TEARDOWN", "PAUSE"]) {
    assert.equal((await sameIp.request(method, PUB, { CSeq: 1, Session: session })).status, 454);
  }
  assert.equal(core.publishers.publisherOf("/pub"), "rtsp 127.0.0.1");
});

Deno.test("SETUP without mode= on an announced path is taken as RECORD (gortsplib crashed on it)", async () => {
  const { core } = makeCore();
  const pub = new Client(core);
  await announce(pub);
  const setup = await pub.request("SETUP", TRACK, {
    CSeq: 2,
    Transport: "RTP/AVP/TCP;unicast;interleaved=0-1",
  });
  assert.equal(setup.status, 200);
  const session = sessionId(setup);
  assert.equal((await pub.request("RECORD", PUB, { CSeq: 3, Session: session })).status, 200);
  const play = await pub.request("SETUP", TRACK, {
    CSeq: 4,
    Session: session,
    Transport: "RTP/AVP/TCP;unicast;interleaved=2-3;mode=PLAY",
  });
  assert.equal(play.status, 455);
});

Deno.test("an announced audio track that is not carried is set up and its packets discarded; RECORD needs the video track", async () => {
  const { core } = makeCore();
  const pub = new Client(core);
  assert.equal((await announce(pub, HEAD + VIDEO + AUDIO)).status, 200);
  const audio = await pub.request("SETUP", `${PUB}/streamid=1`, {
    CSeq: 2,
    Transport: "RTP/AVP/TCP;unicast;interleaved=2-3;mode=record",
  });
  assert.equal(audio.status, 200);
  const session = sessionId(audio);
  const early = await pub.request("RECORD", PUB, { CSeq: 3, Session: session });
  assert.equal(early.status, 455);
  const video = await pub.request("SETUP", TRACK, {
    CSeq: 4,
    Session: session,
    Transport: REC_TCP,
  });
  assert.equal(video.status, 200);
  assert.equal(sessionId(video), session);
  const twice = await pub.request("SETUP", TRACK, {
    CSeq: 5,
    Session: session,
    Transport: REC_TCP,
  });
  assert.equal(twice.status, 459);
  const udp = await pub.request("SETUP", `${PUB}/streamid=1`, {
    CSeq: 6,
    Session: session,
    Transport: REC_UDP,
  });
  assert.equal(udp.status, 459);
  assert.equal((await pub.request("RECORD", PUB, { CSeq: 7, Session: session })).status, 200);
  const stream = core.mounts.get("/pub")!;
  const before = stream.stats.frames;
  await sendRtp(pub, [rtpPacket(1, 0, [0x21, 0x10, 1, 2], { pt: 97 })], 2);
  await sendRtp(pub, gop(1, 0));
  assert.equal(stream.stats.frames, before + 2);
  assert.equal(core.stats.badRtp, 0);
});

Deno.test("an ANNOUNCE with an empty Session header (a C++ pusher library) is taken as one without", async () => {
  const { core } = makeCore();
  const pub = new Client(core);
  const a = await pub.request("ANNOUNCE", PUB, {
    CSeq: 1,
    "Content-Type": "application/sdp",
    Session: "",
  }, HEAD + VIDEO);
  assert.equal(a.status, 200);
  const setup = await pub.request("SETUP", TRACK, { CSeq: 2, Transport: REC_TCP, Session: "" });
  assert.equal(setup.status, 200);
  assert.equal(core.sessions.size, 1);
});

Deno.test("a publisher's tracks are logged once at info: what is carried, what is refused and why", async () => {
  for (const [body, expected] of [[HEAD + VIDEO + AUDIO, 1], [HEAD + VIDEO, 0]] as const) {
    const { core } = makeCore();
    const lines: string[] = [];
    core.logger = {
      log: (level, message, fields) =>
        void lines.push(`${level} ${message} ${JSON.stringify(fields)}`),
    };
    const pub = new Client(core);
    await publish(pub, REC_TCP, body);
    await sendRtp(pub, gop(1, 0));
    const said = lines.filter((l) => l.includes("tracks"));
    assert.equal(said.length, expected, lines.join("\n"));
    if (expected === 0) continue; // video only: nothing is dropped, nothing to say
    assert.match(said[0], /^info publisher tracks /);
    // RFC 3640 §4.1: AAC without its AudioSpecificConfig cannot be decoded by any reader.
    assert.match(
      said[0],
      /"carried":"0:video\/H264","refused":"1:audio\/MPEG4-GENERIC \(mpeg4-generic without config is refused \(RFC 3640 §4\.1\)\)"/,
    );
  }
});

Deno.test("in-band SPS and PPS replace the SDP's in front of later IDRs", async () => {
  const { core } = makeCore();
  const pub = new Client(core);
  await publish(pub);
  const r = await reader(core);
  const newSps = [0x67, 0x42, 0xc0, 0x1f, 0xaa];
  // STAP-A with a new SPS, the PPS and an IDR; then an IDR alone.
  const stap = [24, 0, 5, ...newSps, 0, PPS.length, ...PPS, 0, 3, 0x65, 0x88, 2];
  await sendRtp(pub, [rtpPacket(1, 0, stap), rtpPacket(2, 3000, [0x65, 0x88, 3])]);
  const packets = received(r);
  const idrs = packets.map((p, i) => [p, i] as const).filter(([p]) => (p.payload[0] & 0x1f) === 5);
  assert.equal(idrs.length, 2);
  const [second] = idrs[1];
  const before = packets[idrs[1][1] - 2];
  assert.deepEqual([...before.payload], newSps, "the in-band SPS, not the SDP's");
  assert.equal(second.payload[2], 3);
});

Deno.test("ANNOUNCE without H.264, of another content type, with bad or no SDP is refused and leaves nothing", async () => {
  const { core } = makeCore();
  const client = new Client(core);
  const cases: [Record<string, string>, string, number][] = [
    [{ "Content-Type": "application/sdp" }, HEAD + AUDIO, 415],
    [{ "Content-Type": "text/plain" }, HEAD + VIDEO, 415],
    [{}, HEAD + VIDEO, 415],
    [{ "Content-Type": "application/sdp" }, "garbage", 400],
    [{ "Content-Type": "application/sdp" }, "", 400],
  ];
  for (const [headers, body, status] of cases) {
    const r = await client.request("ANNOUNCE", PUB, { CSeq: 1, ...headers }, body);
    assert.equal(r.status, status, body);
  }
  const noVideo = await client.request("ANNOUNCE", PUB, {
    CSeq: 2,
    "Content-Type": "application/sdp",
  }, HEAD + AUDIO);
  assert.equal(noVideo.reason, "Unsupported Media Type (no H.264 video in the SDP)");
  for (
    const url of ["*", "rtsp://127.0.0.1:8554/", `${PUB}/trackID=0`, "rtsp://127.0.0.1/cam:1"]
  ) {
    assert.equal((await announce(client, HEAD + VIDEO, url)).status, 400, url);
  }
  assert.match(
    (await announce(client, HEAD + VIDEO, "rtsp://127.0.0.1/cam:1")).reason,
    /^Bad Request \(a path name holds letters, digits/,
  );
  assert.equal(core.sessions.size, 0);
  assert.equal(core.publishers.publisherOf("/pub"), undefined);
  assert.equal((await announce(client)).status, 200);
});

Deno.test("interleaved data before RECORD closes the connection; on an unknown channel after it, it is dropped", async () => {
  const { core } = makeCore();
  const early = new Client(core);
  await announce(early);
  await early.request("SETUP", TRACK, { CSeq: 2, Transport: REC_TCP });
  await sendRtp(early, gop(1, 0));
  assert.equal(early.tcp.ended, true);
  early.conn.closed(); // the socket closes: the path is free again
  const pub = new Client(core, new FakeTcp("127.0.0.4"));
  await publish(pub);
  await sendRtp(pub, gop(1, 0), 9);
  assert.equal(pub.tcp.ended, false);
});

Deno.test("malformed RTP is dropped and counted; broken H.264 drops only its access unit", async () => {
  const { core } = makeCore({ maxAccessUnitSize: 4096 });
  const pub = new Client(core);
  await publish(pub);
  const stream = core.mounts.get("/pub")!;
  const frames = () => stream.stats.frames;
  const start = frames();
  // HARDENING item 16: short, version 1, CSRC past the end, another payload type.
  const v1 = rtpPacket(1, 0, [0x41, 1]);
  v1[0] = 0x40;
  const csrc = rtpPacket(2, 0, [0x41, 1]);
  csrc[0] = 0x8f;
  await sendRtp(pub, [new Uint8Array(5), v1, csrc, rtpPacket(3, 0, [0x41, 1], { pt: 100 })]);
  assert.equal(core.stats.badRtp, 4);
  assert.equal(frames(), start);
  // HARDENING item 17: an FU-A without its start; a STAP-A whose length runs past the end; an
  // access unit over the 4 KiB cap. Each loses its access unit; the next one goes through.
  await sendRtp(pub, [
    rtpPacket(10, 1000, [0x7c, 0x45, 1, 2, 3]),
    rtpPacket(11, 2000, [24, 0, 200, 0x65, 1]),
    rtpPacket(12, 3000, [0x7c, 0x85, ...new Uint8Array(3000)], { marker: false }),
    rtpPacket(13, 3000, [0x7c, 0x45, ...new Uint8Array(3000)]),
    rtpPacket(14, 4000, [0x65, 0x88, 7]),
  ]);
  assert.equal(core.stats.droppedAccessUnits, 3);
  assert.equal(frames(), start + 1);
});

Deno.test("a publisher that sends nothing for the session timeout is reaped and its path freed; RTP keeps one alive", async () => {
  const { core, clock } = makeCore();
  const quiet = new Client(core);
  await publish(quiet);
  const r = await reader(core);
  const talking = new Client(core, new FakeTcp("127.0.0.7"));
  await talking.request("ANNOUNCE", "rtsp://127.0.0.1:8554/other", {
    CSeq: 1,
    "Content-Type": "application/sdp",
  }, HEAD + VIDEO);
  const setup = await talking.request("SETUP", "rtsp://127.0.0.1:8554/other/streamid=0", {
    CSeq: 2,
    Transport: REC_TCP,
  });
  await talking.request("RECORD", "rtsp://127.0.0.1:8554/other", {
    CSeq: 3,
    Session: sessionId(setup),
  });
  for (let s = 0; s < 61; s++) {
    clock.advance(1000);
    await sendRtp(talking, [rtpPacket(s, s * 3000, [0x41, 1])]);
    core.tick();
  }
  assert.equal(quiet.tcp.ended, true);
  assert.equal(talking.tcp.ended, false);
  assert.equal(core.publishers.publisherOf("/pub"), undefined);
  assert.equal(core.publishers.publisherOf("/other"), "rtsp 127.0.0.7");
  assert.equal(core.stats.timedOutSessions, 1);
  assert.ok(core.mounts.has("/pub"), "the stream stays for its readers");
  assert.equal(r.tcp.ended, false);
});

Deno.test("after TEARDOWN or a closed connection the next publisher continues the stream its readers hold", async () => {
  const { core } = makeCore();
  const first = new Client(core);
  const session = await publish(first);
  const r = await reader(core);
  await sendRtp(first, gop(1, 1_000_000));
  assert.equal((await first.request("TEARDOWN", PUB, { CSeq: 9, Session: session })).status, 200);
  assert.equal(core.publishers.publisherOf("/pub"), undefined);
  const second = new Client(core, new FakeTcp("127.0.0.8"));
  await publish(second);
  await sendRtp(second, gop(50_000, 7)); // another SSRC's random sequence and time
  second.conn.closed(); // the publisher's connection drops
  assert.equal(core.publishers.publisherOf("/pub"), undefined);
  const third = new Client(core, new FakeTcp("127.0.0.9"));
  await publish(third, REC_UDP);
  for (const p of gop(9, 123)) {
    core.rtpDatagram(p, { hostname: "127.0.0.9", port: 6000, family: "IPv4" });
  }
  const packets = received(r);
  for (let i = 1; i < packets.length; i++) {
    assert.equal(packets[i].sequenceNumber, (packets[i - 1].sequenceNumber + 1) & 0xffff);
  }
  const frames = packets.filter((p) => p.marker);
  assert.equal(frames.length, 6);
  for (let i = 1; i < frames.length; i++) {
    assert.ok(((frames[i].timestamp - frames[i - 1].timestamp) | 0) > 0, `timestamp ${i} rises`);
  }
  assert.equal(r.tcp.ended, false);
  assert.equal(core.sessions.size, 2, "the reader and the third publisher");
});

Deno.test("OPTIONS lists ANNOUNCE and RECORD; GET_PARAMETER keeps a publisher alive", async () => {
  const { core, clock } = makeCore();
  const pub = new Client(core);
  const options = await pub.request("OPTIONS", PUB, { CSeq: 1 });
  assert.match(options.headers.get("Public") ?? "", /\bANNOUNCE\b.*\bRECORD\b/);
  const session = await publish(pub);
  for (let i = 0; i < 3; i++) {
    clock.advance(40_000);
    assert.equal(
      (await pub.request("GET_PARAMETER", PUB, { CSeq: 5 + i, Session: session })).status,
      200,
    );
    core.tick();
  }
  assert.equal(core.sessions.size, 1);
});

Deno.test("L16 sent little-endian under an L16 rtpmap is swapped to the big-endian RFC 3551 asks", async () => {
  const { core } = makeCore();
  const pub = new Client(core);
  const l16 = "m=audio 0 RTP/AVP 98\r\na=rtpmap:98 L16/16000/1\r\na=control:streamid=1\r\n";
  assert.equal((await announce(pub, HEAD + VIDEO + l16)).status, 200);
  const video = await pub.request("SETUP", TRACK, { CSeq: 2, Transport: REC_TCP });
  const session = sessionId(video);
  const audio = await pub.request("SETUP", `${PUB}/streamid=1`, {
    CSeq: 3,
    Session: session,
    Transport: "RTP/AVP/TCP;unicast;interleaved=2-3;mode=record",
  });
  assert.equal(audio.status, 200);
  assert.equal((await pub.request("RECORD", PUB, { CSeq: 4, Session: session })).status, 200);
  await sendRtp(pub, gop(1, 0));
  // A reader of the audio track.
  const r = new Client(core, new FakeTcp("127.0.0.2"));
  const setup = await r.request("SETUP", `${PUB}/trackID=1`, {
    CSeq: 1,
    Transport: "RTP/AVP/TCP;unicast;interleaved=0-1",
  });
  assert.equal(setup.status, 200);
  assert.equal((await r.request("PLAY", PUB, { CSeq: 2, Session: sessionId(setup) })).status, 200);
  r.collect();
  // 20 ms of a 440 Hz tone, little-endian, as an ESP32 that skipped the swap sends it.
  const samples = Array.from(
    { length: 320 },
    (_, i) => Math.round(8000 * Math.sin(i / 16000 * 2 * Math.PI * 440)),
  );
  const le = new Uint8Array(640);
  samples.forEach((v, i) => new DataView(le.buffer).setInt16(i * 2, v, true));
  await sendRtp(pub, [rtpPacket(1, 0, le, { pt: 98 })], 2);
  const got = received(r);
  assert.equal(got.length, 1);
  const view = new DataView(got[0].payload.buffer, got[0].payload.byteOffset);
  assert.deepEqual(samples.map((_, i) => view.getInt16(i * 2, false)), samples);
});
