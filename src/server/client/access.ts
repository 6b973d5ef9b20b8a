/**
 * Access control of one request (HARDENING.md "Access"): which path and action it is judged by, the
 * gate's decision, and the log line of a denial.
 *
 * @module
 */

import type { AccessGate } from "../../auth/gate.ts";
import { RtspHeaders } from "../../rtsp/headers.ts";
import type { RtspRequest } from "../../rtsp/message.ts";
import { parseTransport } from "../../rtsp/transport.ts";
import type { ClientContext, ServerContext } from "../context.ts";
import { parseRequestTarget } from "../request_target.ts";
import type { Reply } from "./reply.ts";
import { optionalSession } from "./session_lookup.ts";

const PUBLISHING = new Set(["ANNOUNCE", "RECORD"]);

/**
 * Reading needs read rights on the path; ANNOUNCE, a publisher's SETUP and RECORD publish rights;
 * a request inside a session is judged by its session's path. Unknown paths get the rule of the
 * server (a 401, not a 404, while unauthenticated). Returns the 401/403 reply, or undefined to go
 * on. OPTIONS never comes here: VLC goes to HTTP tunnelling on a 401.
 */
export async function checkAccess(
  server: ServerContext,
  gate: AccessGate,
  client: ClientContext,
  req: RtspRequest,
): Promise<Reply | undefined> {
  const session = optionalSession(server, client, req);
  let path: string | undefined;
  try {
    path = parseRequestTarget(req.url).path;
  } catch {
    path = undefined; // `*` or a malformed URL: the server-wide rule; the handler answers 400
  }
  let publishing = PUBLISHING.has(req.method);
  if (session) {
    path = session.path;
    publishing = session.role.name === "publisher";
  } else if (req.method === "SETUP") {
    publishing = [...client.sessions].some((s) => s.role.name === "publisher") ||
      offersRecord(req);
  }
  const outcome = await gate.check(client, {
    method: req.method,
    url: req.url,
    aggregateUrl: req.url.replace(/\/trackID=\d{1,3}$/, ""),
    path,
    action: publishing ? "publish" : "read",
    authorization: req.headers.get("Authorization"),
    ip: client.remote.hostname,
    secure: client.secure, // set by the TLS listener
  });
  if (outcome.kind === "allow") {
    if (outcome.newlyAuthenticated) {
      server.logger.log("info", "authenticated", {
        connection: client.id,
        peer: client.peerLabel,
        user: outcome.user,
      });
    }
    return undefined;
  }
  // The first request of every Digest client comes without credentials and gets its challenge:
  // that 401 is the protocol working (RFC 2617 §3.2.1), not a denial worth an info line.
  const expected = outcome.status === 401 && req.headers.get("Authorization") === undefined;
  if (!expected) server.counters.authFailures++;
  // The Authorization value is never logged; nor the user name of a failed attempt.
  server.logger.log(expected ? "debug" : "info", expected ? "challenge sent" : "access denied", {
    connection: client.id,
    peer: client.peerLabel,
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
