/**
 * The server side of RFC 6455 WebSocket framing for device ingest: the handshake's accept key, an
 * incremental parser for client frames, and the encoder for the server's own (unmasked) frames.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { acceptKey, encodeFrame, WebSocketParser } from "./websocket.ts";
 *
 * // RFC 6455 §1.3
 * assert.equal(await acceptKey("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
 *
 * // RFC 6455 §5.7: a single-frame masked text message, "Hello".
 * const parser = new WebSocketParser(1 << 20);
 * const frame = [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58];
 * const [message] = parser.push(new Uint8Array(frame));
 * assert.equal(message.kind, "text");
 * if (message.kind === "text") assert.equal(new TextDecoder().decode(message.data), "Hello");
 *
 * // The server answers a ping with an unmasked pong.
 * assert.deepEqual(encodeFrame(0xa, new Uint8Array([1])), new Uint8Array([0x8a, 0x01, 0x01]));
 * ```
 *
 * @module
 */

import { WebSocketError } from "./errors.ts";

export { WebSocketError } from "./errors.ts";

/** One complete message or control frame from the client. */
export type WsMessage =
  | { kind: "binary" | "text"; data: Uint8Array }
  | { kind: "ping" | "pong"; data: Uint8Array }
  | { kind: "close"; code?: number; reason?: string };

/** RFC 6455 §11.8 opcodes. */
export const Opcode = {
  /** Continuation of a fragmented message. */
  CONTINUATION: 0x0,
  /** A text frame (UTF-8). */
  TEXT: 0x1,
  /** A binary frame. */
  BINARY: 0x2,
  /** Connection close. */
  CLOSE: 0x8,
  /** Ping. */
  PING: 0x9,
  /** Pong. */
  PONG: 0xa,
} as const;

// RFC 6455 §1.3: the GUID appended to the key.
const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/**
 * The `Sec-WebSocket-Accept` value for a client's `Sec-WebSocket-Key` (RFC 6455 §4.2.2):
 * base64(SHA-1(key + GUID)).
 *
 * @param secWebSocketKey The header value; it must be base64 of 16 bytes (§4.1).
 * @returns The accept value.
 * @throws {WebSocketError} (rejects, status 400) when the key is not base64 of 16 bytes.
 */
export async function acceptKey(secWebSocketKey: string): Promise<string> {
  const key = secWebSocketKey.trim();
  // 16 bytes of base64: 22 characters and "==".
  if (!/^[A-Za-z0-9+/]{21}[AQgw]==$/.test(key)) {
    throw new WebSocketError(1002, "Sec-WebSocket-Key must be 16 bytes in base64");
  }
  const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(key + GUID));
  return btoa(String.fromCharCode(...new Uint8Array(digest)));
}

/**
 * Encodes one unmasked, unfragmented server frame (RFC 6455 §5.2; servers never mask, §5.1).
 *
 * @param opcode One of {@linkcode Opcode}'s values.
 * @param payload The payload; at most 125 bytes for control frames (close, ping, pong).
 * @returns The frame bytes.
 * @throws {RangeError} for an unknown opcode or a control payload above 125 bytes.
 */
