/**
 * SETUP (RFC 2326 §10.4), for readers and publishers alike: which session a SETUP belongs to, one
 * transport chooser for both, and the reply saying what was chosen. A reader's SETUP makes its
 * session; a publisher's sets up one announced track of the session ANNOUNCE made (§12.39
 * `mode=record`).
 *
 * @module
 */

import { RtspHeaders } from "../../rtsp/headers.ts";
import type { RtspRequest } from "../../rtsp/message.ts";
import { RtspError } from "../../rtsp/status.ts";
import { formatTransport, parseTransport, type TransportSpec } from "../../rtsp/transport.ts";
import { stripCredentials } from "../../rtsp/url.ts";
import type { ClientContext, ServerContext } from "../context.ts";
import { parseRequestTarget } from "../request_target.ts";
import { Reader } from "../stream/reader.ts";
import type { Publishing } from "../session/publishing.ts";
import { Reading } from "../session/reading.ts";
import { Session } from "../session/session.ts";
import { newSessionId } from "../session/session_id.ts";
import { type MediaTransport, UdpTransport } from "../stream/transport.ts";
import { NO_SESSION_STATE, type Reply } from "./reply.ts";
import { namesSession, requiredSession, sessionHeader } from "./session_lookup.ts";

/** The transport chosen from a client's offers. */
interface Chosen {
  /** `"tcp"`: interleaved on `channels`; `"udp"`: to the client's `clientPorts`. */
  lower: "tcp" | "udp";
  /** Interleaved RTP and RTCP channels. */
  channels?: [number, number];
  /** The client's RTP and RTCP ports. */
  clientPorts?: [number, number];
  /** What the reply's Transport header says. */
  reply: TransportSpec;
}

/** Handles SETUP. */
export function setup(server: ServerContext, client: ClientContext, req: RtspRequest): Reply {
  const publisher = publisherFor(server, client, req);
  return publisher
    ? setupPublishedTrack(server, client, req, publisher.session, publisher.role)
    : setupReader(server, client, req);
}

/**
 * A reader's SETUP of one track: the video (track 0; an aggregate SETUP, as VLC sends, is taken as
 * the video) or the audio (track 1). The first SETUP makes the session; a SETUP of the other track
 * naming that session adds it (RFC 2326 §10.4), on the same lower transport, so that one queue
 * (the connection, for interleaved) carries both. A client may set up either track alone: Frigate's
 * detect role reads video only (`-allowed_media_types video`).
 */
function setupReader(server: ServerContext, client: ClientContext, req: RtspRequest): Reply {
  const target = parseRequestTarget(req.url);
  const stream = server.mounts.get(target.path);
  const kind = target.track === 1 ? "audio" : "video";
  if (!stream || (target.track !== undefined && target.track > 1)) throw new RtspError(404);
  if (kind === "audio" && !stream.audio) throw new RtspError(404, "Not Found (no audio track)");
  const existing = namesSession(req) ? requiredSession(server, client, req) : undefined;
  const reading = existing?.role;
  if (existing && reading?.name !== "reader") {
    throw new RtspError(455, `${NO_SESSION_STATE} (the session is publishing)`);
  }
  if (existing && reading instanceof Reading) {
    if (reading.stream !== stream) {
      throw new RtspError(459, "Aggregate Operation Not Allowed (another stream's session)");
    }
    if (reading.track(kind)) {
      throw new RtspError(459, "Aggregate Operation Not Allowed (track already set up)");
    }
    if (existing.active) throw new RtspError(455, `${NO_SESSION_STATE} (already playing)`);
  }
  const lower = reading instanceof Reading ? reading.transport : undefined;
  const chosen = chooseTransport(server, client, transportOffers(req), "PLAY", lower);
  if (!chosen) throw new RtspError(461);
  if (!existing) server.sessions.checkRoom(client.remote.hostname);
  const ssrc = kind === "audio" ? stream.audio!.ssrc : stream.ssrc;
  const reply = { ...chosen.reply, ssrc };
  let transport: MediaTransport;
  if (chosen.channels) {
    transport = client.interleavedTransport(chosen.channels);
  } else {
    transport = new UdpTransport(
      server.udp!,
      client.remote,
      chosen.clientPorts!,
      () => server.clock.now(),
    );
  }
  const reader = new Reader(transport, {
    maxBytes: server.options.maxQueueBytes,
    maxFrames: server.options.maxQueueFrames,
  });
  // The track URL is echoed in RTP-Info: credentials never go back out.
  const track = { kind, url: stripCredentials(req.url), reader } as const;
  let session = existing;
  if (session && reading instanceof Reading) {
    reading.addTrack(track);
  } else {
    session = newSession(server, client, new Reading(stream, track));
    server.openSession(session);
  }
  if (chosen.clientPorts) {
    server.sessions.bindUdp(session, client.remote.hostname, chosen.clientPorts);
  }
  return transportReply(server, session, reply);
}

