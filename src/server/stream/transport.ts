/**
 * How packets reach one reader. Interleaved TCP and unicast UDP look alike to the rest of the server:
 * `{ sendFrame, sendRtcp }` plus how much is still queued.
 *
 * @module
 */

import type { NetAddress, TcpConnection, UdpSocket } from "../../runtime/net.ts";
import type { Frame } from "./frame.ts";
import { interleaved } from "../../rtp/packet_list.ts";

/** A reader's way out. */
export interface MediaTransport {
  /** `"tcp"` for interleaved (RFC 2326 §10.12), `"udp"` for RTP/AVP unicast. */
  readonly kind: "tcp" | "udp";
  /** Sends every RTP packet of a frame. Never blocks. */
  sendFrame(frame: Frame): void;
  /** Sends one RTCP compound packet. */
  sendRtcp(packet: Uint8Array): void;
  /** Bytes accepted but not yet handed to the kernel. */
  readonly queuedBytes: number;
  /** Writes accepted but not yet handed to the kernel. */
  readonly queuedWrites: number;
  /** Stops sending and drops anything queued (the session ended). */
  close(): void;
}

/** RTP and RTCP inside the RTSP connection, one write per frame. */
export class InterleavedTransport implements MediaTransport {
  /** Always `"tcp"`. */
  readonly kind = "tcp";
  /** The channel pair, RTP then RTCP. */
  readonly channels: readonly [number, number];
  #connection: TcpConnection;

  /** Sends on `channels` of `connection`. */
  constructor(connection: TcpConnection, channels: readonly [number, number]) {
    this.#connection = connection;
    this.channels = channels;
  }

  sendFrame(frame: Frame): void {
    this.#connection.write(frame.framedFor(this.channels[0]));
  }

  sendRtcp(packet: Uint8Array): void {
    this.#connection.write(interleaved(this.channels[1], packet));
  }

  get queuedBytes(): number {
    return this.#connection.bufferedBytes;
  }

  get queuedWrites(): number {
    return this.#connection.pendingWrites;
  }

  close(): void {
    // Writes already queued on the connection stay: they belong to a stream of bytes the client
    // is parsing, and cutting a frame in half would desynchronize its interleaved framing.
  }
}

/** The UDP sockets a server shares among its UDP readers: RTP on an even port, RTCP on the next. */
export interface UdpPair {
  /** Sends RTP. */
  readonly rtp: UdpSocket;
  /** Sends and receives RTCP. */
  readonly rtcp: UdpSocket;
}

/** Bytes a UDP reader may get back to back before pacing starts. */
export const UDP_BURST_BYTES = 64 * 1024;
/** Pace of a UDP reader's backlog, bytes per millisecond (25 MB/s, far above any camera stream). */
export const UDP_BYTES_PER_MS = 25_000;

/**
 * RTP/AVP unicast over UDP. Packets go only to the address of the peer that set the session up,
 * whatever `destination=` said (HARDENING item 11: no reflection towards third parties).
 *
 * UDP has no flow control: the fast-start replay of a whole GOP (hundreds of KB) sent at once would
 * overflow the reader's socket buffer (208 KB by default on Linux) and lose frames. A token bucket
 * lets a live stream through untouched and spreads bursts over a few milliseconds instead; what
 * waits is counted in `queuedBytes`, so the reader's queue limits apply as for TCP.
 */
export class UdpTransport implements MediaTransport {
  /** Always `"udp"`. */
  readonly kind = "udp";
  /** The peer's RTP and RTCP ports. */
  readonly clientPorts: readonly [number, number];
  /** The peer's address. */
  readonly peer: NetAddress;
  #pair: UdpPair;
  #now: () => number;
  #tokens = UDP_BURST_BYTES;
  #refilledAt: number;
  #backlog: Uint8Array[] = []; // packets waiting, in order: views of shared frames, never copies
  #backlogHead = 0; // next packet to send
  #backlogBytes = 0;
  #frameEnds: number[] = []; // backlog index just past each queued frame's last packet
  #frameEndsHead = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** Sends to `peer` at `clientPorts` from the server's shared `pair`; `now` is monotonic ms. */
  constructor(
    pair: UdpPair,
    peer: NetAddress,
    clientPorts: readonly [number, number],
    now: () => number,
  ) {
    this.#pair = pair;
    this.peer = peer;
    this.clientPorts = clientPorts;
    this.#now = now;
    this.#refilledAt = now();
  }

  sendFrame(frame: Frame): void {
    for (const packet of frame.packetViews) {
      this.#backlog.push(packet);
      this.#backlogBytes += packet.length;
    }
    this.#frameEnds.push(this.#backlog.length);
    if (this.#timer === undefined) this.#flush(); // else it waits its turn behind the backlog
  }

  sendRtcp(packet: Uint8Array): void {
    this.#pair.rtcp.send(packet, this.clientPorts[1], this.peer.hostname);
  }

  get queuedBytes(): number {
    return this.#backlogBytes;
  }

  get queuedWrites(): number {
    return this.#frameEnds.length - this.#frameEndsHead;
  }

  /** Drops the backlog and stops pacing. */
  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#reset();
  }

  #reset(): void {
    this.#backlog = [];
    this.#backlogHead = 0;
    this.#backlogBytes = 0;
    this.#frameEnds = [];
    this.#frameEndsHead = 0;
  }

  #flush = (): void => {
    this.#timer = undefined;
    const now = this.#now();
    this.#tokens = Math.min(
      UDP_BURST_BYTES,
      this.#tokens + (now - this.#refilledAt) * UDP_BYTES_PER_MS,
    );
    this.#refilledAt = now;
    const host = this.peer.hostname;
    const port = this.clientPorts[0];
    const backlog = this.#backlog;
    while (this.#backlogHead < backlog.length && this.#tokens > 0) {
      const packet = backlog[this.#backlogHead++];
      this.#tokens -= packet.length;
      this.#backlogBytes -= packet.length;
      this.#pair.rtp.send(packet, port, host);
    }
    if (this.#backlogHead === backlog.length) {
      this.#reset(); // all sent: start the next burst from empty arrays
      return;
    }
    while (this.#frameEnds[this.#frameEndsHead] <= this.#backlogHead) this.#frameEndsHead++;
    this.#timer = setTimeout(this.#flush, Math.max(1, -this.#tokens / UDP_BYTES_PER_MS));
  };
}
