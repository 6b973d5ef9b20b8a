/**
 * The Transport header (RFC 2326 §12.39).
 *
 * @module
 */

import { HeaderError } from "./header_error.ts";
import { isSafeFieldValue, isToken, printable } from "./syntax.ts";

/**
 * One transport alternative of a Transport header. Tokens are normalised to upper case
 * (`rtp/avp/tcp` → protocol `RTP`, profile `AVP`, lowerTransport `TCP`).
 */
export interface TransportSpec {
  /** Transport protocol, `RTP` for every known client. */
  protocol: string;
  /** Profile: `AVP`, or `SAVP`/`AVPF`/`SAVPF` (the server decides what it supports). */
  profile: string;
  /** Lower transport; `RTP/AVP` without a third part means UDP (RFC 2326 §12.39). */
  lowerTransport: "UDP" | "TCP";
  /** `unicast` or `multicast`, when given. */
  delivery?: "unicast" | "multicast";
  /** `destination=` address as written; the server must not send media to a third party. */
  destination?: string;
  /** `source=` address as written. */
  source?: string;
  /** Interleaved channel pair for TCP (RFC 2326 §10.12), each 0–255. */
  interleaved?: [number, number];
  /** Client RTP and RTCP ports. */
  clientPort?: [number, number];
  /** Server RTP and RTCP ports. */
  serverPort?: [number, number];
  /** Multicast RTP and RTCP ports. */
  port?: [number, number];
  /** Multicast time-to-live, 0–255. */
  ttl?: number;
  /** RTP SSRC as an unsigned 32-bit integer. */
  ssrc?: number;
  /** Methods from `mode=`, upper case (`PLAY`, `RECORD`). */
  mode?: string[];
  /** `append` flag (RECORD into an existing resource). */
  append?: boolean;
  /** Other parameters in order, names as written, value undefined for a bare flag. */
  extra: [string, string | undefined][];
}

/**
 * Parses a Transport header into its comma-separated alternatives, in the client's order of
 * preference.
 *
 * Statuses: 461 (Unsupported transport) for an empty header, an alternative with no
 * `protocol/profile` or a lower transport other than UDP/TCP; 400 for malformed parameters
 * (ports outside 1–65535, port 0, reversed ranges, channels above 255, duplicates,
 * unicast and multicast together, an unclosed quote).
 *
 * Tolerated, as seen from real peers:
 * - parameter names in any case, white space around `;` and `=`, `mode="PLAY"` or `mode=record`;
 * - the `protocol/profile` part anywhere in the list (gortsplib meets cameras doing this);
 * - `mode=receive` (ffmpeg's listen-mode server) read as `RECORD`;
 * - an SSRC with fewer than 8 hex digits or leading spaces (Hikvision, Dahua); an SSRC that is
 *   not 1–8 hex digits is not an error but kept in `extra`;
 * - empty `source=` / `destination=` (the default, i.e. absent).
 * A single port or channel `p` means the pair `[p, p+1]`.
 *
 * @throws {HeaderError} as described above.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseTransport } from "./transport.ts";
 * const [udp, tcp] = parseTransport(
 *   "RTP/AVP;unicast;client_port=5000-5001;mode=\"PLAY\",RTP/AVP/TCP;unicast;interleaved=0-1",
 * );
 * assert.deepEqual(udp.clientPort, [5000, 5001]);
 * assert.deepEqual(udp.mode, ["PLAY"]);
 * assert.equal(tcp.lowerTransport, "TCP");
 * assert.deepEqual(tcp.interleaved, [0, 1]);
 * ```
 */
export function parseTransport(value: string): TransportSpec[] {
  if (value.trim() === "") throw new HeaderError(461, "Transport header is empty");
  const specs: TransportSpec[] = [];
  for (const alternative of splitOutsideQuotes(value, ",")) {
    if (alternative.trim() === "") continue; // RFC 2616 §2.1 #rule: empty elements allowed
    specs.push(parseSpec(alternative));
  }
  if (specs.length === 0) throw new HeaderError(461, "Transport header lists no transport");
  return specs;
}

function parseSpec(text: string): TransportSpec {
  const params = splitOutsideQuotes(text, ";").map((p) => p.trim()).filter((p) => p !== "");
  const protoIndex = params.findIndex((p) => p.includes("/") && !p.includes("="));
  if (protoIndex < 0) {
    throw new HeaderError(461, `transport ${printable(text)} has no protocol/profile`);
  }
  const parts = params[protoIndex].split("/");
  if (parts.length < 2 || parts.length > 3 || !parts.every(isToken)) {
    throw new HeaderError(461, `bad transport protocol ${printable(params[protoIndex])}`);
  }
  const lower = (parts[2] ?? "UDP").toUpperCase();
  if (lower !== "UDP" && lower !== "TCP") {
    throw new HeaderError(461, `unsupported lower transport ${printable(parts[2])}`);
  }
  const spec: TransportSpec = {
    protocol: parts[0].toUpperCase(),
    profile: parts[1].toUpperCase(),
    lowerTransport: lower,
    extra: [],
  };
  const seen = new Set<string>();
  params.forEach((param, i) => {
    if (i !== protoIndex) applyParam(spec, param, seen);
  });
  return spec;
}

