import assert from "node:assert/strict";
import { parseRtcpCompound } from "../../src/rtcp/parse.ts";
import { buildReceiverReport } from "../../src/rtcp/receiver_report.ts";
import { parseRtpPacket } from "../../src/rtp/header.ts";
import { Client, FakeTcp, idr, makeCore, PPS, slice, SPS, URL } from "./conversation.ts";

const TRACK = `${URL}/trackID=0`;
const TCP = "RTP/AVP/TCP;unicast;interleaved=0-1";
const UDP = "RTP/AVP;unicast;client_port=5000-5001";

function sessionId(value: string | undefined): string {
  assert.ok(value, "no Session header");
  return value.split(";")[0];
}

async function playing(client: Client, transport = TCP, cseq = 1) {
  const setup = await client.request("SETUP", TRACK, { CSeq: cseq, Transport: transport });
  assert.equal(setup.status, 200);
  const session = sessionId(setup.headers.get("Session"));
  const play = await client.request("PLAY", URL, { CSeq: cseq + 1, Session: session });
  assert.equal(play.status, 200);
  return { session, play, setup };
}

Deno.test("OPTIONS succeeds for *, the stream and unknown paths, listing GET_PARAMETER", async () => {
  const { core } = makeCore();
  const client = new Client(core);
  for (const url of ["*", URL, "rtsp://127.0.0.1:8554/nothing/here"]) {
    const r = await client.request("OPTIONS", url, { CSeq: 7 });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("CSeq"), "7");
    assert.match(r.headers.get("Public") ?? "", /\bGET_PARAMETER\b/);
    assert.match(r.headers.get("Public") ?? "", /\bDESCRIBE\b.*\bSETUP\b.*\bPLAY\b/);
  }
});

Deno.test("CSeq is echoed exactly as sent", async () => {
  const { core } = makeCore();
  const r = await new Client(core).request("OPTIONS", "*", { CSeq: "0042" });
  assert.equal(r.headers.get("CSeq"), "0042");
});

Deno.test("DESCRIBE answers SDP with sprop-parameter-sets and a Content-Base ending in /", async () => {
  const { core } = makeCore();
  const r = await new Client(core).request("DESCRIBE", URL, { CSeq: 2, Accept: "application/sdp" });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get("Content-Type"), "application/sdp");
  assert.equal(r.headers.get("Content-Base"), `${URL}/`);
  const sdp = new TextDecoder().decode(r.body);
  assert.match(sdp, /^v=0\r\n/);
  assert.match(sdp, /\r\nm=video 0 RTP\/AVP 96\r\n/);
  assert.match(sdp, /\r\na=rtpmap:96 H264\/90000\r\n/);
  assert.match(
    sdp,
    /a=fmtp:96 packetization-mode=1;profile-level-id=42c01e;sprop-parameter-sets=Z0LAHtkAoC\/5cBEAAAMAAQAAAwA8DxYuSA==,aMuDyyA=/,
  );
  assert.match(sdp, /\r\na=control:trackID=0\r\n/);
  assert.match(sdp, /\r\na=framerate:30\r\n/);
  assert.match(sdp, /640-360/);
  assert.match(sdp, /\r\nc=IN IP4 0\.0\.0\.0\r\n/);
});

Deno.test("DESCRIBE strips credentials from Content-Base", async () => {
  const { core } = makeCore();
  const r = await new Client(core).request("DESCRIBE", "rtsp://user:secret@127.0.0.1:8554/stream", {
    CSeq: 2,
  });
  assert.equal(r.headers.get("Content-Base"), "rtsp://127.0.0.1:8554/stream/");
});

