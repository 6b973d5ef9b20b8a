// A device's audio push beside its video, through the real ingest connection on an in-memory
// network and a manual clock: the audio joins the path's stream as its audio track, in the served
// codec; bad audio is refused with its own status and the video carries on.
import assert from "node:assert/strict";
import {
  ACCESS_UNIT,
  type FakeConnection,
  POLICY,
  startInMemoryIngest,
  TOKEN,
} from "./_server_rig.ts";
import { AUDIO_WAIT_MS } from "../../src/ingest/audio_ingest.ts";
import type { IngestPathPolicy } from "../../src/ingest/ingest_request.ts";

const serverTest = (name: string, fn: () => Promise<void>) =>
  Deno.test({ name, sanitizeOps: false, sanitizeResources: false, fn });

const L16_16K = "audio/L16;rate=16000;channels=1";
const S16LE_16K = "audio/x-raw;format=s16le;rate=16000;channels=1";

function head(path: string, type: string, extra = ""): string {
  return `POST /ingest${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\n` +
    `Content-Type: ${type}\r\nTransfer-Encoding: chunked\r\n${extra}\r\n`;
}

function chunk(c: FakeConnection, bytes: Uint8Array): void {
  c.send(`${bytes.length.toString(16)}\r\n`);
  c.sendBytes(bytes);
  c.send("\r\n");
}

/** A video upload with one access unit sent. */
async function startWithoutAudio(policy: IngestPathPolicy = POLICY) {
  const rig = await startInMemoryIngest(policy);
  const video = rig.connect();
  video.send(head("/cam", "video/h264; framing=chunk"));
  chunk(video, ACCESS_UNIT);
  return { rig, video };
}

/** A video upload with one access unit sent, and an audio upload's head. */
async function start(policy: IngestPathPolicy = POLICY, type = S16LE_16K) {
  const rig = await startInMemoryIngest(policy);
  const video = rig.connect();
  video.send(head("/cam", "video/h264; framing=chunk"));
  chunk(video, ACCESS_UNIT);
  const audio = rig.connect();
  audio.send(head("/cam/audio", type));
  return { rig, video, audio };
}

function status(c: FakeConnection): number {
  return Number(/HTTP\/1\.1 (\d{3})/.exec(c.written)?.[1] ?? 0);
}

serverTest("device PCM joins the path's video as an L16 track, 20 ms a frame", async () => {
  const { rig, video, audio } = await start();
  try {
    const stream = rig.rtsp.getStream("/cam") as unknown as {
      audio?: { format: unknown; stats: { packets: number } };
    };
    chunk(audio, new Uint8Array(3201)); // 100 ms and a byte
    assert.deepEqual(stream.audio?.format, { codec: "l16", clockRate: 16000, channels: 1 });
    assert.equal(stream.audio?.stats.packets, 5);
    chunk(audio, new Uint8Array(639)); // the odd byte completes a sample: one more frame
    assert.equal(stream.audio?.stats.packets, 6);
    audio.send("0\r\n\r\n");
    assert.equal(status(audio), 204);
    assert.equal(rig.logged("device audio publishing").length, 1);
    assert.equal(rig.logged("device stopped publishing audio")[0].fields?.frames, 6);
    assert.equal(video.closedByServer, false);
  } finally {
    await rig.close();
  }
});

serverTest("audio: pcmu on the path encodes the samples to G.711 µ-law", async () => {
  const { rig, audio } = await start({ ...POLICY, audio: "pcmu" }, L16_16K);
  try {
    chunk(audio, new Uint8Array(640));
    const stream = rig.rtsp.getStream("/cam") as unknown as { audio?: { format: unknown } };
    assert.deepEqual(stream.audio?.format, { codec: "pcmu", clockRate: 16000, channels: 1 });
  } finally {
    await rig.close();
  }
});

serverTest("bad audio is refused with a status of its own; the video carries on", async () => {
  const { rig, video, audio } = await start();
  try {
    // Over five seconds of audio in one chunk: 413.
    audio.send(`${(160_002).toString(16)}\r\n`);
    audio.sendBytes(new Uint8Array(160_002));
    assert.equal(status(audio), 413);
    assert.match(audio.written, /at most 5 s/);
    assert.equal(audio.closedByServer, true);
    // A body that ends inside a sample: 400, after its whole samples went out.
    const odd = rig.connect();
    odd.send(head("/cam/audio", S16LE_16K));
    chunk(odd, new Uint8Array(641));
    odd.send("0\r\n\r\n");
    assert.equal(status(odd), 400);
    assert.match(odd.written, /ended inside a sample/);
    // Audio on the video's own target: 415, naming where audio goes.
    const wrong = rig.connect();
    wrong.send(head("/cam", L16_16K));
    assert.equal(status(wrong), 415);
    assert.match(wrong.written, /audio goes to \/ingest\/cam\/audio/);
    // A rate the type cannot have: 400.
    const rate = rig.connect();
    rate.send(head("/cam/audio", "audio/L16;rate=4000"));
    assert.equal(status(rate), 400);
    const before = rig.framesAt("/cam");
    chunk(video, ACCESS_UNIT);
    assert.equal(rig.framesAt("/cam"), before + 1);
    assert.equal(video.closedByServer, false);
  } finally {
    await rig.close();
  }
});

