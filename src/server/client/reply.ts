/**
 * What a request handler answers, and the methods the server answers at all.
 *
 * @module
 */

import { RtspHeaders } from "../../rtsp/headers.ts";

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

/** A reply with just a status and optional headers. */
export function reply(status: number, headers?: Record<string, string>): Reply {
  return { status, headers: new RtspHeaders(headers) };
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

/** The reason phrase of 455 (RFC 2326 §11.3.10), to which handlers add why. */
export const NO_SESSION_STATE = "Method Not Valid in This State";
