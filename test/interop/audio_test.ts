/**
 * Audio beside video, end to end: ffmpeg publishes H.264 with AAC, Opus, G.711 or L16; ffmpeg reads
 * both tracks back over TCP and UDP and records them with `-c copy` (AAC into MP4; the others into
 * Matroska, since MP4 cannot hold them, MEDIA.md §1.3), and both streams decode without error; a
 * reader that asks for video only gets one stream; GStreamer's rtspsrc plays both.
 */

import assert from "node:assert/strict";
import { serve } from "../../src/server/server.ts";
import type { RtspServer } from "../../src/server/server.ts";
import { avSyncInputs, measureAvSync, summarizeOffsets } from "../support/av_sync.ts";
import {
  argv,
  assertGstDecoded,
  interopTest,
  run,
  type RunResult,
  teardownCounter,
  withTempDir,
} from "./support.ts";

const PATH = "/cam";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What ffmpeg publishes, and what a reader's recording should then hold. */
interface AudioCase {
  name: string;
  /** ffmpeg's audio encoder arguments. */
  encode: string[];
  /** ffprobe's codec_name of the recorded audio. */
  codec: string;
  /** Container that holds the audio with `-c copy`. */
  container: "mp4" | "mkv";
  sampleRate: number;
  channels: number;
}

const CASES: AudioCase[] = [
  {
    name: "AAC",
    encode: argv`-c:a aac -b:a 64k -ar 48000 -ac 2`,
    codec: "aac",
    container: "mp4",
    sampleRate: 48000,
    channels: 2,
  },
  {
    name: "AAC as MP4A-LATM (re-served as mpeg4-generic)",
    encode: argv`-c:a aac -b:a 64k -ar 48000 -ac 2 -rtpflags latm`,
    codec: "aac",
    container: "mp4",
    sampleRate: 48000,
    channels: 2,
  },
  {
    name: "Opus",
    encode: argv`-c:a libopus -b:a 48k -ar 48000 -ac 1`,
    codec: "opus",
    container: "mkv",
    sampleRate: 48000,
    // RFC 7587 §7: the rtpmap always says 2; mono is only a hint (sprop-stereo), and ffmpeg
    // reports the rtpmap's count.
    channels: 2,
  },
  {
    name: "PCMA",
    encode: argv`-c:a pcm_alaw -ar 8000 -ac 1`,
    codec: "pcm_alaw",
    container: "mkv",
    sampleRate: 8000,
    channels: 1,
  },
  {
    name: "PCMU 16 kHz",
    encode: argv`-c:a pcm_mulaw -ar 16000 -ac 1`,
    codec: "pcm_mulaw",
    container: "mkv",
    sampleRate: 16000,
    channels: 1,
  },
  {
    name: "L16",
    encode: argv`-c:a pcm_s16be -ar 16000 -ac 1`,
    codec: "pcm_s16be",
    container: "mkv",
    sampleRate: 16000,
    channels: 1,
  },
];

/** ffmpeg publishing a 640x360 25 fps test pattern with a 1 kHz tone in `audio`'s format. */
function publish(url: string, audio: AudioCase, seconds: number): Promise<RunResult> {
  return run(
    "ffmpeg",
    [
      ...argv`-v error -re -f lavfi -i testsrc2=size=640x360:rate=25
        -f lavfi -i sine=frequency=1000:sample_rate=48000 -t ${seconds}
        -c:v libx264 -g 25 -bf 0 -pix_fmt yuv420p`,
      ...audio.encode,
      ...argv`-f rtsp -rtsp_transport tcp ${url}`,
    ],
    seconds * 1000 + 30_000,
  );
}

interface Probed {
  codec_type: string;
  codec_name: string;
  sample_rate?: string;
  channels?: number;
  duration?: string;
}