serverTest("a Content-Length audio body is taken read by read, however long", async () => {
  const { rig } = await startWithoutAudio();
  try {
    const audio = rig.connect();
    const seconds = 6;
    audio.send(
      `POST /ingest/cam/audio HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\n` +
        `Content-Type: ${L16_16K}\r\nContent-Length: ${seconds * 32000}\r\n\r\n`,
    );
    for (let i = 0; i < seconds; i++) audio.sendBytes(new Uint8Array(32000));
    assert.equal(status(audio), 204);
    const stream = rig.rtsp.getStream("/cam") as unknown as {
      audio?: { stats: { packets: number } };
    };
    assert.equal(stream.audio?.stats.packets, seconds * 50);
  } finally {
    await rig.close();
  }
});

serverTest("a second audio push to a path is refused while the first sends", async () => {
  const { rig, audio } = await start();
  try {
    chunk(audio, new Uint8Array(640));
    const second = rig.connect("10.0.0.8");
    second.send(head("/cam/audio", S16LE_16K));
    assert.equal(status(second), 409);
    assert.match(second.written, /audio is being pushed by ingest 10\.0\.0\.7/);
    // Silent for the takeover time (a device that restarted): the next push takes it.
    rig.clock.advance(2500);
    const third = rig.connect("10.0.0.8");
    third.send(head("/cam/audio", S16LE_16K));
    assert.equal(third.written, "");
    assert.equal(audio.closedByServer, true);
  } finally {
    await rig.close();
  }
});

serverTest("a new rate is a new track, said in the log; the old push had ended", async () => {
  const { rig, audio } = await start();
  try {
    chunk(audio, new Uint8Array(640));
    audio.send("0\r\n\r\n");
    const again = rig.connect();
    again.send(head("/cam/audio", "audio/x-raw;format=s16le;rate=8000;channels=1"));
    chunk(again, new Uint8Array(320));
    const stream = rig.rtsp.getStream("/cam") as unknown as { audio?: { format: unknown } };
    assert.deepEqual(stream.audio?.format, { codec: "l16", clockRate: 8000, channels: 1 });
    const changed = rig.logged("device audio format changed; a new audio track");
    assert.equal(changed.length, 1);
    assert.equal(changed[0].fields?.was, "L16 16000 Hz mono");
    assert.equal(changed[0].fields?.now, "L16 8000 Hz mono");
  } finally {
    await rig.close();
  }
});

serverTest("audio before the video waits for it, and is refused when none comes", async () => {
  const rig = await startInMemoryIngest();
  try {
    const audio = rig.connect();
    audio.send(head("/cam/audio", S16LE_16K));
    chunk(audio, new Uint8Array(640));
    assert.equal(rig.logged("device audio waits for the path's video").length, 1);
    const video = rig.connect("10.0.0.9");
    video.send(head("/cam", "video/h264; framing=chunk"));
    chunk(video, ACCESS_UNIT);
    chunk(audio, new Uint8Array(640));
    const stream = rig.rtsp.getStream("/cam") as unknown as {
      audio?: { stats: { packets: number } };
    };
    assert.equal(stream.audio?.stats.packets, 1);
    assert.equal(rig.logged("device audio publishing")[0].fields?.droppedFrames, 1);

    const lonely = rig.connect();
    lonely.send(head("/cam2/audio", S16LE_16K));
    chunk(lonely, new Uint8Array(640));
    rig.clock.advance(AUDIO_WAIT_MS + 1);
    chunk(lonely, new Uint8Array(640));
    assert.equal(status(lonely), 409);
    assert.match(lonely.written, /no video for 10 s/);
  } finally {
    await rig.close();
  }
});

/** A masked client frame (RFC 6455 §5.2) of up to 65535 bytes. */
function wsFrame(opcode: number, payload: Uint8Array): Uint8Array {
  const mask = [0x37, 0xfa, 0x21, 0x3d];
  const n = payload.length;
  const length = n < 126 ? [0x80 | n] : [0x80 | 126, n >> 8, n & 0xff];
  return Uint8Array.from([
    0x80 | opcode,
    ...length,
    ...mask,
    ...payload.map((b, i) => b ^ mask[i & 3]),
  ]);
}

serverTest(
  "a WebSocket audio push: ts= messages time the next one; a message of part of a sample is refused",
  async () => {
    const { rig, video, audio } = await start();
    try {
      audio.send("0\r\n\r\n"); // the chunked push ends; the WebSocket one follows
      const ws = rig.connect();
      ws.send(
        `GET /ingest/cam/audio?type=${encodeURIComponent(S16LE_16K)} HTTP/1.1\r\nHost: x\r\n` +
          `Authorization: Bearer ${TOKEN}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
      );
      for (let i = 0; i < 50 && !ws.written.includes("101"); i++) {
        await new Promise((r) => setTimeout(r, 5));
      }
      assert.match(ws.written, /^HTTP\/1\.1 101 /);
      ws.sendBytes(wsFrame(0x1, new TextEncoder().encode("ts=5000000")));
      ws.sendBytes(wsFrame(0x2, new Uint8Array(640)));
      const stream = rig.rtsp.getStream("/cam") as unknown as {
        audio?: { stats: { packets: number } };
      };
      assert.equal(stream.audio?.stats.packets, 1);
      ws.sendBytes(wsFrame(0x2, new Uint8Array(641)));
      assert.equal(ws.closedByServer, true);
      // The close frame (RFC 6455 §5.5.1): 1008 and the reason.
      const close = ws.written.slice(ws.written.lastIndexOf("\x88"));
      assert.deepEqual([close.charCodeAt(2), close.charCodeAt(3)], [0x03, 0xf0]);
      assert.match(close.slice(4), /^an audio message must hold whole samples/);
      assert.equal(video.closedByServer, false);
    } finally {
      await rig.close();
    }
  },
);
