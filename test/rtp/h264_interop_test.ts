/**
 * H.264 over RTP against real implementations: ffmpeg's packetizer feeds our depacketizer (over
 * loopback UDP, paced at the frame rate) and ffmpeg decodes the result; our packetizer feeds
 * GStreamer's rtph264depay (RFC 4571 framing through a pipe, no network) and GStreamer decodes
 * every frame. Skipped when the programs are not installed, except under CI=true, where a missing
 * program fails the test.
 */
import assert from "node:assert/strict";
import { createSocket, type Socket } from "node:dgram";
import { type H264AccessUnitOut, H264Depacketizer } from "../../src/rtp/h264_depacketizer.ts";
import { H264Packetizer } from "../../src/rtp/h264_packetizer.ts";
import { parseRtpPacket, type RtpPacket } from "../../src/rtp/header.ts";
import { parseRtcpCompound, type RtcpPacket } from "../../src/rtcp/parse.ts";

const FRAMES = 25;

function installed(program: string, arg: string): boolean {
  try {
    return new Deno.Command(program, { args: [arg], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

const IN_CI = Deno.env.get("CI") === "true";
const hasFfmpeg = IN_CI || installed("ffmpeg", "-version");
const hasGstreamer = IN_CI || hasFfmpeg && installed("gst-inspect-1.0", "rtpstreamdepay") &&
    installed("gst-inspect-1.0", "rtph264depay") && installed("gst-inspect-1.0", "avdec_h264");

function listen(onMessage: (bytes: Uint8Array) => void): Promise<{ socket: Socket; port: number }> {
  const socket = createSocket("udp4");
  socket.on("message", (msg: Uint8Array) => onMessage(new Uint8Array(msg)));
  return new Promise((resolve) => {
    socket.bind(0, "127.0.0.1", () => resolve({ socket, port: socket.address().port }));
  });
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function annexB(units: H264AccessUnitOut[]): Uint8Array {
  const parts = units.flatMap((au) =>
    au.nalUnits.flatMap((n) => [new Uint8Array([0, 0, 0, 1]), n])
  );
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

interface Capture {
  packets: RtpPacket[];
  rtcp: (RtcpPacket[] | undefined)[];
}

let captured: Promise<Capture> | undefined;

/** How many of the datagrams are RTP packets with the marker bit set. */
function markers(datagrams: Uint8Array[]): number {
  return datagrams.filter((b) => b.length >= 12 && (b[1] & 0x80) !== 0).length;
}

/** RTP and RTCP of FRAMES frames that ffmpeg encodes and packetizes (made once per run). */
function capture(): Promise<Capture> {
  captured ??= (async () => {
    const rtp: Uint8Array[] = [];
    const rtcp: Uint8Array[] = [];
    const media = await listen((b) => rtp.push(b));
    const control = await listen((b) => rtcp.push(b));
    try {
      // Small packets force FU-A; sliced threads put several slices (NAL units) in a frame.
      // -re sends at the clip's frame rate: all at once, the clip's 250 packets overflow our
      // socket buffer (208 KB of kernel accounting by default) whenever this process is not
      // scheduled during the burst. One frame at a time, it holds over half a second of them.
      // (node:dgram's recvBufferSize would be the other cure, but Deno ignores it.)
      const sender = await new Deno.Command("ffmpeg", {
        args: [
          ...["-hide_banner", "-loglevel", "error", "-re", "-f", "lavfi"],
          ...["-i", `testsrc2=size=320x240:rate=25`, "-frames:v", String(FRAMES)],
          ...["-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "10"],
          ...["-x264-params", "sliced-threads=1:threads=4", "-pkt_size", "500", "-f", "rtp"],
          `rtp://127.0.0.1:${media.port}?rtcpport=${control.port}`,
        ],
        stdout: "null",
        stderr: "piped",
      }).output();
      assert.ok(sender.success, new TextDecoder().decode(sender.stderr));
      // Everything sent is in our socket buffers now; wait until it is read, however busy the
      // machine: the last packet of each frame carries the marker bit (RFC 6184 §5.1).
      const deadline = Date.now() + 10_000;
      while (markers(rtp) < FRAMES && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      media.socket.close();
      control.socket.close();
    }
    const packets = rtp.map((b) => parseRtpPacket(b));
    assert.ok(packets.every((p) => p !== undefined), "every RTP packet parses");
    return { packets: packets as RtpPacket[], rtcp: rtcp.map((b) => parseRtcpCompound(b)) };
  })();
  return captured;
}

function depacketize(packets: RtpPacket[]): { units: H264AccessUnitOut[]; dropped: number } {
  const d = new H264Depacketizer();
  const units = packets.map((p) => d.push(p)).filter((au) => au !== undefined);
  units.push(...d.flush());
  return { units, dropped: d.dropped };
}

async function run(
  program: string,
  args: string[],
  input: Uint8Array,
): Promise<{ success: boolean; stdout: Uint8Array; stderr: string }> {
  const child = new Deno.Command(program, {
    args,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // Read while writing: a child that fills its stdout pipe stops reading its stdin.
  const output = child.output();
  const writer = child.stdin.getWriter();
  await writer.write(input);
  await writer.close();
  const out = await output;
  return {
    success: out.success,
    stdout: out.stdout,
    stderr: new TextDecoder().decode(out.stderr),
  };
}

Deno.test({
  name: "H264Depacketizer reassembles ffmpeg's RTP into a stream ffmpeg decodes frame for frame",
  ignore: !hasFfmpeg,
  async fn() {
    const { packets, rtcp } = await capture();
    const { units, dropped } = depacketize(packets);
    assert.equal(dropped, 0);
    assert.equal(units.length, FRAMES);
    assert.equal(units[0].keyframe, true);
    assert.deepEqual(units[0].nalUnits.slice(0, 2).map((n) => n[0] & 0x1f), [7, 8]);
    assert.ok(
      units.some((au) => au.nalUnits.length > 2 && !au.keyframe),
      "several slices per frame",
    );
    assert.ok(packets.some((p) => (p.payload[0] & 0x1f) === 28), "FU-A seen");

    assert.ok(rtcp.length > 0 && rtcp.every((r) => r !== undefined), "every RTCP parses");
    const sr = rtcp[0]![0];
    assert.equal(sr.type === "sr" && sr.ssrc, packets[0].ssrc);

    // Our packetizer and depacketizer carry ffmpeg's access units through unchanged.
    const packetizer = new H264Packetizer({ payloadType: 96, ssrc: 1, initialSequence: 65500 });
    const again = new H264Depacketizer();
    for (const au of units) {
      const out = [...packetizer.packetize(au.nalUnits, au.timestamp).packets()]
        .map((b) => again.push(parseRtpPacket(b)!))
        .filter((x) => x !== undefined);
      assert.deepEqual(out, [au]);
    }

    // ffmpeg decodes what we reassembled, every frame, without error.
    const decoded = await run(
      "ffmpeg",
      ["-v", "error", "-xerror", "-f", "h264", "-i", "-", "-f", "framemd5", "-"],
      annexB(units),
    );
    assert.ok(decoded.success, decoded.stderr);
    const frames = new TextDecoder().decode(decoded.stdout).split("\n")
      .filter((line) => line && !line.startsWith("#"));
    assert.equal(frames.length, FRAMES);
  },
});

Deno.test({
  name:
    "H264Packetizer output decodes in GStreamer to the same pictures as the source access units",
  ignore: !hasGstreamer,
  async fn() {
    const { units } = depacketize((await capture()).packets);
    const packetizer = new H264Packetizer({
      payloadType: 96,
      ssrc: 0xabcdef,
      initialSequence: 65530,
      maxPayloadSize: 300,
    });
    // RFC 4571 framing: a 16-bit length before each packet.
    const chunks: Uint8Array[] = [];
    for (const au of units) {
      for (const packet of packetizer.packetize(au.nalUnits, au.timestamp).packets()) {
        chunks.push(new Uint8Array([packet.length >> 8, packet.length & 0xff]), packet.slice());
      }
    }
    const stream = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    chunks.reduce((at, c) => (stream.set(c, at), at + c.length), 0);
    const caps = "application/x-rtp-stream,media=video,clock-rate=90000,encoding-name=H264," +
      "payload=96,packetization-mode=1";
    const decoded = await run("gst-launch-1.0", [
      "-q",
      ..."fdsrc fd=0 !".split(" "),
      caps,
      ..."! rtpstreamdepay ! rtph264depay ! h264parse ! avdec_h264".split(" "),
      ..."! video/x-raw,format=I420 ! fdsink fd=1".split(" "),
    ], stream);
    assert.ok(decoded.success, decoded.stderr);
    assert.equal(decoded.stdout.length, FRAMES * 320 * 240 * 1.5);
    // GStreamer conceals losses, so a frame count proves little: the pictures must be identical to
    // ffmpeg's decode of the same access units (both decoders are libavcodec's).
    const reference = await run(
      "ffmpeg",
      ["-v", "error", "-f", "h264", "-i", "-", "-f", "rawvideo", "-pix_fmt", "yuv420p", "-"],
      annexB(units),
    );
    assert.ok(reference.success, reference.stderr);
    assert.ok(equalBytes(decoded.stdout, reference.stdout), "GStreamer's pictures equal ffmpeg's");
  },
});
