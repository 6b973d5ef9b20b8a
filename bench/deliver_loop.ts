/**
 * What the server's own part of the fan-out costs, without sockets: `Reader.deliver` →
 * `InterleavedTransport.sendFrame` → the connection's `write`, for each of N readers, per frame,
 * with connections that drop the bytes. Everything above the runtime's socket write is in this
 * loop; bench/socket_writes.ts measures the write itself. Runs under Deno and Bun alike.
 *
 * ```sh
 * deno run -A bench/deliver_loop.ts --readers 500
 * bun bench/deliver_loop.ts --readers 500
 * ```
 *
 * @module
 */

import process from "node:process";
import { H264Packetizer } from "../src/rtp/h264_packetizer.ts";
import type { NetAddress, TcpConnection } from "../src/runtime/net.ts";
import { Frame } from "../src/server/stream/frame.ts";
import { Reader } from "../src/server/stream/reader.ts";
import { InterleavedTransport } from "../src/server/stream/transport.ts";
import { flags } from "./lines.ts";

const args = flags(process.argv.slice(2));
const readerCount = Number(args.readers ?? 500);
const seconds = Number(args.seconds ?? 3);

/** A connection that takes every write at once and keeps nothing. */
class DroppingConnection implements TcpConnection {
  readonly remote: NetAddress = { hostname: "127.0.0.1", port: 50000, family: "IPv4" };
  readonly local: NetAddress = { hostname: "127.0.0.1", port: 8554, family: "IPv4" };
  readonly bufferedBytes = 0;
  readonly pendingWrites = 0;
  bytes = 0;
  write(data: Uint8Array): void {
    this.bytes += data.length;
  }
  end(): void {}
  destroy(): void {}
}

const packetizer = new H264Packetizer({ payloadType: 96, ssrc: 1, initialSequence: 0 });
const idr = new Uint8Array(8000).fill(0x5a);
idr[0] = 0x65; // an IDR slice NAL unit, about a P-frame's size in the fan-out clip
const readers = Array.from(
  { length: readerCount },
  () =>
    new Reader(new InterleavedTransport(new DroppingConnection(), [0, 1]), {
      maxBytes: 4 << 20,
      maxFrames: 500,
    }),
);

let frames = 0;
const start = performance.now();
while (performance.now() - start < seconds * 1000) {
  const timestamp = frames * 3000;
  const frame = new Frame(packetizer.packetize([idr], timestamp), true, timestamp, 0);
  for (const reader of readers) reader.deliver(frame);
  frames++;
}
const ms = performance.now() - start;
const runtime = process.versions.bun
  ? `bun ${process.versions.bun}`
  : `deno ${process.versions.deno}`;
console.log(
  `${runtime}: ${((ms * 1e6) / (frames * readerCount)).toFixed(0)} ns per reader-frame ` +
    `(${frames} frames to ${readerCount} readers, packetizing included)`,
);
