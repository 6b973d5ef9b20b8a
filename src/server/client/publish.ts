/**
 * ANNOUNCE (RFC 2326 §10.3) and RECORD (§10.11): a publisher (ffmpeg `-f rtsp`, GStreamer's
 * `rtspclientsink`) claims a path with its SDP, sets its tracks up (`setup.ts`) and starts
 * sending. Readers of the path are served the publisher's H.264.
 *
 * @module
 */

import { normalizePathName, PATH_NAME_RULE } from "../../base/path_name.ts";
import { RtspHeaders } from "../../rtsp/headers.ts";
import type { RtspRequest } from "../../rtsp/message.ts";
import { parseRange } from "../../rtsp/range.ts";
import { RtspError } from "../../rtsp/status.ts";
import { stripCredentials } from "../../rtsp/url.ts";
import { type Announcement, readAnnouncement } from "../../sdp/announcement.ts";
import type { ClientContext, ServerContext } from "../context.ts";
import { parseRequestTarget } from "../request_target.ts";
import { PathBusyError, type ServerPublication } from "../publishers.ts";
import { Publishing } from "../session/publishing.ts";
import { Session } from "../session/session.ts";
import { newSessionId } from "../session/session_id.ts";
import { NO_SESSION_STATE, type Reply } from "./reply.ts";
import { namesSession, requiredSession, sessionHeader } from "./session_lookup.ts";

/**
 * The reason phrase of a 403 to a publisher on a path that takes none, in the terms of both the
 * command line and the configuration file; `serve()` callers know their `publishers` option.
 */
export const NO_PUBLISHERS_REASON =
  "Forbidden (this path takes no publishers: start rtsp-edge with --publish, or give the path " +
  "source: publisher)";

/** The server's log line for the same refusal, which has room for the library's option too. */
const NO_PUBLISHERS_LOG = "no publishers allowed here; allow them with --publish or a path with " +
  "source: publisher in the config (in serve(), the publishers option)";

/**
 * Handles ANNOUNCE: reads the SDP, claims the path and makes the publisher's session. The reply
 * carries no Session header (gortsplib does the same, and both ffmpeg and GStreamer then SETUP
 * without one); the session is found by its connection and track URL, and named from SETUP on.
 *
 * A path another publisher holds is refused with 409 Conflict and a reason phrase saying so.
 * mediamtx answers a busy path with 400, but ffmpeg prints the reason phrase only of a status
 * above 400 (libavformat/rtsp.c), so after a 400 its user reads no more than "Server returned 400
 * Bad Request"; after the 409 ffmpeg prints "method ANNOUNCE failed: 409 Conflict (path is
 * already being published)", and GStreamer prints the phrase whatever the code. Where the path's
 * rule (`publishers` option) says `replace`, the new publisher takes the path and the old one's
 * connection is closed instead; a path without a rule is 403.
 */
export function announce(server: ServerContext, client: ClientContext, req: RtspRequest): Reply {
  if (namesSession(req)) {
    requiredSession(server, client, req); // 454 for an unknown one
    throw new RtspError(455, `${NO_SESSION_STATE} (ANNOUNCE inside a session)`);
  }
  const target = parseRequestTarget(req.url);
  if (target.track !== undefined || target.path === "/") {
    throw new RtspError(400, "Bad Request (ANNOUNCE needs a stream path)");
  }
  // A published path becomes a mount point, which keeps the one rule for path names.
  if (normalizePathName(target.path) !== target.path) {
    throw new RtspError(400, `Bad Request (a path name holds ${PATH_NAME_RULE})`);
  }
  const type = req.headers.get("Content-Type")?.split(";")[0].trim().toLowerCase();
  if (type !== "application/sdp") {
    throw new RtspError(415, "Unsupported Media Type (ANNOUNCE takes application/sdp)");
  }
  if (req.body.length === 0) throw new RtspError(400, "Bad Request (ANNOUNCE without SDP)");
  const url = stripCredentials(req.url);
  // The body is within the parser's cap (HARDENING.md: 128 KiB, checked before allocating).
  const read = readAnnouncement(new TextDecoder().decode(req.body), url);
  if (!read.ok) {
    // SDP that does not parse is a bad request; media we cannot take, an unsupported type.
    const status = read.problem === "invalid SDP" ? 400 : 415;
    throw new RtspError(
      status,
      `${status === 400 ? "Bad Request" : "Unsupported Media Type"} (${read.problem})`,
    );
  }
  const announcement = read.announcement;
  const rule = server.options.publishers(target.path);
  if (rule === undefined) {
    // 403 Forbidden (RFC 2326 §7.1.1; §11 reuses HTTP's meaning): understood, and not served.
    // The reason phrase says how to allow it; ffmpeg prints it ("method ANNOUNCE failed: 403 ...")
    // and so does GStreamer. The path stays a field: it is the peer's text (HARDENING item 5).
    server.logger.log("info", `publisher refused: ${NO_PUBLISHERS_LOG}`, {
      connection: client.id,
      peer: client.peerLabel,
      path: target.path,
    });
    throw new RtspError(403, NO_PUBLISHERS_REASON);
  }
  server.sessions.checkRoom(client.remote.hostname);

  // The session is made once the claim holds, but the claim's callback must be able to end it.
  const made: { session?: Session } = {};
  const publication = claim(
    server,
    client,
    target.path,
    announcement,
    rule.replace ?? false,
    () => {
      // A later publisher took the path: this one stops and is told by its connection closing.
      if (made.session) server.endSession(made.session, "replaced");
      client.close();
    },
  );
  const { sps, pps } = announcement;
  // A publisher's clock starts over, and its SDP's parameter sets stand for the last publisher's:
  // readers get them in front of every IDR (ffmpeg's libx264 sends them only in the SDP), and a
  // DESCRIBE before the first IDR already has sprop-parameter-sets (INTEROP.md).
  publication.stream.restartSource(sps && pps ? { sps, pps } : undefined);
  publication.stream.setAudio(announcement.audio?.format);
  const session = made.session = new Session({
    id: newSessionId(),
    role: new Publishing({
      announcement,
      requestUrl: url,
      publication,
      maxAccessUnitSize: server.options.maxAccessUnitSize,
      publisher: `RTSP publisher ${client.remote.hostname}`,
    }),
    peer: client.remote,
    peerLabel: client.peerLabel,
    connectionId: client.id,
    now: server.clock.now(),
  });
  server.openSession(session);
  logTracks(server, session, announcement);
  return { status: 200, headers: new RtspHeaders() };
}

