/**
 * Which UDP port pair of a SETUP's transport offer a connection can take, for reader and publisher
 * SETUPs alike.
 *
 * @module
 */

import type { TransportSpec } from "../../rtsp/transport.ts";
import type { RtspConnection } from "./connection.ts";
import type { ServerCore } from "../core.ts";

/**
 * The client's RTP/RTCP port pair of a UDP offer this connection can take, or undefined when it
 * cannot: over RTSPS, RTP over UDP would leave the TLS tunnel in clear, so only interleaved is
 * offered (with nothing else asked for, 461 tells the client to ask again for TCP); UDP needs the
 * client's ports and a server socket of its address family; RFC 3550 §11 puts RTP on an even port
 * and RTCP on the next one (HARDENING item 10). For readers and publishers alike.
 */
export function udpClientPorts(
  core: ServerCore,
  conn: RtspConnection,
  offer: TransportSpec,
): [number, number] | undefined {
  const ports = offer.clientPort;
  if (conn.secure || !core.udp || !ports) return undefined;
  if (core.udp.rtp.address.family !== conn.tcp.remote.family) return undefined;
  if (ports[0] % 2 !== 0 || ports[1] !== ports[0] + 1) return undefined;
  return [ports[0], ports[1]];
}