Deno.test("credentials in the SETUP URL are not echoed in RTP-Info", async () => {
  const { core } = makeCore();
  const client = new Client(core);
  const setup = await client.request(
    "SETUP",
    "rtsp://admin:hunter2@127.0.0.1:8554/stream/trackID=0",
    {
      CSeq: 1,
      Transport: TCP,
    },
  );
  const session = sessionId(setup.headers.get("Session"));
  const play = await client.request("PLAY", URL, { CSeq: 2, Session: session });
  assert.match(
    play.headers.get("RTP-Info") ?? "",
    /^url=rtsp:\/\/127\.0\.0\.1:8554\/stream\/trackID=0;/,
  );
});

Deno.test("DESCRIBE of an unknown path or of * is refused without an exception", async () => {
  const { core } = makeCore();
  const client = new Client(core);
  assert.equal(
    (await client.request("DESCRIBE", "rtsp://127.0.0.1:8554/nope", { CSeq: 1 })).status,
    404,
  );
  assert.equal((await client.request("DESCRIBE", "*", { CSeq: 2 })).status, 400);
  assert.equal(
    (await client.request("DESCRIBE", "rtsp://127.0.0.1:8554", { CSeq: 3 })).status,
    404,
  );
});

Deno.test("SETUP over TCP gives an interleaved pair and a 128-bit session id with its timeout", async () => {
  const { core, stream } = makeCore();
  const r = await new Client(core).request("SETUP", TRACK, { CSeq: 3, Transport: TCP });
  assert.equal(r.status, 200);
  const transport = r.headers.get("Transport") ?? "";
  assert.match(transport, /^RTP\/AVP\/TCP;unicast;interleaved=0-1/);
  assert.match(transport, new RegExp(`ssrc=${stream.ssrc.toString(16).padStart(8, "0")}`, "i"));
  assert.match(r.headers.get("Session") ?? "", /^[0-9a-f]{32};timeout=60$/);
});

Deno.test("SETUP accepts GStreamer's, ffmpeg's query-string and VLC's aggregate track URLs", async () => {
  const { core } = makeCore();
  for (
    const url of [
      TRACK,
      "rtsp://127.0.0.1:8554/stream?token=abc/trackID=0",
      URL,
      `${URL}/`,
    ]
  ) {
    const r = await new Client(core).request("SETUP", url, { CSeq: 1, Transport: TCP });
    assert.equal(r.status, 200, url);
  }
});

Deno.test("SETUP of a track that does not exist is 404", async () => {
  const { core } = makeCore();
  const r = await new Client(core).request("SETUP", `${URL}/trackID=1`, {
    CSeq: 1,
    Transport: TCP,
  });
  assert.equal(r.status, 404);
});

Deno.test("PLAY starts with the current GOP from its IDR, SPS and PPS in front, as RTP-Info says", async () => {
  const { core, stream } = makeCore();
  stream.sendFrame([slice()], { timestamp: 33_333 }); // the client joins mid-GOP
  const client = new Client(core);
  const { play } = await playing(client);
  const rtpInfo = play.headers.get("RTP-Info") ?? "";
  const seq = Number(/seq=(\d+)/.exec(rtpInfo)?.[1]);
  const rtptime = Number(/rtptime=(\d+)/.exec(rtpInfo)?.[1]);
  assert.match(rtpInfo, /^url=rtsp:\/\/127\.0\.0\.1:8554\/stream\/trackID=0;/);
  const { interleaved } = client.collect();
  const rtp = interleaved.filter((f) => f.channel === 0).map((f) => parseRtpPacket(f.payload)!);
  assert.ok(rtp.length >= 5, "GOP not replayed");
  assert.equal(rtp[0].sequenceNumber, seq);
  assert.equal(rtp[0].timestamp, rtptime);
  assert.equal(rtp[0].payload[0] & 0x1f, 7, "first packet is not the SPS");
  assert.equal(rtp[1].payload[0] & 0x1f, 8, "second packet is not the PPS");
  // the replayed P-frame follows the IDR, with its later timestamp
  assert.equal(rtp[rtp.length - 1].timestamp, (rtptime + 3000) >>> 0);
  assert.ok(rtp[rtp.length - 1].marker);
  // RTCP sender report on channel 1 right after PLAY
  const rtcp = interleaved.filter((f) => f.channel === 1);
  assert.equal(rtcp.length, 1);
  assert.equal(parseRtcpCompound(rtcp[0].payload)?.[0].type, "sr");
});