function applyParam(spec: TransportSpec, param: string, seen: Set<string>): void {
  const eq = param.indexOf("=");
  const rawName = (eq < 0 ? param : param.slice(0, eq)).trim();
  const name = rawName.toLowerCase();
  const value = eq < 0 ? undefined : unquote(param.slice(eq + 1).trim());
  if (!isToken(rawName)) throw bad(`bad transport parameter name ${printable(rawName)}`);
  const known = KNOWN.has(name);
  if (known) {
    if (seen.has(name)) throw bad(`transport parameter ${name} given twice`);
    seen.add(name);
  }
  switch (name) {
    case "unicast":
    case "multicast":
      if (spec.delivery !== undefined) throw bad("transport is both unicast and multicast");
      spec.delivery = name;
      return;
    case "append":
      spec.append = true;
      return;
    case "destination":
    case "source":
      // RFC 2326 §12.39: `destination` without a value means the default (the client).
      if (value === undefined || value === "") return;
      if (!/^[A-Za-z0-9.:_%\[\]-]+$/.test(value)) throw bad(`bad ${name} ${printable(value)}`);
      spec[name] = value;
      return;
    case "interleaved":
      spec.interleaved = pair(name, need(name, value), 0, 255);
      return;
    case "client_port":
      spec.clientPort = pair(name, need(name, value), 1, 65535);
      return;
    case "server_port":
      spec.serverPort = pair(name, need(name, value), 1, 65535);
      return;
    case "port":
      spec.port = pair(name, need(name, value), 1, 65535);
      return;
    case "ttl": {
      const v = need(name, value);
      if (!/^[0-9]{1,3}$/.test(v) || Number(v) > 255) throw bad(`bad ttl ${printable(v)}`);
      spec.ttl = Number(v);
      return;
    }
    case "ssrc": {
      const v = need(name, value);
      // RFC 2326 §12.39: ssrc = 8*8(HEX). Cameras send fewer digits; take those as zero-padded.
      if (/^[0-9A-Fa-f]{1,8}$/.test(v)) spec.ssrc = parseInt(v, 16);
      else spec.extra.push([rawName, v]);
      return;
    }
    case "mode": {
      const modes = need(name, value).split(",").map((m) => m.trim().toUpperCase());
      if (!modes.every(isToken)) throw bad(`bad transport mode ${printable(value ?? "")}`);
      // ffmpeg in listen mode answers `mode=receive` to a RECORD SETUP.
      spec.mode = modes.map((m) => m === "RECEIVE" ? "RECORD" : m);
      return;
    }
    default:
      if (value !== undefined && !isSafeFieldValue(value)) throw bad(`bad value of ${name}`);
      spec.extra.push([rawName, value]);
  }
}

const KNOWN = new Set([
  "unicast",
  "multicast",
  "append",
  "destination",
  "source",
  "interleaved",
  "client_port",
  "server_port",
  "port",
  "ttl",
  "ssrc",
  "mode",
]);

function bad(message: string): HeaderError {
  return new HeaderError(400, message);
}

function need(name: string, value: string | undefined): string {
  if (value === undefined || value === "") throw bad(`transport parameter ${name} needs a value`);
  return value;
}

// RFC 2326 §12.39: port [ "-" port ], channel [ "-" channel ]. A single value p means (p, p+1).
function pair(name: string, text: string, min: number, max: number): [number, number] {
  const m = /^([0-9]{1,5})(?:-([0-9]{1,5}))?$/.exec(text);
  if (!m) throw bad(`bad ${name} ${printable(text)}`);
  const first = Number(m[1]);
  const second = m[2] === undefined ? first + 1 : Number(m[2]);
  if (first < min || first > max || second < min || second > max) {
    throw bad(`${name} ${printable(text)} is outside ${min}-${max}`);
  }
  if (second < first) throw bad(`${name} range ${printable(text)} is reversed`);
  return [first, second];
}

function unquote(v: string): string {
  return v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v;
}

// Splits on `sep` except inside double quotes (`mode="PLAY,RECORD"`).
function splitOutsideQuotes(text: string, sep: string): string[] {
  const out: string[] = [];
  let quoted = false;
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (c === sep && !quoted) {
      out.push(text.slice(from, i));
      from = i + 1;
    }
  }
  if (quoted) throw bad(`unclosed quote in transport ${printable(text)}`);
  out.push(text.slice(from));
  return out;
}

