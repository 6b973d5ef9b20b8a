/**
 * Content-Type parsing (RFC 9110 §8.3) and the mapping from a device's Content-Type to the
 * ingest format it publishes: H.264 Annex B, JPEG, a multipart JPEG stream, or raw frames.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ingestFormatOf, parseContentType } from "./content_type.ts";
 *
 * const ct = parseContentType('Multipart/X-Mixed-Replace; Boundary="frame"');
 * assert.equal(ct.type, "multipart");
 * assert.equal(ct.subtype, "x-mixed-replace");
 * assert.equal(ct.params.boundary, "frame");
 * assert.deepEqual(ingestFormatOf(ct), { kind: "multipart", boundary: "frame" });
 * assert.deepEqual(ingestFormatOf("video/x-raw;format=i420;width=640;height=480"), {
 *   kind: "raw",
 *   format: 0,
 *   width: 640,
 *   height: 480,
 * });
 * ```
 *
 * @module
 */

import { isTokenCode, printable } from "../rtsp/syntax.ts";
import { checkSize, type PixelFormat, pixelFormatByName } from "../codec/raw_frame.ts";
import { IngestFormatError } from "./errors.ts";

export { IngestFormatError } from "./errors.ts";
export type { PixelFormat } from "../codec/raw_frame.ts";

/** A parsed media type: `type/subtype; name=value...`. */
export interface ContentType {
  /** Lower-cased type, e.g. "video". */
  type: string;
  /** Lower-cased subtype, e.g. "x-raw". */
  subtype: string;
  /**
   * Parameters by lower-cased name; values as sent (quotes and escapes removed), since some are
   * case-sensitive (a multipart boundary). A record without prototype: any name is a plain key.
   */
  params: Record<string, string>;
}

/** What the body (or each WebSocket message) of an ingest request carries. */
export type IngestFormat =
  | {
    kind: "h264";
    /**
     * `framing=chunk`: each HTTP chunk holds exactly one access unit, so each goes out as soon as
     * its chunk ends (without it, an access unit is complete when the next one starts).
     */
    chunkPerAccessUnit?: true;
  }
  | { kind: "jpeg" }
  | { kind: "multipart"; boundary: string }
  | { kind: "raw"; format: PixelFormat; width: number; height: number; framerate?: number };

const SUPPORTED = "use video/h264, image/jpeg, multipart/x-mixed-replace or video/x-raw";
const FORMATS = "i420, nv12, yuyv, uyvy, rgb24, bgr24, rgba, bgra, rgb565 or gray8";
const MAX_CONTENT_TYPE = 1024;

const SP = 0x20;
const HT = 0x09;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Parses a Content-Type value (RFC 9110 §8.3.1: `type "/" subtype *( OWS ";" OWS [ parameter ] )`,
 * parameter values a token or a quoted-string). Type, subtype and parameter names are lower-cased
 * (they are case-insensitive, §8.3.2); values are kept as sent.
 *
 * @param text The header value (or the decoded `?type=` query parameter).
 * @returns The media type with its parameters.
 * @throws {IngestFormatError} 400 when the text is not a media type, or names a parameter twice.
 */
export function parseContentType(text: string): ContentType {
  if (text.length > MAX_CONTENT_TYPE) {
    throw bad(`the content type is longer than ${MAX_CONTENT_TYPE} characters`);
  }
  let i = 0;
  const n = text.length;
  const skipOws = () => {
    while (i < n && (text.charCodeAt(i) === SP || text.charCodeAt(i) === HT)) i++;
  };
  const token = (): string => {
    const from = i;
    while (i < n && isTokenCode(text.charCodeAt(i))) i++;
    return text.slice(from, i);
  };
  skipOws();
  const type = token();
  if (type === "" || text[i] !== "/") throw bad(`malformed content type ${printable(text)}`);
  i++;
  const subtype = token();
  if (subtype === "") throw bad(`malformed content type ${printable(text)}`);
  const params: Record<string, string> = Object.create(null);
  for (;;) {
    skipOws();
    if (i === n) break;
    if (text[i] !== ";") throw bad(`malformed content type ${printable(text)}`);
    i++;
    skipOws();
    if (i === n || text[i] === ";") continue; // RFC 9110 §5.6.6: empty parameters are allowed
    const name = token().toLowerCase();
    // RFC 9110 §5.6.6: no white space around "=".
    if (name === "" || text[i] !== "=") {
      throw bad(`malformed parameter in content type ${printable(text)}`);
    }
    i++;
    let value: string;
    if (text.charCodeAt(i) === QUOTE) {
      value = "";
      i++;
      for (;;) {
        if (i === n) throw bad(`unterminated quoted string in content type ${printable(text)}`);
        let c = text.charCodeAt(i++);
        if (c === QUOTE) break;
        if (c === BACKSLASH) {
          if (i === n) throw bad(`unterminated quoted string in content type ${printable(text)}`);
          c = text.charCodeAt(i++);
        }
        // qdtext / quoted-pair: HTAB, SP, VCHAR and obs-text; no other controls.
        if ((c < SP && c !== HT) || c === 0x7f || c > 0xff) {
          throw bad(`control character in content type ${printable(text)}`);
        }
        value += String.fromCharCode(c);
      }
    } else {
      // Tolerated: "/" in an unquoted value, as GStreamer caps write a framerate ("30000/1001")
      // and some cameras a boundary; RFC 9110 §5.6.2 would want them quoted.
      const from = i;
      while (i < n && (isTokenCode(text.charCodeAt(i)) || text[i] === "/")) i++;
      value = text.slice(from, i);
      if (value === "") throw bad(`malformed parameter in content type ${printable(text)}`);
    }
    // Two values for one name (say two boundaries) would let two parsers disagree: refuse.
    if (name in params) throw bad(`parameter ${name} given twice in the content type`);
    params[name] = value;
  }
  return { type: type.toLowerCase(), subtype: subtype.toLowerCase(), params };
}

