/**
 * The RTSP methods of reading (RFC 2326 §10): OPTIONS, DESCRIBE, PLAY, PAUSE, TEARDOWN and the
 * parameter keepalives, one function each, taking the request and returning a reply. SETUP is in
 * `setup.ts`; ANNOUNCE and RECORD in `publish.ts`.
 *
 * @module
 */

import { RtspHeaders } from "../../rtsp/headers.ts";
import type { RtspRequest } from "../../rtsp/message.ts";
import { parseRange } from "../../rtsp/range.ts";
import { formatRtpInfo } from "../../rtsp/rtp_info.ts";
import { RtspError } from "../../rtsp/status.ts";
import { buildSdp } from "../../sdp/build.ts";
import type { ClientContext, ServerContext } from "../context.ts";
import type { Stream } from "../stream/stream.ts";
import { contentBase, parseRequestTarget, trackControl } from "../request_target.ts";
import { NO_SESSION_STATE, PUBLIC_METHODS, type Reply, reply } from "./reply.ts";
import { namesSession, optionalSession, requiredSession, sessionHeader } from "./session_lookup.ts";

/** How long DESCRIBE waits for a new stream's SPS/PPS before answering without them. */
const DESCRIBE_WAIT_MS = 3000;

/**
 * A path whose source left (a device that disconnected, a camera unplugged) has nothing live to
 * give a new reader: 503 with the reason (RFC 2326 §7.1.1: the reason phrase may say more), as
 * mediamtx answers such a path 404. Readers already playing stay and wait for the source.
 */
function refuseWithoutSource(stream: Stream): void {
  const source = stream.sourceState;
  if (source.state === "gone") {
    throw new RtspError(503, `Service Unavailable (no live source: ${source.reason})`);
  }
}

/** OPTIONS (RFC 2326 §10.1). */
export function options(server: ServerContext, client: ClientContext, req: RtspRequest): Reply {
  // INTEROP.md: OPTIONS must always succeed (also for * and unknown paths) or VLC goes to HTTP
  // tunnelling; a Session header on it counts as a keepalive (ffmpeg's fallback).
  const session = optionalSession(server, client, req);
  const headers: Record<string, string> = { Public: PUBLIC_METHODS.join(", ") };
  if (session) headers.Session = sessionHeader(server, session);
  return reply(200, headers);
}

/** DESCRIBE (RFC 2326 §10.2): the SDP of the stream at the path. */
export async function describe(
  server: ServerContext,
  client: ClientContext,
  req: RtspRequest,
): Promise<Reply> {
  const target = parseRequestTarget(req.url);
  if (target.track !== undefined) throw new RtspError(404);
  const accept = req.headers.get("Accept");
  if (accept !== undefined && !/application\/sdp|\*\/\*|application\/\*/i.test(accept)) {
    throw new RtspError(406); // RFC 2326 §12.1: SDP is the only description we give
  }
  const stream = await server.describe(client, target.path);
  await stream.whenReady(DESCRIBE_WAIT_MS);
  refuseWithoutSource(stream);
  const sdp = buildSdp({
    sessionId: server.sdpSessionId(stream),
    sessionVersion: String(stream.sdpVersion),
    originAddress: client.local.hostname,
    name: "rtsp-edge",
    info: stream.path,
    tool: "rtsp-edge",
    media: stream.audio
      ? [stream.sdpMedia(trackControl(0)), stream.audio.sdpMedia(trackControl(1))]
      : [stream.sdpMedia(trackControl(0))],
  });
  const headers = new RtspHeaders({
    "Content-Type": "application/sdp",
    "Content-Base": contentBase(req.url),
  });
  return { status: 200, headers, body: new TextEncoder().encode(sdp) };
}

/** PLAY (RFC 2326 §10.5): media starts right after the reply. */
export function play(server: ServerContext, client: ClientContext, req: RtspRequest): Reply {
  const session = requiredSession(server, client, req);
  const role = session.role;
  // RFC 2326 Appendix A: a publisher's session has nothing to play.
  if (role.name !== "reader") {
    throw new RtspError(455, `${NO_SESSION_STATE} (the session is publishing)`);
  }
  const range = req.headers.get("Range");
  if (range !== undefined) {
    try {
      parseRange(range); // a live stream plays from now whatever was asked, but the value must parse
    } catch {
      throw new RtspError(457);
    }
  }
  const headers = new RtspHeaders({ Session: sessionHeader(server, session), Range: "npt=0.000-" });
  if (session.active) return { status: 200, headers }; // state unchanged
  refuseWithoutSource(role.stream);
  headers.set("RTP-Info", formatRtpInfo(role.rtpInfo()));
  return { status: 200, headers, afterWrite: () => server.startSession(session) };
}

/** PAUSE (RFC 2326 §10.6): a reader stops playing, a publisher stops recording. */
export function pause(server: ServerContext, client: ClientContext, req: RtspRequest): Reply {
  const session = requiredSession(server, client, req);
  server.pauseSession(session);
  return reply(200, { Session: sessionHeader(server, session) });
}

/** TEARDOWN (RFC 2326 §10.7). */
export function teardown(server: ServerContext, client: ClientContext, req: RtspRequest): Reply {
  const session = requiredSession(server, client, req);
  server.endSession(session, "teardown");
  return reply(200, { Session: session.id });
}

/** GET_PARAMETER and SET_PARAMETER (RFC 2326 §10.8, §10.9). */
export function parameter(server: ServerContext, client: ClientContext, req: RtspRequest): Reply {
  // GET_PARAMETER with no body is the keepalive INTEROP.md asks for. We expose no parameters, so a
  // request naming any is answered 451 Parameter Not Understood (RFC 2326 §10.8, §10.9).
  const session = namesSession(req) ? requiredSession(server, client, req) : undefined;
  const text = new TextDecoder().decode(req.body).trim();
  if (text !== "") throw new RtspError(451);
  return reply(200, session ? { Session: sessionHeader(server, session) } : undefined);
}