/** Records `seconds` of `url` with `-c copy` (plus `extra` input options), then probes it. */
async function record(
  url: string,
  transport: string,
  container: string,
  seconds: number,
  extra: string[] = [],
): Promise<{ streams: Probed[]; errors: string }> {
  return await withTempDir(async (dir) => {
    const out = `${dir}/out.${container}`;
    const r = await run(
      "ffmpeg",
      [
        ...argv`-v error -rtsp_transport ${transport}`,
        ...extra,
        ...argv`-i ${url} -t ${seconds}
        -c copy ${out}`,
      ],
      seconds * 1000 + 30_000,
    );
    assert.equal(r.code, 0, `ffmpeg reader over ${transport}: ${r.stderr}`);
    const probe = await run("ffprobe", argv`-v error -show_streams -of json ${out}`);
    const streams = JSON.parse(probe.stdout).streams as Probed[];
    const decode = await run("ffmpeg", argv`-v error -xerror -i ${out} -f null -`);
    const errors = decode.code === 0
      ? decode.stderr.trim()
      : `exit ${decode.code}: ${decode.stderr}`;
    return { streams, errors };
  });
}

async function startServer(): Promise<{ server: RtspServer; url: string; logs: string[] }> {
  const logs: string[] = [];
  const logger = {
    log: (_level: string, message: string, fields?: Record<string, unknown>) =>
      void logs.push(`${message} ${JSON.stringify(fields ?? {})}`),
  };
  const server = await serve({ port: 0, hostname: "127.0.0.1", logger });
  return { server, url: server.url(PATH), logs };
}

