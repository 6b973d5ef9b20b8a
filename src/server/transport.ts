/**
 * How packets reach one reader. Interleaved TCP and unicast UDP look alike to the rest of the server:
 * `{ sendFrame, sendRtcp }` plus how much is still queued.
 *
 * @module
 */

import type { NetAddress, TcpConnection, UdpSocket } from "../runtime/net.ts";
import type { Frame } from "./frame.ts";

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
    const framed = new Uint8Array(4 + packet.length);
    framed[0] = 0x24;
    framed[1] = this.channels[1];
    framed[2] = packet.length >> 8;
    framed[3] = packet.length & 0xff;
    framed.set(packet, 4);
    this.#connection.write(framed);
  }

  get queuedBytes(): number {
    return this.#connection.bufferedBytes;
  }

  get queuedWrites(): number {
    return this.#connection.pendingWrites;
  }
}

/** The UDP sockets a server shares among its UDP readers: RTP on an even port, RTCP on the next. */
export interface UdpPair {
  /** Sends RTP. */
  readonly rtp: UdpSocket;
  /** Sends and receives RTCP. */
  readonly rtcp: UdpSocket;
}

/**
 * RTP/AVP unicast over UDP. Packets go only to the address of the peer that set the session up,
 * whatever `destination=` said (HARDENING item 11: no reflection towards third parties).
 */
export class UdpTransport implements MediaTransport {
  /** Always `"udp"`. */
  readonly kind = "udp";
  /** The peer's RTP and RTCP ports. */
  readonly clientPorts: readonly [number, number];
  /** The peer's address. */
  readonly peer: NetAddress;
  #pair: UdpPair;

  /** Sends to `peer` at `clientPorts` from the server's shared `pair`. */
  constructor(pair: UdpPair, peer: NetAddress, clientPorts: readonly [number, number]) {
    this.#pair = pair;
    this.peer = peer;
    this.clientPorts = clientPorts;
  }

  sendFrame(frame: Frame): void {
    const host = this.peer.hostname;
    const port = this.clientPorts[0];
    for (const packet of frame.packets.packets()) this.#pair.rtp.send(packet, port, host);
  }

  sendRtcp(packet: Uint8Array): void {
    this.#pair.rtcp.send(packet, this.clientPorts[1], this.peer.hostname);
  }

  get queuedBytes(): number {
    return 0;
  }

  get queuedWrites(): number {
    return 0;
  }
}