/**
 * The publisher's session a SETUP is for, or undefined when it is a reader's SETUP. A SETUP naming
 * a publisher's session, or (without a Session header, as after ANNOUNCE) the track URL of a
 * session announced on this connection, is a publisher's. Throws 455 for `mode=record` without
 * ANNOUNCE or inside a reader's session, 454 for an unknown session.
 */
function publisherFor(
  server: ServerContext,
  client: ClientContext,
  req: RtspRequest,
): { session: Session; role: Publishing } | undefined {
  const wantsRecord = offeredModes(req).has("RECORD");
  if (namesSession(req)) {
    const session = requiredSession(server, client, req);
    if (session.role.name === "publisher") return { session, role: session.role };
    if (wantsRecord) throw new RtspError(455, `${NO_SESSION_STATE} (the session is reading)`);
    return undefined;
  }
  const url = stripCredentials(req.url);
  for (const session of client.sessions) {
    const role = session.role;
    if (role.name === "publisher" && role.trackOf(url) !== undefined) {
      return { session, role };
    }
  }
  if (wantsRecord) {
    throw new RtspError(455, `${NO_SESSION_STATE} (SETUP for RECORD without ANNOUNCE)`);
  }
  return undefined;
}

/**
 * Sets up one announced track of a publisher's session. Transports whose `mode` leaves RECORD out
 * are skipped; one without `mode` is taken as RECORD, since the session can only record (gortsplib
 * once crashed on such a SETUP; HARDENING.md). Every track of a session uses the same lower
 * transport. Tracks other than the H.264 video (audio) are accepted and their packets discarded:
 * ffmpeg gives up publishing altogether when any SETUP fails, and so does GStreamer's
 * rtspclientsink.
 */
function setupPublishedTrack(
  server: ServerContext,
  client: ClientContext,
  req: RtspRequest,
  session: Session,
  role: Publishing,
): Reply {
  if (session.active) throw new RtspError(455, `${NO_SESSION_STATE} (already recording)`);
  const media = role.trackOf(stripCredentials(req.url));
  if (media === undefined) throw new RtspError(404, "Not Found (no such announced track)");
  if (role.tracks.has(media)) {
    throw new RtspError(459, "Aggregate Operation Not Allowed (track already set up)");
  }
  const offers = transportOffers(req);
  if (!offers.some((o) => modeAllows(o, "RECORD"))) {
    throw new RtspError(455, `${NO_SESSION_STATE} (SETUP for PLAY in a publishing session)`);
  }
  const chosen = chooseTransport(server, client, offers, "RECORD", role.transport);
  if (!chosen) throw new RtspError(461);
  role.addTrack({ media, channels: chosen.channels, clientPorts: chosen.clientPorts });
  session.tracksReady();
  if (chosen.clientPorts) {
    server.sessions.bindUdp(session, session.peer.hostname, chosen.clientPorts);
  }
  return transportReply(server, session, chosen.reply);
}

