/**
 * SETUP (RFC 2326 §10.4): picks a transport from the client's list, makes the session and its
 * reader, and says which transport was chosen. A publisher's SETUP goes to `record_setup.ts`.
 *
 * @module
 */

import { RtspHeaders } from "../../rtsp/headers.ts";
import type { RtspRequest } from "../../rtsp/message.ts";
import { RtspError } from "../../rtsp/status.ts";
import { formatTransport, parseTransport, type TransportSpec } from "../../rtsp/transport.ts";
import { stripCredentials } from "../../rtsp/url.ts";
import type { RtspConnection } from "./connection.ts";
import type { ServerCore } from "../core.ts";
import type { Reply } from "./methods.ts";
import { requiredSession, sessionHeader } from "./session_lookup.ts";
import { udpClientPorts } from "./udp_ports.ts";
import { parseRequestTarget } from "../mounts.ts";
import { Reader } from "../reader.ts";
import { publisherForSetup, setupRecordTrack } from "./record_setup.ts";
import { Session } from "../session/session.ts";
import { newSessionId } from "../session_id.ts";
import { InterleavedTransport, type MediaTransport, UdpTransport } from "../transport.ts";

/** The transport chosen for a session, and how to describe it in the reply. */
interface Chosen {
  transport: MediaTransport;
  reply: TransportSpec;
}

/** Handles SETUP. */
export function setupSession(core: ServerCore, conn: RtspConnection, req: RtspRequest): Reply {
  const publisher = publisherForSetup(core, conn, req);
  if (publisher) return setupRecordTrack(core, conn, req, publisher);
  const target = parseRequestTarget(req.url);
  const stream = core.mounts.get(target.path);
  // An aggregate SETUP (VLC) is taken as the single track; any other track does not exist.
  if (!stream || (target.track !== undefined && target.track !== 0)) throw new RtspError(404);
  if (req.headers.has("Session")) {
    // One track per stream, so a SETUP inside an existing session would set the same track up twice.
    requiredSession(core, conn, req);
    throw new RtspError(459, "Aggregate Operation Not Allowed (track already set up)");
  }
  const value = req.headers.get("Transport");
  if (value === undefined || value.trim() === "") throw new RtspError(461);
  const chosen = chooseTransport(core, conn, parseTransport(value), stream.ssrc);
  if (!chosen) throw new RtspError(461);
  core.sessions.checkRoom(conn.tcp.remote.hostname);
  const session = new Session({
    id: newSessionId(),
    stream,
    trackUrl: stripCredentials(req.url), // echoed in RTP-Info: credentials never go back out
    peer: conn.tcp.remote,
    connectionId: conn.id,
    reader: new Reader(chosen.transport, {
      maxBytes: core.options.maxQueueBytes,
      maxFrames: core.options.maxQueueFrames,
    }),
    now: core.clock.now(),
  });
  core.addSession(session, conn);
  const headers = new RtspHeaders({
    Transport: formatTransport(chosen.reply),
    Session: sessionHeader(core, session),
  });
  return { status: 200, headers };
}

function chooseTransport(
  core: ServerCore,
  conn: RtspConnection,
  offers: TransportSpec[],
  ssrc: number,
): Chosen | undefined {
  for (const offer of offers) {
    if (offer.delivery === "multicast") continue; // not offered (INTEROP.md: VLC and multicast)
    if (offer.mode && offer.mode.some((m) => m.toUpperCase() !== "PLAY")) continue;
    if (!offer.profile.toUpperCase().startsWith("AVP") || offer.protocol.toUpperCase() !== "RTP") {
      continue;
    }
    if (offer.lowerTransport === "TCP") {
      const channels = conn.claimChannels(offer.interleaved);
      return {
        transport: new InterleavedTransport(conn.tcp, channels),
        reply: {
          protocol: "RTP",
          profile: "AVP",
          lowerTransport: "TCP",
          delivery: "unicast",
          interleaved: [channels[0], channels[1]],
          ssrc,
          extra: [],
        },
      };
    }
    const udp = core.udp;
    const ports = udpClientPorts(core, conn, offer);
    if (!udp || !ports) continue;
    const rtpPort = udp.rtp.address.port;
    return {
      transport: new UdpTransport(
        udp,
        conn.tcp.remote,
        ports,
        () => core.clock.now(),
      ),
      reply: {
        protocol: "RTP",
        profile: "AVP",
        lowerTransport: "UDP",
        delivery: "unicast",
        clientPort: ports,
        serverPort: [rtpPort, rtpPort + 1],
        ssrc,
        extra: [],
      },
    };
  }
  return undefined;
}