for (const audio of CASES) {
  interopTest(
    `ffmpeg publishes H.264 with ${audio.name}; ffmpeg records both over TCP and UDP with -c copy`,
    ["ffmpeg", "ffprobe"],
    async () => {
      const { server, url, logs } = await startServer();
      try {
        const publisher = publish(url, audio, 7);
        await sleep(1500);
        const [tcp, udp] = await Promise.all([
          record(url, "tcp", audio.container, 4),
          record(url, "udp", audio.container, 4),
        ]);
        for (const [name, r] of [["tcp", tcp], ["udp", udp]] as const) {
          assert.equal(r.errors, "", `reader over ${name}`);
          const types = r.streams.map((s) => s.codec_type).sort();
          assert.deepEqual(types, ["audio", "video"], `reader over ${name}`);
          const a = r.streams.find((s) => s.codec_type === "audio")!;
          assert.equal(a.codec_name, audio.codec);
          assert.equal(Number(a.sample_rate), audio.sampleRate);
          assert.equal(a.channels, audio.channels);
        }
        const p = await publisher;
        assert.equal(p.code, 0, `publisher: ${p.stderr}`);
        const tracks = logs.find((l) => l.startsWith("publisher tracks"));
        assert.match(tracks ?? "", /"carried":"0:video\/H264, 1:audio/);
        if (audio.name.includes("LATM")) {
          assert.match(tracks!, /MP4A-LATM is served as mpeg4-generic/);
        }
      } finally {
        await server.close();
      }
    },
  );
}

interopTest(
  "a reader that allows video only (Frigate's detect role) gets one video stream",
  ["ffmpeg", "ffprobe"],
  async () => {
    const { server, url } = await startServer();
    try {
      const publisher = publish(url, CASES[0], 5);
      await sleep(1500);
      const r = await record(url, "tcp", "mp4", 2, argv`-allowed_media_types video`);
      assert.equal(r.errors, "");
      assert.deepEqual(r.streams.map((s) => s.codec_type), ["video"]);
      assert.equal((await publisher).code, 0);
    } finally {
      await server.close();
    }
  },
);

for (const protocols of ["tcp", "udp"]) {
  interopTest(
    `GStreamer's rtspsrc plays the video and the AAC audio over ${protocols}`,
    ["ffmpeg", "gst-launch-1.0"],
    async () => {
      const ended = teardownCounter();
      const server = await serve({ port: 0, hostname: "127.0.0.1", logger: ended.logger });
      const url = server.url(PATH);
      try {
        const publisher = publish(url, CASES[0], 8);
        await sleep(1500);
        // Each branch ends after 50 buffers; EOS from the pipeline needs both.
        const r = await run("gst-launch-1.0", [
          ...argv`rtspsrc location=${url} protocols=${protocols} latency=0 name=src`,
          ...argv`src. ! queue ! rtph264depay ! h264parse ! avdec_h264 ! fakesink num-buffers=50`,
          ...argv`src. ! queue ! rtpmp4gdepay ! aacparse ! avdec_aac ! fakesink num-buffers=50`,
        ], 60_000);
        assertGstDecoded(
          { ...r, eos: /Got EOS from element "pipeline0"/.test(r.stdout) },
          ended.count(),
        );
        assert.equal((await publisher).code, 0);
      } finally {
        await server.close();
      }
    },
  );
}

for (const audio of CASES.filter((c) => !/PCMU 16 kHz|LATM/.test(c.name))) {
  interopTest(
    `lip-sync with ${audio.name}: flash and beep land within 40 ms in recordings over TCP and UDP, joined mid-GOP`,
    ["ffmpeg", "ffprobe"],
    async () => {
      const { server, url } = await startServer();
      try {
        const publisher = run(
          "ffmpeg",
          [
            ...argv`-v error -re`,
            ...avSyncInputs(),
            ...argv`-t 10 -c:v libx264 -g 50 -bf 0 -pix_fmt yuv420p`,
            ...audio.encode,
            ...argv`-f rtsp -rtsp_transport tcp ${url}`,
          ],
          40_000,
        );
        // 2 s GOPs: the readers join about half-way into one, so they start with the replayed GOP
        // and the sound kept for it (fast start).
        await sleep(2900);
        const results = await Promise.all(
          ["tcp", "udp"].map((transport) =>
            withTempDir(async (dir) => {
              const out = `${dir}/out.${audio.container}`;
              const r = await run(
                "ffmpeg",
                argv`-v error -rtsp_transport ${transport} -i ${url} -t 6 -c copy ${out}`,
                40_000,
              );
              assert.equal(r.code, 0, r.stderr);
              return { transport, ...(await measureAvSync(out)) };
            })
          ),
        );
        for (const r of results) {
          assert.ok(r.offsetsMs.length >= 4, `${r.transport}: ${JSON.stringify(r)}`);
          const { worst } = summarizeOffsets(r.offsetsMs);
          assert.ok(Math.abs(worst) <= 40, `${r.transport}: offsets ${r.offsetsMs.join(", ")} ms`);
        }
        assert.equal((await publisher).code, 0);
      } finally {
        await server.close();
      }
    },
  );
}

interopTest(
  "Frigate's record arguments with its AAC preset make segments with both streams from G.711",
  ["ffmpeg", "ffprobe"],
  async () => {
    const { server, url } = await startServer();
    try {
      const pcma = CASES.find((c) => c.name === "PCMA")!;
      const publisher = publish(url, pcma, 7);
      await sleep(1500);
      await withTempDir(async (dir) => {
        // frigate/ffmpeg_presets.py: preset-rtsp-restream input, preset-record-generic-audio-aac
        // output (segments of MP4, video copied, audio transcoded to AAC).
        const r = await run(
          "ffmpeg",
          argv`-v error -rtsp_transport tcp -timeout 10000000 -i ${url} -t 4 -f segment
            -segment_time 2 -segment_format mp4 -reset_timestamps 1 -strftime 1
            -c:v copy -c:a aac ${dir}/%Y%m%d%H%M%S.mp4`,
          40_000,
        );
        assert.equal(r.code, 0, r.stderr);
        const segments = [...Deno.readDirSync(dir)].map((e) => `${dir}/${e.name}`);
        assert.ok(segments.length >= 1);
        const probe = await run("ffprobe", argv`-v error -show_streams -of json ${segments[0]}`);
        const streams = JSON.parse(probe.stdout).streams as Probed[];
        assert.deepEqual(streams.map((s) => `${s.codec_type}/${s.codec_name}`).sort(), [
          "audio/aac",
          "video/h264",
        ]);
      });
      assert.equal((await publisher).code, 0);
    } finally {
      await server.close();
    }
  },
);
