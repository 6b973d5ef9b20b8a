/**
 * SETUP of a publisher's track (RFC 2326 §10.4 with `mode=record`, §12.39): which session a SETUP
 * belongs to, and the transport its packets will come by: interleaved channels, or the
 * publisher's UDP ports sending to the server's shared RTP/RTCP pair.
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
import { findAnnouncedMedia } from "../../sdp/announcement.ts";
import type { RecordSession, RecordTrack } from "../session/record_session.ts";
import { requiredSession, sessionHeader } from "./session_lookup.ts";
import { udpClientPorts } from "./udp_ports.ts";

const NO_SESSION_STATE = "Method Not Valid in This State";

/**
 * The publisher's session a SETUP is for, or undefined when it is a reader's SETUP. A SETUP
 * naming a publisher's session, or (without a Session header, as after ANNOUNCE) the track URL
 * of a session announced on this connection, is a publisher's. Throws 455 for `mode=record`
 * without ANNOUNCE or inside a reader's session, 454 for an unknown session.
 */
export function publisherForSetup(
  core: ServerCore,
  conn: RtspConnection,
  req: RtspRequest,
): RecordSession | undefined {
  const wantsRecord = offeredModes(req).has("RECORD");
  if (req.headers.has("Session")) {
    const session = requiredSession(core, conn, req);
    if (session.kind === "record") return session;
    if (wantsRecord) throw new RtspError(455, `${NO_SESSION_STATE} (the session is reading)`);
    return undefined;
  }
  const url = stripCredentials(req.url);
  for (const session of conn.sessions) {
    if (session.kind === "record" && findAnnouncedMedia(session.announcement, url) !== undefined) {
      return session;
    }
  }
  if (wantsRecord) {
    throw new RtspError(455, `${NO_SESSION_STATE} (SETUP for RECORD without ANNOUNCE)`);
  }
  return undefined;
}

/**
 * Sets up one announced track of `session`. Transports whose `mode` leaves RECORD out are skipped;
 * one without `mode` is taken as RECORD, since the session can only record (gortsplib once
 * crashed on such a SETUP; HARDENING.md). Every track of a session uses the same lower transport.
 * Tracks other than the H.264 video (audio) are accepted and their packets discarded: ffmpeg gives
 * up publishing altogether when any SETUP fails, and so does GStreamer's rtspclientsink.
 */
export function setupRecordTrack(
  core: ServerCore,
  conn: RtspConnection,
  req: RtspRequest,
  session: RecordSession,
): Reply {
  if (session.state === "recording") {
    throw new RtspError(455, `${NO_SESSION_STATE} (already recording)`);
  }
  const media = findAnnouncedMedia(session.announcement, stripCredentials(req.url));
  if (media === undefined) throw new RtspError(404, "Not Found (no such announced track)");
  if (session.tracks.has(media)) {
    throw new RtspError(459, "Aggregate Operation Not Allowed (track already set up)");
  }
  const value = req.headers.get("Transport");
  if (value === undefined || value.trim() === "") throw new RtspError(461);
  const offers = parseTransport(value).filter((o) => !o.mode || o.mode.includes("RECORD"));
  if (offers.length === 0) {
    throw new RtspError(455, `${NO_SESSION_STATE} (SETUP for PLAY in a publishing session)`);
  }
  const chosen = chooseRecordTransport(core, conn, offers, session, media);
  if (!chosen) throw new RtspError(461);
  session.addTrack(chosen.track);
  if (chosen.track.clientPorts) {
    core.sessions.bindUdp(session, session.peer.hostname, chosen.track.clientPorts);
  }
  const headers = new RtspHeaders({
    Transport: formatTransport(chosen.reply),
    Session: sessionHeader(core, session),
  });
  return { status: 200, headers };
}

/** The `mode=` values of every transport offered, upper case; empty when unparsable. */
function offeredModes(req: RtspRequest): Set<string> {
  const value = req.headers.get("Transport");
  if (value === undefined) return new Set();
  try {
    return new Set(parseTransport(value).flatMap((o) => o.mode ?? []));
  } catch {
    return new Set(); // the SETUP handler answers the malformed header
  }
}

function chooseRecordTransport(
  core: ServerCore,
  conn: RtspConnection,
  offers: TransportSpec[],
  session: RecordSession,
  media: number,
): { track: RecordTrack; reply: TransportSpec } | undefined {
  const ingest = media === session.announcement.video;
  const base = { protocol: "RTP", profile: "AVP", delivery: "unicast", extra: [] } as const;
  for (const offer of offers) {
    if (offer.delivery === "multicast") continue;
    if (!offer.profile.toUpperCase().startsWith("AVP") || offer.protocol.toUpperCase() !== "RTP") {
      continue;
    }
    const lower = session.lowerTransport;
    if (lower !== undefined && offer.lowerTransport !== lower) continue;
    if (offer.lowerTransport === "TCP") {
      const channels = conn.claimChannels(offer.interleaved);
      return {
        track: { media, ingest, channels },
        reply: { ...base, extra: [], lowerTransport: "TCP", interleaved: channels },
      };
    }
    const udp = core.udp;
    const ports = udpClientPorts(core, conn, offer);
    if (!udp || !ports) continue;
    const rtpPort = udp.rtp.address.port;
    return {
      track: { media, ingest, clientPorts: ports },
      reply: {
        ...base,
        extra: [],
        lowerTransport: "UDP",
        clientPort: ports,
        serverPort: [rtpPort, rtpPort + 1],
      },
    };
  }
  return undefined;
}