/**
 * Formats one transport alternative in a stable order: `protocol/profile[/TCP]`, delivery,
 * destination, source, interleaved, client_port, server_port, port, ttl, ssrc (8 hex digits),
 * mode, append, then `extra`. UDP is written as plain `RTP/AVP`, the form every client accepts.
 * A single mode is written unquoted (`mode=PLAY`) because ffmpeg compares the bare word; several
 * are quoted as RFC 2326 requires.
 *
 * @throws {RangeError} when a port, channel, ttl or ssrc is out of range.
 * @throws {TypeError} when a token or address holds characters that would break the header.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatTransport } from "./transport.ts";
 * assert.equal(
 *   formatTransport({
 *     protocol: "RTP",
 *     profile: "AVP",
 *     lowerTransport: "TCP",
 *     delivery: "unicast",
 *     interleaved: [0, 1],
 *     ssrc: 0x1234abcd,
 *     extra: [],
 *   }),
 *   "RTP/AVP/TCP;unicast;interleaved=0-1;ssrc=1234ABCD",
 * );
 * ```
 */
export function formatTransport(spec: TransportSpec): string {
  if (!isToken(spec.protocol) || !isToken(spec.profile)) {
    throw new TypeError(`transport protocol/profile must be tokens`);
  }
  let out = `${spec.protocol}/${spec.profile}`;
  if (spec.lowerTransport === "TCP") out += "/TCP";
  if (spec.delivery) out += `;${spec.delivery}`;
  for (const key of ["destination", "source"] as const) {
    const v = spec[key];
    if (v === undefined) continue;
    if (!/^[A-Za-z0-9.:_%\[\]-]+$/.test(v)) throw new TypeError(`bad ${key} ${printable(v)}`);
    out += `;${key}=${v}`;
  }
  if (spec.interleaved) out += `;interleaved=${range("interleaved", spec.interleaved, 0, 255)}`;
  if (spec.clientPort) out += `;client_port=${range("client_port", spec.clientPort, 1, 65535)}`;
  if (spec.serverPort) out += `;server_port=${range("server_port", spec.serverPort, 1, 65535)}`;
  if (spec.port) out += `;port=${range("port", spec.port, 1, 65535)}`;
  if (spec.ttl !== undefined) {
    if (!Number.isInteger(spec.ttl) || spec.ttl < 0 || spec.ttl > 255) {
      throw new RangeError(`ttl must be an integer in 0-255, got ${spec.ttl}`);
    }
    out += `;ttl=${spec.ttl}`;
  }
  if (spec.ssrc !== undefined) {
    if (!Number.isInteger(spec.ssrc) || spec.ssrc < 0 || spec.ssrc > 0xffffffff) {
      throw new RangeError(`ssrc must be an unsigned 32-bit integer, got ${spec.ssrc}`);
    }
    out += `;ssrc=${spec.ssrc.toString(16).toUpperCase().padStart(8, "0")}`;
  }
  if (spec.mode && spec.mode.length > 0) {
    if (!spec.mode.every(isToken)) throw new TypeError("transport modes must be method tokens");
    out += spec.mode.length === 1 ? `;mode=${spec.mode[0]}` : `;mode="${spec.mode.join(",")}"`;
  }
  if (spec.append) out += ";append";
  for (const [name, value] of spec.extra) {
    if (!isToken(name)) throw new TypeError(`bad transport parameter name ${printable(name)}`);
    if (value === undefined) out += `;${name}`;
    else if (!isSafeFieldValue(value) || value.includes('"')) {
      throw new TypeError(`bad value of transport parameter ${name}`);
    } else out += /[;,=\s]/.test(value) ? `;${name}="${value}"` : `;${name}=${value}`;
  }
  return out;
}

/**
 * Formats several alternatives as one Transport header value, comma-separated.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatTransports, parseTransport } from "./transport.ts";
 * const value = "RTP/AVP;unicast;client_port=5000-5001,RTP/AVP/TCP;unicast;interleaved=0-1";
 * assert.equal(formatTransports(parseTransport(value)), value);
 * ```
 */
export function formatTransports(specs: TransportSpec[]): string {
  return specs.map(formatTransport).join(",");
}

function range(name: string, [a, b]: [number, number], min: number, max: number): string {
  for (const v of [a, b]) {
    if (!Number.isInteger(v) || v < min || v > max) {
      throw new RangeError(`${name} must hold integers in ${min}-${max}, got ${a}-${b}`);
    }
  }
  if (b < a) throw new RangeError(`${name} range ${a}-${b} is reversed`);
  return `${a}-${b}`;
}