Deno.test("frames reach a playing reader in one write per frame, and stop on PAUSE", async () => {
  const { core, stream } = makeCore();
  const client = new Client(core);
  const { session } = await playing(client);
  client.collect();
  const before = client.tcp.writes.length;
  stream.sendFrame([slice(5000)], { timestamp: 33_333 });
  assert.equal(client.tcp.writes.length, before + 1, "one write for a four-packet frame");
  assert.equal(client.collect().interleaved.length, 4);
  assert.equal((await client.request("PAUSE", URL, { CSeq: 9, Session: session })).status, 200);
  stream.sendFrame([slice()], { timestamp: 66_666 });
  assert.equal(client.collect().interleaved.length, 0);
});

Deno.test("an IDR sent without SPS and PPS gets them in-band", async () => {
  const { core, stream } = makeCore();
  const client = new Client(core);
  await playing(client);
  client.collect();
  stream.sendFrame([idr(500)], { timestamp: 1_000_000 });
  const types = client.collect().interleaved.map((f) =>
    parseRtpPacket(f.payload)!.payload[0] & 0x1f
  );
  assert.deepEqual(types, [7, 8, 5]);
});

Deno.test("SETUP over UDP answers the server port pair and sends media only to the requester", async () => {
  const { core, stream, udp } = makeCore();
  const client = new Client(core, new FakeTcp("10.1.2.3"));
  const r = await client.request("SETUP", TRACK, {
    CSeq: 1,
    Transport: `${UDP};destination=192.0.2.99`,
  });
  assert.equal(r.status, 200);
  assert.match(r.headers.get("Transport") ?? "", /client_port=5000-5001;server_port=6970-6971/);
  const session = sessionId(r.headers.get("Session"));
  await client.request("PLAY", URL, { CSeq: 2, Session: session });
  stream.sendFrame([slice()], { timestamp: 33_333 });
  assert.ok(udp.rtp.sent.length >= 4);
  for (const d of udp.rtp.sent) assert.deepEqual([d.hostname, d.port], ["10.1.2.3", 5000]);
  assert.ok(udp.rtcp.sent.every((d) => d.hostname === "10.1.2.3" && d.port === 5001));
});

Deno.test("a UDP session without RTCP or requests times out; receiver reports keep one alive", async () => {
  const { core, clock, udp } = makeCore();
  const quiet = new Client(core, new FakeTcp("10.0.0.1"));
  const talking = new Client(core, new FakeTcp("10.0.0.2"));
  await playing(quiet, UDP);
  const { session } = await playing(talking, UDP);
  udp.rtcp.sent.length = 0;
  for (let s = 0; s < 70; s++) {
    clock.advance(1000);
    core.rtcpDatagram(
      buildReceiverReport({ ssrc: 1234, reports: [], cname: "c" }),
      { hostname: "10.0.0.2", port: 5001, family: "IPv4" },
    );
    core.tick();
  }
  assert.equal(core.sessions.size, 1);
  assert.equal(core.sessions.get(session)?.state, "play");
  // sender reports about every 5 s to the live one
  const reports = udp.rtcp.sent.filter((d) => d.hostname === "10.0.0.2").length;
  assert.ok(reports >= 13 && reports <= 15, `${reports} sender reports in 70 s`);
});

Deno.test("GET_PARAMETER is a keepalive: it answers 200 and keeps a session from timing out", async () => {
  const { core, clock } = makeCore();
  const client = new Client(core);
  const setup = await client.request("SETUP", TRACK, { CSeq: 1, Transport: UDP });
  const session = sessionId(setup.headers.get("Session"));
  for (let i = 0; i < 4; i++) {
    clock.advance(30_000);
    core.tick();
    const r = await client.request("GET_PARAMETER", URL, {
      CSeq: 2 + i,
      Session: `${session};timeout=60`,
    });
    assert.equal(r.status, 200);
  }
  assert.equal(core.sessions.size, 1);
  clock.advance(61_000);
  core.tick();
  assert.equal(core.sessions.size, 0);
});

