/**
 * Finding the session a request names, and checking that the requester may use it.
 *
 * @module
 */

import type { RtspRequest } from "../../rtsp/message.ts";
import { formatSessionHeader, parseSessionHeader } from "../../rtsp/session_header.ts";
import { RtspError } from "../../rtsp/status.ts";
import type { RtspConnection } from "./connection.ts";
import type { ServerCore } from "../core.ts";
import type { AnySession } from "../session/session.ts";

/** `Session: <id>;timeout=<s>` as sent in replies (RFC 2326 §12.37). */
export function sessionHeader(core: ServerCore, session: AnySession): string {
  return formatSessionHeader(session.id, Math.round(core.options.sessionTimeout));
}

/**
 * The session a request names, checked against its owner; 454 when absent, unknown or owned by
 * someone else, so a guessed id learns nothing (HARDENING item 13). Counts as a sign of life.
 */
export function requiredSession(
  core: ServerCore,
  conn: RtspConnection,
  req: RtspRequest,
): AnySession {
  const session = optionalSession(core, conn, req);
  if (!session) throw new RtspError(454);
  return session;
}

/** The session a request names, if it exists and the requester may use it; a sign of life. */
export function optionalSession(
  core: ServerCore,
  conn: RtspConnection,
  req: RtspRequest,
): AnySession | undefined {
  const value = req.headers.get("Session");
  if (value === undefined) return undefined;
  let id: string;
  try {
    id = parseSessionHeader(value).id;
  } catch {
    return undefined;
  }
  const session = core.sessions.get(id);
  if (!session || !core.mayUse(conn, session)) return undefined;
  session.lastSeen = core.clock.now();
  return session;
}