export function encodeFrame(opcode: number, payload: Uint8Array): Uint8Array {
  if (!isKnownOpcode(opcode)) throw new RangeError(`unknown WebSocket opcode ${opcode}`);
  const length = payload.length;
  if (opcode >= 0x8 && length > 125) {
    throw new RangeError(`a control frame carries at most 125 bytes, got ${length}`);
  }
  const headerLength = length < 126 ? 2 : length < 0x10000 ? 4 : 10;
  const out = new Uint8Array(headerLength + length);
  out[0] = 0x80 | opcode; // FIN
  if (length < 126) {
    out[1] = length;
  } else if (length < 0x10000) {
    out[1] = 126;
    out[2] = length >>> 8;
    out[3] = length & 0xff;
  } else {
    out[1] = 127;
    const view = new DataView(out.buffer);
    view.setUint32(2, Math.floor(length / 0x1_0000_0000));
    view.setUint32(6, length >>> 0);
  }
  out.set(payload, headerLength);
  return out;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Incremental parser for the frames a client sends (RFC 6455 §5).
 *
 * - Client frames must be masked (§5.1) and use no extension bits (none is negotiated, §5.2);
 *   control frames are at most 125 bytes and not fragmented (§5.5).
 * - Fragmented messages are reassembled; a message above `maxMessageBytes` fails with 1009 as soon
 *   as a frame header announces it, before its payload is buffered.
 * - Text messages must be valid UTF-8 (§8.1, else 1007); close codes and reasons are checked
 *   (§7.4, §5.5.1).
 * - Tolerated: non-minimal length encodings (the MUST in §5.2 binds senders; nothing is ambiguous).
 * - `data` is always a fresh array (unmasking needs a copy anyway); `push` never modifies or
 *   retains its input. After a close frame further bytes are ignored (§5.5.1). After an error the
 *   parser stays failed and `push` throws the same error again.
 */
export class WebSocketParser {
  readonly #maxMessageBytes: number;
  readonly #header = new Uint8Array(14); // longest header: 2 + 8 (length) + 4 (mask)
  #headerFilled = 0;
  // The frame whose payload is arriving.
  #inPayload = false;
  #fin = false;
  #opcode = 0;
  #mask = new Uint8Array(4);
  #payload = new Uint8Array(0);
  #payloadFilled = 0;
  // A fragmented message being reassembled.
  #fragments: Uint8Array[] = [];
  #fragmentsBytes = 0;
  #messageOpcode = -1; // TEXT or BINARY while a fragmented message is open
  #closed = false;
  #error: WebSocketError | undefined;

  /**
   * Creates a parser for one connection.
   *
   * @param maxMessageBytes Largest message (after reassembly) accepted; more is close code 1009.
   * @throws {RangeError} when the cap is not a positive integer.
   */
  constructor(maxMessageBytes: number) {
    if (!Number.isSafeInteger(maxMessageBytes) || maxMessageBytes <= 0) {
      throw new RangeError(`maxMessageBytes must be a positive integer, got ${maxMessageBytes}`);
    }
    this.#maxMessageBytes = maxMessageBytes;
  }

  /**
   * Feeds bytes read from the connection.
   *
   * @param bytes Any chunk; never modified or retained.
   * @returns The messages and control frames completed by these bytes, in order.
   * @throws {WebSocketError} with the close code to send: 1002 protocol error, 1007 invalid
   * UTF-8, 1009 message too big.
   */
  push(bytes: Uint8Array): WsMessage[] {
    if (this.#error) throw this.#error;
    const out: WsMessage[] = [];
    try {
      let i = 0;
      while (i < bytes.length && !this.#closed) {
        if (!this.#inPayload) {
          i = this.#readHeader(bytes, i);
          if (!this.#inPayload) break; // need more header bytes
        }
        i = this.#readPayload(bytes, i);
        // (A frame with an empty payload completes as soon as its header does.)
        if (this.#payloadFilled === this.#payload.length) this.#endFrame(out);
      }
    } catch (e) {
      this.#error = e instanceof WebSocketError
        ? e
        : new WebSocketError(1011, `internal parser failure: ${String(e).slice(0, 60)}`);
      this.#fragments = [];
      this.#payload = new Uint8Array(0);
      throw this.#error;
    }
    return out;
  }

  // Copies header bytes from `bytes[i..]`; once complete, validates it and starts the payload.
  #readHeader(bytes: Uint8Array, i: number): number {
    const h = this.#header;
    while (i < bytes.length) {
      const need = this.#headerLength();
      if (this.#headerFilled >= need) break;
      h[this.#headerFilled++] = bytes[i++];
      if (this.#headerFilled === 2) this.#checkFirstBytes();
    }
    const need = this.#headerLength();
    if (this.#headerFilled < need) return i;
    // Extended payload length (§5.2): 16 bits after 126, 64 bits after 127.
    const len7 = h[1] & 0x7f;
    let length = len7;
    if (len7 === 126) length = (h[2] << 8) | h[3];
    else if (len7 === 127) {
      // The most significant bit must be 0 (§5.2).
      if (h[2] & 0x80) throw new WebSocketError(1002, "frame length has its top bit set");
      const high = ((h[2] << 24) | (h[3] << 16) | (h[4] << 8) | h[5]) >>> 0;
      const low = ((h[6] << 24) | (h[7] << 16) | (h[8] << 8) | h[9]) >>> 0;
      length = high > 0x1fffff ? Infinity : high * 0x1_0000_0000 + low;
    }
    const opcode = h[0] & 0x0f;
    if (opcode >= 0x8 && length > 125) {
      throw new WebSocketError(1002, "control frame longer than 125 bytes");
    }
    const total = opcode >= 0x8 ? length : this.#fragmentsBytes + length;
    if (total > this.#maxMessageBytes) {
      throw new WebSocketError(1009, `message larger than ${this.#maxMessageBytes} bytes`);
    }
    this.#mask.set(h.subarray(need - 4, need));
    this.#fin = (h[0] & 0x80) !== 0;
    this.#opcode = opcode;
    this.#payload = new Uint8Array(length);
    this.#payloadFilled = 0;
    this.#inPayload = true;
    return i;
  }

  #headerLength(): number {
    if (this.#headerFilled < 2) return 2;
    const len7 = this.#header[1] & 0x7f;
    return 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + 4;
  }

  // Checks the first two header bytes as soon as they are in.
  #checkFirstBytes(): void {
    const b0 = this.#header[0];
    const b1 = this.#header[1];
    // §5.2: RSV1-3 must be 0 unless an extension defines them; none is negotiated.
    if (b0 & 0x70) throw new WebSocketError(1002, "reserved bits set without an extension");
    const opcode = b0 & 0x0f;
    if (!isKnownOpcode(opcode)) throw new WebSocketError(1002, `unknown opcode ${opcode}`);
    // §5.1: a server MUST close the connection on an unmasked client frame.
    if (!(b1 & 0x80)) throw new WebSocketError(1002, "client frames must be masked");
    const fin = (b0 & 0x80) !== 0;
    if (opcode >= 0x8) {
      // §5.5: control frames must not be fragmented.
      if (!fin) throw new WebSocketError(1002, "fragmented control frame");
    } else if (opcode === Opcode.CONTINUATION) {
      if (this.#messageOpcode < 0) {
        throw new WebSocketError(1002, "continuation frame without a message to continue");
      }
    } else if (this.#messageOpcode >= 0) {
      // §5.4: fragments of one message are not interleaved with another data message.
      throw new WebSocketError(1002, "new message before the fragmented one ended");
    }
  }

  // Unmasks payload bytes from `bytes[i..]` into the frame's buffer (§5.3).
  #readPayload(bytes: Uint8Array, i: number): number {
    const payload = this.#payload;
    const mask = this.#mask;
    const n = Math.min(payload.length - this.#payloadFilled, bytes.length - i);
    let at = this.#payloadFilled;
    for (let k = 0; k < n; k++, at++) payload[at] = bytes[i + k] ^ mask[at & 3];
    this.#payloadFilled = at;
    return i + n;
  }

  #endFrame(out: WsMessage[]): void {
    const opcode = this.#opcode;
    const data = this.#payload;
    this.#inPayload = false;
    this.#headerFilled = 0;
    this.#payload = new Uint8Array(0);
    this.#payloadFilled = 0;
    switch (opcode) {
      case Opcode.PING:
        out.push({ kind: "ping", data });
        return;
      case Opcode.PONG:
        out.push({ kind: "pong", data });
        return;
      case Opcode.CLOSE:
        out.push(closeMessage(data));
        this.#closed = true;
        return;
    }
    // A data frame: the whole message, or one fragment of it (§5.4).
    if (opcode !== Opcode.CONTINUATION) this.#messageOpcode = opcode;
    if (!this.#fin) {
      this.#fragments.push(data);
      this.#fragmentsBytes += data.length;
      return;
    }
    let message = data;
    if (this.#fragments.length > 0) {
      this.#fragments.push(data);
      message = new Uint8Array(this.#fragmentsBytes + data.length);
      let at = 0;
      for (const fragment of this.#fragments) {
        message.set(fragment, at);
        at += fragment.length;
      }
    }
    const text = this.#messageOpcode === Opcode.TEXT;
    this.#fragments = [];
    this.#fragmentsBytes = 0;
    this.#messageOpcode = -1;
    if (text) {
      // §8.1: invalid UTF-8 in a text message fails the connection with 1007.
      try {
        utf8.decode(message);
      } catch {
        throw new WebSocketError(1007, "text message is not valid UTF-8");
      }
    }
    out.push({ kind: text ? "text" : "binary", data: message });
  }
}

// §5.5.1 close body: nothing, or a 2-byte code and a UTF-8 reason.
function closeMessage(data: Uint8Array): WsMessage {
  if (data.length === 0) return { kind: "close" };
  if (data.length === 1) throw new WebSocketError(1002, "close frame with a 1-byte body");
  const code = (data[0] << 8) | data[1];
  // §7.4.1/§7.4.2: 1000-1003, 1007-1011 and 3000-4999 may be sent; 1004-1006, 1015 and the rest
  // of 0-2999 may not.
  const valid = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011) ||
    (code >= 3000 && code <= 4999);
  if (!valid) throw new WebSocketError(1002, `close code ${code} may not be sent`);
  let reason: string;
  try {
    reason = utf8.decode(data.subarray(2));
  } catch {
    throw new WebSocketError(1007, "close reason is not valid UTF-8");
  }
  return { kind: "close", code, reason };
}

function isKnownOpcode(opcode: number): boolean {
  return opcode === 0x0 || opcode === 0x1 || opcode === 0x2 || opcode === 0x8 || opcode === 0x9 ||
    opcode === 0xa;
}
