/**
 * A stream with an audio track, through the socket-free harness: DESCRIBE lists both tracks, a
 * reader sets up both or either, PLAY's RTP-Info names what was set up, packets go only where a
 * track was set up, sender reports of both tracks name one instant, and fast start replays the
 * sound of the same instants as the cached pictures.
 */

import assert from "node:assert/strict";
import type { AudioFormat } from "../../src/codec/audio_format.ts";
import { ntpToUnixMs } from "../../src/rtcp/ntp.ts";
import { parseRtcpCompound } from "../../src/rtcp/parse.ts";
import { parseRtpPacket, type RtpPacket } from "../../src/rtp/header.ts";
import { parseRtpInfo } from "../../src/rtsp/rtp_info.ts";
import type { RtspResponse } from "../../src/rtsp/message.ts";
import { pathSnapshots } from "../../src/server/introspection.ts";
import { Client, FakeTcp, idr, makeCore, slice, URL } from "./conversation.ts";

const AAC: AudioFormat = {
  codec: "aac",
  clockRate: 48000,
  channels: 2,
  config: new Uint8Array([0x11, 0x90]),
};
const TCP_VIDEO = "RTP/AVP/TCP;unicast;interleaved=0-1";
const TCP_AUDIO = "RTP/AVP/TCP;unicast;interleaved=2-3";

function sessionOf(r: RtspResponse): string {
  const value = r.headers.get("Session");
  assert.ok(value, `no Session header (status ${r.status})`);
  return value.split(";")[0];
}

/** A core whose /stream carries AAC beside its video, the first keyframe at source time 0. */
function coreWithAudio() {
  const made = makeCore();
  made.stream.setAudio(AAC);
  return made;
}

/** One (tiny) AAC access unit. */
function aacPayload(n: number): Uint8Array {
  return new Uint8Array([n, n, n, n]);
}

async function setupAndPlay(client: Client, tracks: [string, string][]): Promise<RtspResponse> {
  let session: string | undefined;
  let cseq = 1;
  for (const [url, transport] of tracks) {
    const headers: Record<string, string | number> = { CSeq: cseq++, Transport: transport };
    if (session) headers.Session = session;
    const setup = await client.request("SETUP", url, headers);
    assert.equal(setup.status, 200, `SETUP ${url}`);
    session ??= sessionOf(setup);
  }
  const play = await client.request("PLAY", URL, { CSeq: cseq, Session: session! });
  assert.equal(play.status, 200);
  return play;
}

function packetsOn(client: Client, channel: number): RtpPacket[] {
  return client.collect().interleaved.filter((f) => f.channel === channel).map((f) =>
    parseRtpPacket(f.payload)!
  );
}

Deno.test("DESCRIBE lists the video, then the audio with its own control URL and format", async () => {
  const { core } = coreWithAudio();
  const r = await new Client(core).request("DESCRIBE", URL, { CSeq: 1 });
  assert.equal(r.status, 200);
  const sdp = new TextDecoder().decode(r.body);
  const video = sdp.indexOf("m=video 0 RTP/AVP 96");
  const audio = sdp.indexOf("m=audio 0 RTP/AVP 97");
  assert.ok(video > 0 && audio > video, sdp);
  const audioSection = sdp.slice(audio);
  assert.match(audioSection, /a=rtpmap:97 mpeg4-generic\/48000\/2\r\n/);
  assert.match(audioSection, /a=fmtp:97 streamtype=5;.*config=1190\r\n/);
  assert.match(audioSection, /a=control:trackID=1\r\n/);
});

Deno.test("G.711 at 8000 Hz mono goes out with its static payload type (RFC 3551 Table 4)", async () => {
  const { core, stream } = makeCore();
  stream.setAudio({ codec: "pcma", clockRate: 8000, channels: 1 });
  const sdp = new TextDecoder().decode(
    (await new Client(core).request("DESCRIBE", URL, { CSeq: 1 })).body,
  );
  assert.match(sdp, /m=audio 0 RTP\/AVP 8\r\n/);
  assert.match(sdp, /a=rtpmap:8 PCMA\/8000\r\n/);
});

