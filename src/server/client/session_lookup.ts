/**
 * Finding the session a request names, and checking that the requester may use it.
 *
 * @module
 */

import type { RtspRequest } from "../../rtsp/message.ts";
import { formatSessionHeader, parseSessionHeader } from "../../rtsp/session_header.ts";
import { RtspError } from "../../rtsp/status.ts";
import type { ClientContext, ServerContext } from "../context.ts";
import type { Session } from "../session/session.ts";

/** `Session: <id>;timeout=<s>` as sent in replies (RFC 2326 §12.37). */
export function sessionHeader(server: ServerContext, session: Session): string {
  return formatSessionHeader(session.id, Math.round(server.options.sessionTimeout));
}

/**
 * Whether a request names a session. An empty `Session:` value names none: a C++ pusher library
 * sends one on its ANNOUNCE, and answering that with 454 would stop it from publishing at all.
 */
export function namesSession(req: RtspRequest): boolean {
  const value = req.headers.get("Session");
  return value !== undefined && value.trim() !== "";
}

/**
 * The session a request names, checked against its owner; 454 when absent, unknown or owned by
 * someone else, so a guessed id learns nothing (HARDENING item 13). Counts as a sign of life.
 */
export function requiredSession(
  server: ServerContext,
  client: ClientContext,
  req: RtspRequest,
): Session {
  const session = optionalSession(server, client, req);
  if (!session) throw new RtspError(454);
  return session;
}

/** The session a request names, if it exists and the requester may use it; a sign of life. */
export function optionalSession(
  server: ServerContext,
  client: ClientContext,
  req: RtspRequest,
): Session | undefined {
  if (!namesSession(req)) return undefined;
  let id: string;
  try {
    id = parseSessionHeader(req.headers.get("Session")!).id;
  } catch {
    return undefined;
  }
  const session = server.sessions.get(id);
  if (!session || !server.mayUse(client, session)) return undefined;
  session.lastSeen = server.clock.now();
  return session;
}
