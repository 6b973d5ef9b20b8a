/**
 * Answers one request: the method's handler, after the checks every method shares (RFC 2326 §11.5.1
 * unknown methods, §12.32 Require, access control). Every failure is an `RtspError` carrying its
 * status; anything else becomes 500, so nothing a peer sends escapes as an exception.
 *
 * @module
 */

import { HeaderError } from "../../rtsp/header_error.ts";
import type { RtspRequest } from "../../rtsp/message.ts";
import { parseOptionTags } from "../../rtsp/option_tags.ts";
import { RtspError, STATUS_TEXT } from "../../rtsp/status.ts";
import { isSafeFieldValue } from "../../rtsp/syntax.ts";
import type { ClientContext, ServerContext } from "../context.ts";
import { checkAccess } from "./access.ts";
import { describe, options, parameter, pause, play, teardown } from "./methods.ts";
import { announce, record } from "./publish.ts";
import { PUBLIC_METHODS, type Reply, reply } from "./reply.ts";
import { setup } from "./setup.ts";

/** A method's handler. */
export type Handler = (
  server: ServerContext,
  client: ClientContext,
  req: RtspRequest,
) => Promise<Reply> | Reply;

const HANDLERS: Readonly<Record<string, Handler>> = {
  OPTIONS: options,
  DESCRIBE: describe,
  ANNOUNCE: announce,
  SETUP: setup,
  PLAY: play,
  RECORD: record,
  PAUSE: pause,
  TEARDOWN: teardown,
  GET_PARAMETER: parameter,
  SET_PARAMETER: parameter,
};

/** Answers one request. Never throws. */
export async function dispatch(
  server: ServerContext,
  client: ClientContext,
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
    if (server.access && req.method !== "OPTIONS") {
      const denied = await checkAccess(server, server.access, client, req);
      if (denied) return denied;
    }
    return await handler(server, client, req);
  } catch (error) {
    if (error instanceof RtspError) {
      // Our own sentence goes out as the reason phrase: GStreamer prints it ("Got error response:
      // 409 (Conflict (path is already being published))"), and so does ffmpeg for a status above
      // 400. HeaderError messages quote the peer's bytes, so they never do.
      const reason = error.message !== STATUS_TEXT[error.status] &&
          isSafeFieldValue(error.message) && error.message.length <= 200
        ? error.message
        : undefined;
      return { ...reply(error.status), reason };
    }
    if (error instanceof HeaderError) return reply(error.status);
    server.logger.log("error", "request handler failed", {
      connection: client.id,
      peer: client.peerLabel,
      method: req.method,
      error: String(error),
    });
    return reply(500);
  }
}
