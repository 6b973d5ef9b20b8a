import assert from "node:assert/strict";
import { H264Packetizer } from "../../src/rtp/h264_packetizer.ts";
import { ManualClock } from "../../src/base/clock.ts";
import { Frame } from "../../src/server/stream/frame.ts";
import { UDP_BURST_BYTES, UdpTransport } from "../../src/server/stream/transport.ts";
import { FakeUdp, idr } from "./conversation.ts";

function frameOf(bytes: number, packetizer: H264Packetizer): Frame {
  const seq = packetizer.nextSequence;
  return new Frame(packetizer.packetize([idr(bytes)], 0), true, 0, seq);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test("UDP output passes small frames at once and paces a burst, in order, without loss", async () => {
  const clock = new ManualClock();
  const rtp = new FakeUdp(6970);
  const pair = { rtp, rtcp: new FakeUdp(6971) };
  const peer = { hostname: "10.0.0.1", port: 40000, family: "IPv4" as const };
  const t = new UdpTransport(pair, peer, [5000, 5001], () => clock.now());
  const packetizer = new H264Packetizer({ payloadType: 96, ssrc: 1, initialSequence: 0 });

  t.sendFrame(frameOf(5_000, packetizer));
  assert.equal(t.queuedBytes, 0, "a small frame waits for nothing");

  t.sendFrame(frameOf(300_000, packetizer)); // a fast-start sized burst
  const sentAtOnce = rtp.sent.reduce((n, d) => n + d.data.length, 0);
  assert.ok(sentAtOnce <= UDP_BURST_BYTES + 1500, `${sentAtOnce} bytes sent back to back`);
  assert.ok(t.queuedBytes > 200_000);
  assert.equal(t.queuedWrites, 1);
  t.sendFrame(frameOf(1_000, packetizer)); // a live frame queues behind the backlog
  assert.equal(t.queuedWrites, 2);

  for (let i = 0; i < 50 && t.queuedBytes > 0; i++) {
    clock.advance(2);
    await sleep(3);
  }
  assert.equal(t.queuedBytes, 0);
  assert.equal(t.queuedWrites, 0);
  const seqs = rtp.sent.map((d) => (d.data[2] << 8) | d.data[3]);
  assert.deepEqual(seqs, seqs.map((_, i) => i), "packets out of order or missing");
  assert.ok(rtp.sent.every((d) => d.hostname === "10.0.0.1" && d.port === 5000));
});

Deno.test("closing a UDP transport drops its backlog and stops its timer", async () => {
  const clock = new ManualClock();
  const rtp = new FakeUdp(6970);
  const t = new UdpTransport(
    { rtp, rtcp: new FakeUdp(6971) },
    {
      hostname: "10.0.0.1",
      port: 1,
      family: "IPv4",
    },
    [5000, 5001],
    () => clock.now(),
  );
  t.sendFrame(
    frameOf(300_000, new H264Packetizer({ payloadType: 96, ssrc: 1, initialSequence: 0 })),
  );
  const sent = rtp.sent.length;
  t.close();
  clock.advance(100);
  await sleep(20);
  assert.equal(rtp.sent.length, sent);
  assert.equal(t.queuedBytes, 0);
});

Deno.test("UDP readers of one frame send the same packet views, made once per frame", () => {
  const clock = new ManualClock();
  const sent: Uint8Array[] = [];
  const socket = new class extends FakeUdp {
    override send(data: Uint8Array): void {
      sent.push(data); // kept as given, not copied
    }
  }(6970);
  const pair = { rtp: socket, rtcp: new FakeUdp(6971) };
  const peer = (hostname: string) => ({ hostname, port: 1, family: "IPv4" as const });
  const a = new UdpTransport(pair, peer("10.0.0.1"), [5000, 5001], () => clock.now());
  const b = new UdpTransport(pair, peer("10.0.0.2"), [5000, 5001], () => clock.now());
  const frame = frameOf(
    5_000,
    new H264Packetizer({ payloadType: 96, ssrc: 1, initialSequence: 0 }),
  );
  a.sendFrame(frame);
  b.sendFrame(frame);
  const count = frame.packets.count;
  assert.ok(count > 1);
  assert.equal(sent.length, 2 * count);
  for (let i = 0; i < count; i++) {
    assert.equal(sent[count + i], sent[i], `packet ${i} was made again for the second reader`);
    assert.equal(sent[i].buffer, frame.packets.framed(0).buffer, "a packet was copied");
  }
});