Deno.test("ffmpeg's switch from UDP to TCP: PAUSE, then a new SETUP over TCP and PLAY", async () => {
  const { core, stream } = makeCore();
  const client = new Client(core);
  const first = await playing(client, UDP);
  assert.equal(
    (await client.request("PAUSE", URL, { CSeq: 5, Session: first.session })).status,
    200,
  );
  const second = await playing(client, TCP, 6);
  assert.notEqual(second.session, first.session);
  client.collect();
  stream.sendFrame([slice()], { timestamp: 33_333 });
  assert.equal(client.collect().interleaved.length, 1);
});

Deno.test("TEARDOWN ends the session; it is unknown afterwards", async () => {
  const { core } = makeCore();
  const client = new Client(core);
  const { session } = await playing(client);
  assert.equal((await client.request("TEARDOWN", URL, { CSeq: 8, Session: session })).status, 200);
  assert.equal(core.sessions.size, 0);
  assert.equal((await client.request("PLAY", URL, { CSeq: 9, Session: session })).status, 454);
});

Deno.test("a closed connection ends its interleaved sessions but not its UDP ones", async () => {
  const { core } = makeCore();
  const client = new Client(core);
  await playing(client, TCP);
  await playing(client, UDP, 3);
  assert.equal(core.sessions.size, 2);
  client.conn.closed();
  assert.equal(core.sessions.size, 1);
  assert.equal([...core.sessions.values()][0].interleaved, false);
});

// ---- malformed and hostile input (HARDENING.md) ----

Deno.test("an unknown method is 501 with Public; Require is 551 with Unsupported", async () => {
  const { core } = makeCore();
  const client = new Client(core);
  const r = await client.request("FROBNICATE", URL, { CSeq: 1 });
  assert.equal(r.status, 501);
  assert.match(r.headers.get("Public") ?? "", /OPTIONS/);
  const q = await client.request("DESCRIBE", URL, { CSeq: 2, Require: "implicit-play" });
  assert.equal(q.status, 551);
  assert.equal(q.headers.get("Unsupported"), "implicit-play");
});

Deno.test("a missing, repeated or non-numeric CSeq is 400 and the connection stays usable", async () => {
  const { core } = makeCore();
  const client = new Client(core);
  for (
    const bad of [
      "OPTIONS * RTSP/1.0\r\n\r\n",
      "OPTIONS * RTSP/1.0\r\nCSeq: x1\r\n\r\n",
      "OPTIONS * RTSP/1.0\r\nCSeq: 1\r\nCSeq: 2\r\n\r\n",
    ]
  ) {
    const { responses } = await client.send(bad);
    assert.equal(responses[0].status, 400);
    assert.equal(responses[0].headers.get("CSeq"), undefined);
  }
  assert.equal((await client.request("OPTIONS", "*", { CSeq: 3 })).status, 200);
});

Deno.test("RTSP/2.0 is 505 and an HTTP request on the RTSP port is 400, then the link closes", async () => {
  for (
    const [text, status] of [["OPTIONS * RTSP/2.0\r\nCSeq: 1\r\n\r\n", 505], [
      "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
      400,
    ]] as const
  ) {
    const { core } = makeCore();
    const client = new Client(core);
    const { responses } = await client.send(text);
    assert.equal(responses[0].status, status);
    assert.ok(client.tcp.ended);
  }
});