Deno.test("a reader of both tracks gets each on its channels, with its own SSRC and sequence", async () => {
  const { core, stream } = coreWithAudio();
  const client = new Client(core);
  const play = await setupAndPlay(client, [
    [`${URL}/trackID=0`, TCP_VIDEO],
    [`${URL}/trackID=1`, TCP_AUDIO],
  ]);
  const info = parseRtpInfo(play.headers.get("RTP-Info")!);
  assert.deepEqual(info.map((e) => e.url), [`${URL}/trackID=0`, `${URL}/trackID=1`]);
  client.collect();
  stream.sendAudio(aacPayload(1), 5_000);
  stream.sendAudio(aacPayload(2), 26_333);
  const audio = packetsOn(client, 2);
  assert.equal(audio.length, 2);
  assert.ok(audio.every((p) => p.ssrc === stream.audio!.ssrc && p.payloadType === 97));
  assert.notEqual(stream.audio!.ssrc, stream.ssrc);
  assert.equal((audio[1].sequenceNumber - audio[0].sequenceNumber) & 0xffff, 1);
  assert.equal((audio[1].timestamp - audio[0].timestamp) >>> 0, 1024, "21.333 ms at 48 kHz");
  // RFC 3640 §3.2.1: AU-headers-length 16 bits, then one 13+3-bit AU header, then the unit.
  assert.deepEqual([...audio[0].payload], [0x00, 0x10, 0x00, 0x20, ...aacPayload(1)]);
  assert.equal(info[1].seq, audio[0].sequenceNumber, "RTP-Info names the first audio packet");
});

Deno.test("a reader that set up only the video gets no audio, one of only the audio no video", async () => {
  const { core, stream } = coreWithAudio();
  const videoOnly = new Client(core, new FakeTcp("127.0.0.2"));
  await setupAndPlay(videoOnly, [[`${URL}/trackID=0`, TCP_VIDEO]]);
  const audioOnly = new Client(core, new FakeTcp("127.0.0.3"));
  await setupAndPlay(audioOnly, [[`${URL}/trackID=1`, TCP_VIDEO]]);
  videoOnly.collect();
  audioOnly.collect();
  stream.sendFrame([slice()], { timestamp: 33_333 });
  stream.sendAudio(aacPayload(1), 33_333);
  const v = videoOnly.collect().interleaved;
  const a = audioOnly.collect().interleaved;
  assert.ok(v.length > 0 && v.every((f) => f.channel === 0 || f.channel === 1));
  assert.ok(v.every((f) => f.channel === 1 || parseRtpPacket(f.payload)!.payloadType === 96));
  const audioPackets = a.filter((f) => f.channel === 0).map((f) => parseRtpPacket(f.payload)!);
  assert.deepEqual(audioPackets.map((p) => p.payloadType), [97]);
  assert.equal(stream.readerCount, 2, "an audio-only reader counts as a reader");
});

Deno.test("sender reports of both tracks map one instant: picture and sound line up", async () => {
  const { core, clock, stream } = coreWithAudio();
  const client = new Client(core);
  await setupAndPlay(client, [
    [`${URL}/trackID=0`, TCP_VIDEO],
    [`${URL}/trackID=1`, TCP_AUDIO],
  ]);
  client.collect();
  clock.advance(40);
  stream.sendFrame([idr()], { timestamp: 40_000 });
  stream.sendAudio(aacPayload(1), 40_000);
  clock.advance(6000);
  stream.sendFrame([slice()], { timestamp: 6_040_000 });
  stream.sendAudio(aacPayload(2), 6_040_000);
  clock.advance(10);
  core.tick(); // the next sender reports are due
  const frames = client.collect().interleaved;
  const reports = new Map<number, { ntp: number; rtp: number }>();
  for (const f of frames.filter((f) => f.channel === 1 || f.channel === 3)) {
    const sr = parseRtcpCompound(f.payload)?.find((p) => p.type === "sr");
    if (sr?.type === "sr") {
      reports.set(f.channel, { ntp: ntpToUnixMs(sr.ntp), rtp: sr.rtpTimestamp });
    }
  }
  assert.ok(reports.has(1) && reports.has(3), "a sender report per track");
  const last = (channel: number) =>
    frames.filter((f) => f.channel === channel).map((f) => parseRtpPacket(f.payload)!).at(-1)!;
  // Each track's last packet, placed on the wall clock through its own sender report.
  const wallOf = (channel: number, rate: number) => {
    const sr = reports.get(channel + 1)!;
    return sr.ntp + ((last(channel).timestamp - sr.rtp) | 0) / rate * 1000;
  };
  const video = wallOf(0, 90_000);
  const audio = wallOf(2, 48_000);
  assert.ok(Math.abs(video - audio) < 1, `video at ${video}, audio at ${audio}`);
});

