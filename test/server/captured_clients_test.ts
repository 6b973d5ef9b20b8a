/**
 * The exact requests ffmpeg, GStreamer and VLC send (test/testdata/rtsp/), replayed through the
 * state machine: each conversation must reach PLAY and get media. Captured session ids are swapped
 * for the one the server just gave, as a client would.
 */

import assert from "node:assert/strict";
import { Client, idr, makeCore, PPS, SPS } from "./conversation.ts";

const DATA = new URL("../testdata/rtsp/", import.meta.url);

async function replay(files: string[]): Promise<{ statuses: number[]; media: number }> {
  const { core, stream, udp } = makeCore();
  // captured URLs name other paths and ports; the stream is served wherever they point
  core.addStream("/cam", { codec: "h264" }).sendFrame([SPS, PPS, idr()]);
  const client = new Client(core);
  const statuses: number[] = [];
  let session = "";
  for (const file of files) {
    let text = await Deno.readTextFile(new URL(file, DATA));
    if (session) text = text.replace(/^Session: [^;\r\n]+/m, `Session: ${session}`);
    const { responses } = await client.send(text);
    assert.equal(responses.length, 1, file);
    statuses.push(responses[0].status);
    session ||= responses[0].headers.get("Session")?.split(";")[0] ?? "";
  }
  client.collect();
  stream.sendFrame([new Uint8Array([0x41, 0x9a, 1, 2, 3])]);
  for (const s of core.mounts.values()) s.sendFrame([new Uint8Array([0x41, 0x9a, 1, 2, 3])]);
  return { statuses, media: client.collect().interleaved.length + udp.rtp.sent.length };
}

const CONVERSATIONS: Record<string, string[]> = {
  "ffmpeg over TCP": [
    "ffmpeg_options.txt",
    "ffmpeg_describe.txt",
    "ffmpeg_setup_tcp.txt",
    "ffmpeg_play.txt",
  ],
  "ffprobe over UDP": [
    "ffmpeg_options.txt",
    "ffmpeg_describe.txt",
    "ffmpeg_setup_udp.txt",
    "ffmpeg_play.txt",
  ],
  "GStreamer over TCP": [
    "gstreamer_options.txt",
    "gstreamer_describe.txt",
    "gstreamer_setup_tcp.txt",
    "gstreamer_play.txt",
    "gstreamer_teardown.txt",
  ],
  "GStreamer over UDP": [
    "gstreamer_options.txt",
    "gstreamer_describe.txt",
    "gstreamer_setup_udp.txt",
    "gstreamer_play.txt",
  ],
  "VLC over UDP": [
    "vlc_options.txt",
    "vlc_describe.txt",
    "vlc_setup_udp.txt",
    "vlc_play.txt",
    "vlc_get_parameter.txt",
  ],
  "VLC over TCP": ["vlc_options.txt", "vlc_describe.txt", "vlc_setup_tcp.txt", "vlc_play.txt"],
};

for (const [name, files] of Object.entries(CONVERSATIONS)) {
  Deno.test(`${name}: the captured requests are all answered 200 and media flows`, async () => {
    const { statuses, media } = await replay(files);
    assert.deepEqual(statuses, files.map(() => 200));
    if (!files.some((f) => f.includes("teardown"))) assert.ok(media > 0, "no media after PLAY");
  });
}