Deno.test("garbage and control bytes get 400 and a close, never a reflected byte", async () => {
  const { core } = makeCore();
  const client = new Client(core);
  const { responses } = await client.send(" OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n");
  assert.equal(responses[0].status, 400);
  assert.ok(client.tcp.ended);
  const other = new Client(core);
  const r = await other.send("OPTIONS * RTSP/1.0\r\nCSeq: 1\r\nX-Evil: a\x00b\r\n\r\n");
  assert.equal(r.responses[0].status, 400);
});

Deno.test("PLAY, PAUSE and TEARDOWN without a session, or with a guessed one, are 454", async () => {
  const { core } = makeCore();
  const client = new Client(core);
  for (const method of ["PLAY", "PAUSE", "TEARDOWN"]) {
    assert.equal((await client.request(method, URL, { CSeq: 1 })).status, 454);
    assert.equal(
      (await client.request(method, URL, { CSeq: 2, Session: "0123456789abcdef0123456789abcdef" }))
        .status,
      454,
    );
  }
});

Deno.test("a session is refused from another IP, and an interleaved one from another connection", async () => {
  const { core } = makeCore();
  const owner = new Client(core, new FakeTcp("10.0.0.1"));
  const udp = await playing(owner, UDP);
  const tcp = await playing(owner, TCP, 3);
  const stranger = new Client(core, new FakeTcp("10.0.0.9"));
  assert.equal(
    (await stranger.request("TEARDOWN", URL, { CSeq: 1, Session: udp.session })).status,
    454,
  );
  const sameIp = new Client(core, new FakeTcp("10.0.0.1", 40001));
  assert.equal((await sameIp.request("PAUSE", URL, { CSeq: 1, Session: tcp.session })).status, 454);
  // a UDP session may be driven from another connection of the same client (RFC 2326 §3)
  assert.equal((await sameIp.request("PAUSE", URL, { CSeq: 2, Session: udp.session })).status, 200);
  assert.equal(core.sessions.size, 2);
});

Deno.test("SETUP of the same track twice in a session, double PLAY and PLAY/PAUSE churn leave state sound", async () => {
  const { core, stream } = makeCore();
  const client = new Client(core);
  const { session } = await playing(client);
  const again = await client.request("SETUP", TRACK, { CSeq: 5, Transport: TCP, Session: session });
  assert.equal(again.status, 459);
  assert.equal((await client.request("PLAY", URL, { CSeq: 6, Session: session })).status, 200);
  for (let i = 0; i < 20; i++) {
    await client.request(i % 2 ? "PAUSE" : "PLAY", URL, { CSeq: 7 + i, Session: session });
  }
  assert.equal(core.sessions.size, 1);
  assert.equal(stream.stats.readers, 0); // ended paused
  await client.request("PLAY", URL, { CSeq: 40, Session: session });
  assert.equal(stream.stats.readers, 1);
});

Deno.test("Transport missing, empty, multicast-only or with a bad port is refused", async () => {
  const { core } = makeCore();
  const client = new Client(core);
  const cases: [Record<string, string>, number[]][] = [
    [{}, [461]],
    [{ Transport: "" }, [461]],
    [{ Transport: "RTP/AVP;multicast" }, [461]],
    [{ Transport: "RTP/AVP;unicast" }, [461]],
    [{ Transport: "RTP/AVP;unicast;client_port=0-1" }, [400, 461]],
    [{ Transport: "RTP/AVP;unicast;client_port=70000-70001" }, [400, 461]],
    [{ Transport: "RTP/AVP;unicast;client_port=5001-5000" }, [400, 461]],
    [{ Transport: "RTP/AVP;unicast;client_port=5001-5002" }, [461]],
    [{ Transport: "RTP/AVP;unicast;client_port=5000-5003" }, [461]],
    [{ Transport: "RTP/AVP/TCP;interleaved=300-301" }, [400, 461]],
    [{ Transport: "RTP/SAVP;unicast;client_port=5000-5001" }, [461]],
  ];
  for (const [headers, statuses] of cases) {
    const r = await client.request("SETUP", TRACK, { CSeq: 1, ...headers });
    assert.ok(statuses.includes(r.status), `${JSON.stringify(headers)} → ${r.status}`);
  }
  assert.equal(core.sessions.size, 0);
});