Deno.test("fast start replays the sound from the cached keyframe's instant on, in time order", async () => {
  const { core, clock, stream } = makeCore();
  stream.setAudio(AAC);
  clock.advance(100);
  stream.sendFrame([idr()], { timestamp: 1_000_000 }); // a new GOP
  stream.sendAudio(aacPayload(1), 990_000); // before the keyframe: not replayed
  stream.sendAudio(aacPayload(2), 1_010_000);
  clock.advance(33);
  stream.sendFrame([slice()], { timestamp: 1_033_333 });
  stream.sendAudio(aacPayload(3), 1_031_000);
  const client = new Client(core);
  const play = await setupAndPlay(client, [
    [`${URL}/trackID=0`, TCP_VIDEO],
    [`${URL}/trackID=1`, TCP_AUDIO],
  ]);
  const order = client.collect().interleaved.filter((f) => f.channel === 0 || f.channel === 2)
    .map((f) => {
      const p = parseRtpPacket(f.payload)!;
      return f.channel === 0 ? (p.marker ? "V" : "v") : `A${p.payload[4]}`;
    }).filter((x) => x !== "v");
  assert.deepEqual(order, ["V", "A2", "A3", "V"]);
  const info = parseRtpInfo(play.headers.get("RTP-Info")!);
  assert.ok(info[1].seq !== undefined);
});

Deno.test("SETUP of a track that is not there, twice, or after PLAY is refused", async () => {
  const { core, stream } = makeCore();
  const client = new Client(core);
  const none = await client.request("SETUP", `${URL}/trackID=1`, { CSeq: 1, Transport: TCP_VIDEO });
  assert.equal(none.status, 404, "no audio track");
  stream.setAudio(AAC);
  const first = await client.request("SETUP", `${URL}/trackID=0`, {
    CSeq: 2,
    Transport: TCP_VIDEO,
  });
  const session = sessionOf(first);
  const twice = await client.request("SETUP", `${URL}/trackID=0`, {
    CSeq: 3,
    Session: session,
    Transport: TCP_AUDIO,
  });
  assert.equal(twice.status, 459);
  assert.equal((await client.request("PLAY", URL, { CSeq: 4, Session: session })).status, 200);
  const late = await client.request("SETUP", `${URL}/trackID=1`, {
    CSeq: 5,
    Session: session,
    Transport: TCP_AUDIO,
  });
  assert.equal(late.status, 455);
});

Deno.test("the audio track over UDP goes to the client's audio ports", async () => {
  const { core, stream, udp } = coreWithAudio();
  const client = new Client(core);
  await setupAndPlay(client, [
    [`${URL}/trackID=0`, "RTP/AVP;unicast;client_port=5000-5001"],
    [`${URL}/trackID=1`, "RTP/AVP;unicast;client_port=5002-5003"],
  ]);
  udp.rtp.sent.length = 0;
  stream.sendAudio(aacPayload(1), 10_000);
  assert.deepEqual(udp.rtp.sent.map((d) => [d.port, parseRtpPacket(d.data)!.payloadType]), [
    [5002, 97],
  ]);
});

Deno.test("a path's snapshot names its audio, for the API, the console and the metrics", () => {
  const { core } = coreWithAudio();
  const [snap] = pathSnapshots(core);
  assert.deepEqual(snap.audio, {
    codec: "aac",
    clockRate: 48000,
    channels: 2,
    label: "AAC 48000 Hz stereo",
  });
});
