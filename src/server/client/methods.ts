/**
 * RTSP methods (RFC 2326 §10) for a server that sends live media and takes it from publishers: one
 * function per method, each taking the request and returning a reply (ANNOUNCE and RECORD live in
 * `record_methods.ts`). Every failure is an `RtspError` carrying its status; the dispatcher turns
 * anything else into 500, so nothing a peer sends escapes as an exception.
 *
 * @module
 */

import { HeaderError } from "../../rtsp/header_error.ts";
import { RtspHeaders } from "../../rtsp/headers.ts";
import type { RtspRequest } from "../../rtsp/message.ts";
import type { AccessGate } from "../../auth/gate.ts";
import { parseOptionTags } from "../../rtsp/option_tags.ts";
import { parseRange } from "../../rtsp/range.ts";
import { parseTransport } from "../../rtsp/transport.ts";
import { formatRtpInfo } from "../../rtsp/rtp_info.ts";
import { RtspError, STATUS_TEXT } from "../../rtsp/status.ts";
import { isSafeFieldValue } from "../../rtsp/syntax.ts";
import { buildSdp } from "../../sdp/build.ts";
import type { ServerCore } from "../core.ts";
import type { RtspConnection } from "./connection.ts";
import { contentBase, parseRequestTarget, trackControl } from "../mounts.ts";
import { optionalSession, requiredSession, sessionHeader } from "./session_lookup.ts";
import { announce, record } from "./publish.ts";
import { setupSession } from "./setup.ts";

/** What a handler answers: a status, headers, a body, and work to do once the reply is written. */
export interface Reply {
  /** Status code. */
  status: number;
  /** Reason phrase when not the RFC's, e.g. `Bad Request (path is already being published)`. */
  reason?: string;
  /** Headers besides CSeq, Server, Date (added by the connection). */
  headers: RtspHeaders;
  /** Body bytes. */
  body?: Uint8Array;
  /** Runs right after the reply is queued: media must follow the PLAY reply, not precede it. */
  afterWrite?: () => void;
}

/** The methods this server implements, for `Public` (RFC 2326 §12.28). */
export const PUBLIC_METHODS: readonly string[] = [
  "OPTIONS",
  "DESCRIBE",
  "ANNOUNCE",
  "SETUP",
  "PLAY",
  "RECORD",
  "PAUSE",
  "TEARDOWN",
  "GET_PARAMETER",
  "SET_PARAMETER",
];

const NOT_A_READER = "Method Not Valid in This State (the session is publishing)";

/** How long DESCRIBE waits for a new stream's SPS/PPS before answering without them. */
const DESCRIBE_WAIT_MS = 3000;

type Handler = (core: ServerCore, conn: RtspConnection, req: RtspRequest) => Promise<Reply> | Reply;

const HANDLERS: Readonly<Record<string, Handler>> = {
  OPTIONS: options,
  DESCRIBE: describe,
  ANNOUNCE: announce,
  SETUP: setupSession,
  PLAY: play,
  RECORD: record,
  PAUSE: pause,
  TEARDOWN: teardown,
  GET_PARAMETER: parameter,
  SET_PARAMETER: parameter,
};

/** A reply with just a status and optional headers. */
export function reply(status: number, headers?: Record<string, string>): Reply {
  return { status, headers: new RtspHeaders(headers) };
}

/** Answers one request. Never throws. */
export async function dispatch(
  core: ServerCore,
  conn: RtspConnection,
  req: RtspRequest,
): Promise<Reply> {
  try {
    const handler = HANDLERS[req.method];
    if (!handler) {
      // RFC 2326 §11.5.1 and HARDENING item 8: unknown method → 501, saying what we do know.
      return reply(501, { Public: PUBLIC_METHODS.join(", ") });
    }
    const required = req.headers.get("Require");
    if (required !== undefined) {
      // RFC 2326 §12.32: we support no option tags, so any Require is refused with 551.
      const tags = parseOptionTags(required);
      if (tags.length > 0) return reply(551, { Unsupported: tags.join(", ") });
    }
    if (core.access && req.method !== "OPTIONS") {
      const denied = await checkAccess(core, core.access, conn, req);
      if (denied) return denied;
    }
    return await handler(core, conn, req);
  } catch (error) {
    if (error instanceof RtspError) {
      // Our own sentence goes out as the reason phrase: GStreamer prints it ("Got error response:
      // 400 (Bad Request (path is already being published))"). HeaderError messages quote the
      // peer's bytes, so they never do.
      const reason = error.message !== STATUS_TEXT[error.status] &&
          isSafeFieldValue(error.message) && error.message.length <= 200
        ? error.message
        : undefined;
      return { ...reply(error.status), reason };
    }
    if (error instanceof HeaderError) return reply(error.status);
    core.logger.log("error", "request handler failed", {
      connection: conn.id,
      peer: conn.peerLabel,
      method: req.method,
      error: String(error),
    });
    return reply(500);
  }
}

const PUBLISHING = new Set(["ANNOUNCE", "RECORD"]);

/**
 * HARDENING.md "Access": reading needs read rights on the path, ANNOUNCE, a publisher's SETUP
 * and RECORD publish rights; a request inside a session is judged by its session's path. Unknown
 * paths get the rule of the server (a 401, not a 404, while unauthenticated). Returns the 401/403
 * reply, or undefined to go on. OPTIONS never comes here: VLC goes to HTTP tunnelling on a 401.
 */
