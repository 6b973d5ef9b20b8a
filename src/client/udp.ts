/**
 * An RTP/RTCP pair of UDP sockets for a pulled track: RTP on an even port, RTCP on the next one
 * (RFC 3550 §11), both listening only to the server.
 *
 * @module
 */

import type { NetAddress, Network, UdpSocket } from "../runtime/net.ts";

/** Two bound sockets. */
export interface UdpPair {
  /** The RTP socket (even port). */
  rtp: UdpSocket;
  /** The RTCP socket (the odd port after it). */
  rtcp: UdpSocket;
  /** The two ports, for the Transport header's `client_port=`. */
  ports: [number, number];
}

const ATTEMPTS = 40;

/**
 * Binds an even/odd pair on the wildcard address of `family`. The kernel's free port is tried
 * first; when it is odd, or its neighbour is taken, the pair is given up and another tried.
 * Throws an `Error` saying so after {@link ATTEMPTS} tries.
 */
export async function bindUdpPair(
  network: Network,
  family: "IPv4" | "IPv6",
  onRtp: (data: Uint8Array, from: NetAddress) => void,
  onRtcp: (data: Uint8Array, from: NetAddress) => void,
): Promise<UdpPair> {
  const hostname = family === "IPv6" ? "::" : "0.0.0.0";
  for (let i = 0; i < ATTEMPTS; i++) {
    // Half the tries ask the kernel (any port), half a random even port in the dynamic range.
    const wanted = i % 2 === 0 ? 0 : 49152 + 2 * Math.floor(Math.random() * 8191);
    let rtp: UdpSocket;
    try {
      rtp = await network.bindUdp({ hostname, port: wanted }, onRtp);
    } catch {
      continue;
    }
    const port = rtp.address.port;
    if (port % 2 === 0 && port < 65535) {
      try {
        const rtcp = await network.bindUdp({ hostname, port: port + 1 }, onRtcp);
        return { rtp, rtcp, ports: [port, port + 1] };
      } catch {
        // taken: try another pair
      }
    }
    await rtp.close();
  }
  throw new Error(`could not bind an even/odd UDP port pair in ${ATTEMPTS} tries`);
}

/** The address as compared with a peer's: IPv4-mapped IPv6 (`::ffff:a.b.c.d`) becomes IPv4. */
export function plainAddress(hostname: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(hostname);
  return (m ? m[1] : hostname).toLowerCase();
}