/** Claims `path` for the publisher on `client`; a busy path is refused with 409 and why. */
function claim(
  server: ServerContext,
  client: ClientContext,
  path: string,
  announcement: Announcement,
  replace: boolean,
  onReplaced: () => void,
): ServerPublication {
  try {
    return server.publishers.claim(path, {
      codec: "h264",
      publisher: `rtsp ${client.remote.hostname}`,
      framerate: announcement.framerate,
      maxFrameSize: server.options.maxAccessUnitSize,
      replace,
      onReplaced,
    });
  } catch (error) {
    if (!(error instanceof PathBusyError)) throw error;
    server.logger.log("info", "publisher refused", {
      connection: client.id,
      peer: client.peerLabel,
      path,
      error: error.message,
    });
    const why = server.publishers.publisherOf(path) !== undefined
      ? "path is already being published"
      : "path is served by a local source";
    // 409 is HTTP's Conflict (RFC 2616 §10.4.10: a conflict with the current state of the
    // resource), which RFC 2326 §11 reuses where it applies; the ingest port answers a busy path
    // with the same code. A client that does not know it takes it as 400 (RFC 2326 §7.1.1).
    throw new RtspError(409, `Conflict (${why})`);
  }
}

/**
 * Says once per publisher which announced tracks are carried and which are dropped: only the
 * H.264 video reaches readers for now, and an audio track that vanished without a word would look
 * like a bug.
 */
function logTracks(server: ServerContext, session: Session, announcement: Announcement): void {
  if (announcement.media.length < 2) return;
  const describe = (i: number) => {
    const m = announcement.media[i];
    return `${i}:${m.kind}${m.encoding ? "/" + m.encoding : ""}`;
  };
  const carried = [announcement.video];
  if (announcement.audio) carried.push(announcement.audio.index);
  const fields: Record<string, string> = {
    session: session.id,
    path: session.path,
    carried: carried.map(describe).join(", "),
  };
  const notes = announcement.audio?.notes ?? [];
  if (notes.length > 0) fields.tolerated = notes.join("; ");
  if (announcement.refused.length > 0) {
    fields.refused = announcement.refused.map((r) => `${describe(r.index)} (${r.reason})`)
      .join(", ");
  }
  server.logger.log("info", "publisher tracks", fields);
}

/**
 * Handles RECORD: the publisher's packets are taken from now on. 455 unless the request names a
 * publisher's session whose H.264 track is set up (RECORD without ANNOUNCE, or in a reader's
 * session). A second RECORD changes nothing.
 */
export function record(server: ServerContext, client: ClientContext, req: RtspRequest): Reply {
  if (!namesSession(req)) {
    throw new RtspError(455, `${NO_SESSION_STATE} (RECORD without ANNOUNCE and SETUP)`);
  }
  const session = requiredSession(server, client, req);
  const role = session.role;
  if (role.name !== "publisher") {
    throw new RtspError(455, `${NO_SESSION_STATE} (the session is reading)`);
  }
  if (!role.videoReady) {
    throw new RtspError(455, `${NO_SESSION_STATE} (the H.264 track is not set up)`);
  }
  const path = parseRequestTarget(req.url).path;
  if (path !== session.path && !path.startsWith(session.path + "/")) {
    throw new RtspError(400, "Bad Request (RECORD of another path than announced)");
  }
  const range = req.headers.get("Range");
  if (range !== undefined) {
    try {
      parseRange(range); // a live publisher records from now, but the value must parse
    } catch {
      throw new RtspError(457);
    }
  }
  server.startSession(session);
  return { status: 200, headers: new RtspHeaders({ Session: sessionHeader(server, session) }) };
}