Deno.test("interleaved channels already in use on the connection are replaced by free ones", async () => {
  const { core } = makeCore();
  core.addStream("/other", { codec: "h264" });
  const client = new Client(core);
  await client.request("SETUP", TRACK, { CSeq: 1, Transport: TCP });
  const r = await client.request("SETUP", "rtsp://127.0.0.1:8554/other/trackID=0", {
    CSeq: 2,
    Transport: TCP,
  });
  assert.match(r.headers.get("Transport") ?? "", /interleaved=2-3/);
});

Deno.test("interleaved data before PLAY closes the connection; RTCP while playing is liveness", async () => {
  const { core, clock } = makeCore();
  const early = new Client(core);
  await early.send(new Uint8Array([0x24, 0, 0, 2, 1, 2]));
  assert.ok(early.tcp.ended);
  const client = new Client(core);
  const { session } = await playing(client);
  const rr = buildReceiverReport({ ssrc: 99, reports: [], cname: "c" });
  clock.advance(50_000);
  await client.send(new Uint8Array([0x24, 1, 0, rr.length, ...rr]));
  assert.equal(core.sessions.get(session)!.lastSeen, clock.now());
  await client.send(new Uint8Array([0x24, 9, 0, 1, 0])); // unconfigured channel: dropped
  assert.equal(client.tcp.ended, false);
});

Deno.test("RTCP after TEARDOWN (live555) is dropped with no warning; the connection stays", async () => {
  const { core } = makeCore();
  const lines: string[] = [];
  core.logger = { log: (level, message) => void lines.push(`${level} ${message}`) };
  const client = new Client(core);
  const { session } = await playing(client);
  assert.equal((await client.request("TEARDOWN", URL, { CSeq: 8, Session: session })).status, 200);
  const rr = buildReceiverReport({ ssrc: 7, reports: [], cname: "c" });
  await client.send(new Uint8Array([0x24, 1, 0, rr.length, ...rr]));
  assert.equal(client.tcp.ended, false);
  assert.deepEqual(lines.filter((l) => /^(warn|error)/.test(l)), []);
  assert.ok(lines.includes("debug interleaved data after the session ended; dropped"));
  assert.equal((await client.request("OPTIONS", "*", { CSeq: 9 })).status, 200);
});

Deno.test("interleaved data after a SETUP that never played still closes (HARDENING item 15)", async () => {
  const { core } = makeCore();
  const client = new Client(core);
  const setup = await client.request("SETUP", TRACK, { CSeq: 1, Transport: TCP });
  const session = sessionId(setup.headers.get("Session"));
  assert.equal((await client.request("TEARDOWN", URL, { CSeq: 2, Session: session })).status, 200);
  await client.send(new Uint8Array([0x24, 1, 0, 2, 1, 2]));
  assert.ok(client.tcp.ended);
});

Deno.test("an empty Session header names no session: OPTIONS and DESCRIBE answer as without one", async () => {
  const { core } = makeCore();
  const client = new Client(core);
  assert.equal((await client.request("OPTIONS", URL, { CSeq: 1, Session: "" })).status, 200);
  assert.equal((await client.request("DESCRIBE", URL, { CSeq: 2, Session: " " })).status, 200);
  assert.equal((await client.request("PLAY", URL, { CSeq: 3, Session: "" })).status, 454);
});

Deno.test("RTCP that arrives after PAUSE keeps the connection (GStreamer, before its TEARDOWN)", async () => {
  const { core } = makeCore();
  const client = new Client(core);
  const { session } = await playing(client);
  assert.equal((await client.request("PAUSE", URL, { CSeq: 5, Session: session })).status, 200);
  const rr = buildReceiverReport({ ssrc: 7, reports: [], cname: "c" });
  await client.send(new Uint8Array([0x24, 1, 0, rr.length, ...rr]));
  assert.equal(client.tcp.ended, false);
  assert.equal((await client.request("TEARDOWN", URL, { CSeq: 6, Session: session })).status, 200);
});