async function checkAccess(
  core: ServerCore,
  gate: AccessGate,
  conn: RtspConnection,
  req: RtspRequest,
): Promise<Reply | undefined> {
  const session = optionalSession(core, conn, req);
  let path: string | undefined;
  try {
    path = parseRequestTarget(req.url).path;
  } catch {
    path = undefined; // `*` or a malformed URL: the server-wide rule; the handler answers 400
  }
  let publishing = PUBLISHING.has(req.method);
  if (session) {
    path = session.kind === "record" ? session.path : session.stream.path;
    publishing = session.kind === "record";
  } else if (req.method === "SETUP") {
    publishing = [...conn.sessions].some((s) => s.kind === "record") || offersRecord(req);
  }
  const outcome = await gate.check(conn, {
    method: req.method,
    url: req.url,
    aggregateUrl: req.url.replace(/\/trackID=\d{1,3}$/, ""),
    path,
    action: publishing ? "publish" : "read",
    authorization: req.headers.get("Authorization"),
    ip: conn.tcp.remote.hostname,
    secure: conn.secure === true, // set by the TLS listener
  });
  if (outcome.kind === "allow") {
    if (outcome.newlyAuthenticated) {
      core.logger.log("info", "authenticated", {
        connection: conn.id,
        peer: conn.peerLabel,
        user: outcome.user,
      });
    }
    return undefined;
  }
  // The Authorization value is never logged; nor the user name of a failed attempt.
  core.logger.log("info", "access denied", {
    connection: conn.id,
    peer: conn.peerLabel,
    method: req.method,
    status: outcome.status,
    reason: outcome.reason,
  });
  const headers = new RtspHeaders();
  for (const c of outcome.challenges) headers.append("WWW-Authenticate", c);
  return { status: outcome.status, headers };
}

function offersRecord(req: RtspRequest): boolean {
  try {
    const value = req.headers.get("Transport");
    return value !== undefined && parseTransport(value).some((o) => o.mode?.includes("RECORD"));
  } catch {
    return false; // the SETUP handler answers the malformed header
  }
}

function options(core: ServerCore, conn: RtspConnection, req: RtspRequest): Reply {
  // INTEROP.md: OPTIONS must always succeed (also for * and unknown paths) or VLC goes to HTTP
  // tunnelling; a Session header on it counts as a keepalive (ffmpeg's fallback).
  const session = optionalSession(core, conn, req);
  const headers: Record<string, string> = { Public: PUBLIC_METHODS.join(", ") };
  if (session) headers.Session = sessionHeader(core, session);
  return reply(200, headers);
}

async function describe(core: ServerCore, conn: RtspConnection, req: RtspRequest): Promise<Reply> {
  const target = parseRequestTarget(req.url);
  const stream = core.mounts.get(target.path);
  if (!stream || target.track !== undefined) throw new RtspError(404);
  const accept = req.headers.get("Accept");
  if (accept !== undefined && !/application\/sdp|\*\/\*|application\/\*/i.test(accept)) {
    throw new RtspError(406); // RFC 2326 §12.1: SDP is the only description we give
  }
  await stream.whenReady(DESCRIBE_WAIT_MS);
  const sdp = buildSdp({
    sessionId: core.sdpSessionId(stream),
    sessionVersion: String(stream.sdpVersion),
    originAddress: conn.tcp.local.hostname,
    name: "rtsp-edge",
    info: stream.path,
    tool: "rtsp-edge",
    media: [stream.sdpMedia(trackControl(0))],
  });
  const headers = new RtspHeaders({
    "Content-Type": "application/sdp",
    "Content-Base": contentBase(req.url),
  });
  return { status: 200, headers, body: new TextEncoder().encode(sdp) };
}

function play(core: ServerCore, conn: RtspConnection, req: RtspRequest): Reply {
  const session = requiredSession(core, conn, req);
  // RFC 2326 Appendix A: a publisher's session has nothing to play.
  if (session.kind === "record") throw new RtspError(455, NOT_A_READER);
  const range = req.headers.get("Range");
  if (range !== undefined) {
    try {
      parseRange(range); // a live stream plays from now whatever was asked, but the value must parse
    } catch {
      throw new RtspError(457);
    }
  }
  const headers = new RtspHeaders({ Session: sessionHeader(core, session), Range: "npt=0.000-" });
  if (session.state === "playing") return { status: 200, headers }; // state unchanged
  const start = session.stream.startPoint();
  headers.set(
    "RTP-Info",
    formatRtpInfo([{ url: session.trackUrl, seq: start.sequence, rtptime: start.rtpTimestamp }]),
  );
  return { status: 200, headers, afterWrite: () => core.startPlaying(session) };
}

function pause(core: ServerCore, conn: RtspConnection, req: RtspRequest): Reply {
  const session = requiredSession(core, conn, req);
  session.pause(); // a publisher's stops recording (RFC 2326 §10.6), a reader's stops playing
  return reply(200, { Session: sessionHeader(core, session) });
}

function teardown(core: ServerCore, conn: RtspConnection, req: RtspRequest): Reply {
  const session = requiredSession(core, conn, req);
  core.endSession(session, "teardown");
  return reply(200, { Session: session.id });
}

function parameter(core: ServerCore, conn: RtspConnection, req: RtspRequest): Reply {
  // GET_PARAMETER with no body is the keepalive INTEROP.md asks for. We expose no parameters, so a
  // request naming any is answered 451 Parameter Not Understood (RFC 2326 §10.8, §10.9).
  const session = req.headers.has("Session") ? requiredSession(core, conn, req) : undefined;
  const text = new TextDecoder().decode(req.body).trim();
  if (text !== "") throw new RtspError(451);
  return reply(200, session ? { Session: sessionHeader(core, session) } : undefined);
}