function newSession(server: ServerContext, client: ClientContext, role: Reading): Session {
  return new Session({
    id: newSessionId(),
    role,
    peer: client.remote,
    peerLabel: client.peerLabel,
    connectionId: client.id,
    now: server.clock.now(),
  });
}

function transportReply(server: ServerContext, session: Session, spec: TransportSpec): Reply {
  const headers = new RtspHeaders({
    Transport: formatTransport(spec),
    Session: sessionHeader(server, session),
  });
  return { status: 200, headers };
}

/** The Transport offers of a SETUP; 461 when there are none. */
function transportOffers(req: RtspRequest): TransportSpec[] {
  const value = req.headers.get("Transport");
  if (value === undefined || value.trim() === "") throw new RtspError(461);
  return parseTransport(value);
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

/**
 * Whether an offer's `mode` (RFC 2326 §12.39) fits: a reader's offer may only say PLAY; a
 * publisher's must include RECORD. No `mode` fits both (PLAY is the default, and a publisher's
 * session can only record).
 */
function modeAllows(offer: TransportSpec, mode: "PLAY" | "RECORD"): boolean {
  if (!offer.mode) return true;
  return mode === "PLAY"
    ? offer.mode.every((m) => m.toUpperCase() === "PLAY")
    : offer.mode.includes("RECORD");
}

/**
 * The first offer the server can take, in the client's order of preference: unicast RTP/AVP whose
 * mode fits, on `lower` when a track was already set up on one. TCP claims an interleaved channel
 * pair on the connection; UDP needs {@link udpClientPorts}.
 */
function chooseTransport(
  server: ServerContext,
  client: ClientContext,
  offers: readonly TransportSpec[],
  mode: "PLAY" | "RECORD",
  lower: "tcp" | "udp" | undefined,
): Chosen | undefined {
  const base = { protocol: "RTP", profile: "AVP", delivery: "unicast", extra: [] } as const;
  for (const offer of offers) {
    if (offer.delivery === "multicast") continue; // not offered (INTEROP.md: VLC and multicast)
    if (!modeAllows(offer, mode)) continue;
    if (!offer.profile.toUpperCase().startsWith("AVP") || offer.protocol.toUpperCase() !== "RTP") {
      continue;
    }
    const offered = offer.lowerTransport === "TCP" ? "tcp" : "udp";
    if (lower !== undefined && offered !== lower) continue;
    if (offered === "tcp") {
      const channels = client.claimChannels(offer.interleaved);
      return {
        lower: "tcp",
        channels,
        reply: { ...base, extra: [], lowerTransport: "TCP", interleaved: channels },
      };
    }
    const clientPorts = udpClientPorts(server, client, offer);
    if (!clientPorts) continue;
    const rtpPort = server.udp!.rtp.address.port;
    return {
      lower: "udp",
      clientPorts,
      reply: {
        ...base,
        extra: [],
        lowerTransport: "UDP",
        clientPort: clientPorts,
        serverPort: [rtpPort, rtpPort + 1],
      },
    };
  }
  return undefined;
}

/**
 * The client's RTP/RTCP port pair of a UDP offer this connection can take, or undefined when it
 * cannot: over RTSPS, RTP over UDP would leave the TLS tunnel in clear, so only interleaved is
 * offered (with nothing else asked for, 461 tells the client to ask again for TCP); UDP needs the
 * client's ports and a server socket of its address family; RFC 3550 §11 puts RTP on an even port
 * and RTCP on the next one (HARDENING item 10).
 */
function udpClientPorts(
  server: ServerContext,
  client: ClientContext,
  offer: TransportSpec,
): [number, number] | undefined {
  const ports = offer.clientPort;
  if (client.secure || !server.udp || !ports) return undefined;
  if (server.udp.rtp.address.family !== client.remote.family) return undefined;
  if (ports[0] % 2 !== 0 || ports[1] !== ports[0] + 1) return undefined;
  return [ports[0], ports[1]];
}