Deno.test("a request header not complete within the deadline closes the connection", async () => {
  const { core, clock } = makeCore();
  const client = new Client(core);
  await client.send("OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n");
  for (let i = 0; i < 9; i++) {
    clock.advance(1000);
    await client.send("X-Drip: 1\r\n"); // bytes keep coming, but the deadline is absolute
    core.tick();
  }
  assert.equal(client.tcp.destroyed, false);
  clock.advance(1500);
  core.tick();
  assert.equal(client.tcp.destroyed, true);
  assert.equal(core.stats.slowRequests, 1);
});

Deno.test("a stalled reader drops whole frames until a keyframe, is cut at the write deadline, and delays no one", async () => {
  const { core, clock, stream } = makeCore({ maxQueueBytes: 20_000 });
  const slow = new Client(core);
  const fast = new Client(core);
  await playing(slow);
  await playing(fast);
  slow.tcp.stalled = true;
  fast.collect();
  let ts = 33_333;
  for (let i = 0; i < 60; i++) {
    stream.sendFrame(i % 30 === 29 ? [SPS, PPS, idr()] : [slice(2000)], {
      timestamp: ts += 33_333,
    });
  }
  const fastFrames =
    fast.collect().interleaved.filter((f) => parseRtpPacket(f.payload)?.marker).length;
  assert.equal(fastFrames, 60);
  const slowRole = [...core.sessions.values()].map((s) => s.role).find((r) =>
    r.name === "reader" && r.reader.transport.queuedBytes > 0
  );
  assert.ok(slowRole?.name === "reader" && slowRole.reader.stats.framesDropped > 0);
  assert.ok(slow.tcp.bufferedBytes <= 20_000 + 10_000);
  for (let i = 0; i < 11; i++) {
    clock.advance(1000);
    core.tick();
  }
  assert.equal(slow.tcp.destroyed, true);
  assert.equal(fast.tcp.destroyed, false);
});

Deno.test("sessions and connections are capped per IP and in total", async () => {
  const { core } = makeCore({ maxSessionsPerIp: 2, maxConnectionsPerIp: 3 });
  const client = new Client(core);
  assert.equal((await client.request("SETUP", TRACK, { CSeq: 1, Transport: UDP })).status, 200);
  assert.equal((await client.request("SETUP", TRACK, { CSeq: 2, Transport: UDP })).status, 200);
  assert.equal((await client.request("SETUP", TRACK, { CSeq: 3, Transport: UDP })).status, 453);
  new Client(core);
  new Client(core);
  assert.throws(() => new Client(core), /refused/);
  assert.equal(core.stats.refusedConnections, 1);
});

Deno.test("pipelined requests are answered in order", async () => {
  const { core } = makeCore();
  const client = new Client(core);
  let text = "";
  for (let i = 1; i <= 5; i++) text += `OPTIONS * RTSP/1.0\r\nCSeq: ${i}\r\n\r\n`;
  text += `DESCRIBE ${URL} RTSP/1.0\r\nCSeq: 6\r\n\r\n`;
  const { responses } = await client.send(text);
  assert.deepEqual(responses.map((r) => r.headers.get("CSeq")), ["1", "2", "3", "4", "5", "6"]);
});

Deno.test("SET_PARAMETER and GET_PARAMETER naming a parameter are 451", async () => {
  const { core } = makeCore();
  const client = new Client(core);
  const { responses } = await client.send(
    `SET_PARAMETER ${URL} RTSP/1.0\r\nCSeq: 1\r\nContent-Type: text/parameters\r\nContent-Length: 10\r\n\r\nfoo: bar\r\n`,
  );
  assert.equal(responses[0].status, 451);
});