/**
 * The ingest format a Content-Type names (see the ingest protocol): `video/h264`, `image/jpeg`,
 * `multipart/x-mixed-replace; boundary=...` or
 * `video/x-raw; format=...; width=...; height=...[; framerate=...]`.
 *
 * @param ct A Content-Type value, or one already parsed by {@linkcode parseContentType}.
 * @returns The format, with a raw format's pixel format and size checked.
 * @throws {IngestFormatError} 415 for an unsupported type or pixel format, 400 for a malformed
 * content type or missing or bad parameters.
 */
export function ingestFormatOf(ct: string | ContentType): IngestFormat {
  if (typeof ct === "string" && ct.trim() === "") {
    throw new IngestFormatError(415, `the content type is missing; ${SUPPORTED}`);
  }
  const { type, subtype, params } = typeof ct === "string" ? parseContentType(ct) : ct;
  const media = `${type}/${subtype}`;
  switch (media) {
    case "video/h264":
      if (params.framing === undefined) return { kind: "h264" };
      if (params.framing.toLowerCase() === "chunk") {
        return { kind: "h264", chunkPerAccessUnit: true };
      }
      throw new IngestFormatError(
        400,
        `video/h264 framing must be "chunk", got "${params.framing}"`,
      );
    case "image/jpeg":
    case "image/jpg": // not registered, but Arduino sketches send it
      return { kind: "jpeg" };
    case "multipart/x-mixed-replace":
      return { kind: "multipart", boundary: boundaryOf(params) };
    case "video/x-raw":
      return rawFormat(params);
    default:
      // type and subtype are tokens (or came from a caller), never raw peer bytes.
      throw new IngestFormatError(
        415,
        `unsupported content type ${printableMedia(media)}; ${SUPPORTED}`,
      );
  }
}

// RFC 2046 §5.1.1: boundary := 0*69<bchars> bcharsnospace, at most 70 characters.
const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;

function boundaryOf(params: Record<string, string>): string {
  const boundary = params.boundary;
  if (boundary === undefined) {
    throw bad("multipart/x-mixed-replace needs a boundary parameter");
  }
  if (!BOUNDARY.test(boundary)) {
    throw bad(
      `the multipart boundary ${printable(boundary)} is not 1 to 70 RFC 2046 boundary characters`,
    );
  }
  return boundary;
}

function rawFormat(params: Record<string, string>): IngestFormat {
  if (params.format === undefined) {
    throw bad(`video/x-raw needs a format parameter: ${FORMATS}`);
  }
  if (params.width === undefined || params.height === undefined) {
    throw bad("video/x-raw needs width and height");
  }
  let format: PixelFormat;
  try {
    format = pixelFormatByName(params.format);
  } catch {
    throw new IngestFormatError(
      415,
      `unsupported pixel format ${printable(params.format)}; use ${FORMATS}`,
    );
  }
  const width = dimension("width", params.width);
  const height = dimension("height", params.height);
  try {
    checkSize(width, height);
  } catch (e) {
    throw bad(`video/x-raw ${(e as Error).message}`);
  }
  const out: IngestFormat = { kind: "raw", format, width, height };
  if (params.framerate !== undefined) out.framerate = framerate(params.framerate);
  return out;
}

function dimension(name: string, value: string): number {
  if (!/^[0-9]{1,5}$/.test(value)) {
    throw bad(`video/x-raw ${name} must be a whole number of pixels, got ${printable(value)}`);
  }
  return Number(value);
}

// A decimal ("25", "29.97") or, as GStreamer caps write it, a fraction ("30000/1001").
function framerate(value: string): number {
  let rate = NaN;
  const fraction = /^([0-9]{1,9})\/([0-9]{1,9})$/.exec(value);
  if (fraction) rate = Number(fraction[1]) / Number(fraction[2]);
  else if (/^[0-9]{1,4}(\.[0-9]{1,6})?$/.test(value)) rate = Number(value);
  if (!(rate > 0 && rate <= 1000)) {
    throw bad(`video/x-raw framerate must be above 0 and at most 1000, got ${printable(value)}`);
  }
  return rate;
}

function printableMedia(media: string): string {
  return /^[\x21-\x7e]{1,100}$/.test(media) ? media : printable(media);
}

function bad(message: string): IngestFormatError {
  return new IngestFormatError(400, message);
}
