import assert from "node:assert/strict";
import {
  acceptKey,
  encodeFrame,
  Opcode,
  WebSocketError,
  WebSocketParser,
  type WsMessage,
} from "../../src/ingest/websocket.ts";
import { IngestError } from "../../src/ingest/errors.ts";
import { concat, dec, enc, everySplit, pieces, thrown } from "./_parser_helpers.ts";

const MASK = [0x37, 0xfa, 0x21, 0x3d];

/** A masked client frame (RFC 6455 §5.2), with the extended length forms as needed. */
function clientFrame(
  opcode: number,
  payload: Uint8Array,
  { fin = true, mask = MASK, rsv = 0 }: { fin?: boolean; mask?: number[]; rsv?: number } = {},
): Uint8Array {
  const n = payload.length;
  const length = n < 126 ? [n] : n < 0x10000 ? [126, n >> 8, n & 0xff] : [
    127,
    0,
    0,
    0,
    0,
    (n >>> 24) & 0xff,
    (n >>> 16) & 0xff,
    (n >>> 8) & 0xff,
    n & 0xff,
  ];
  const masked = payload.map((b, i) => b ^ mask[i & 3]);
  return Uint8Array.from([
    (fin ? 0x80 : 0) | rsv | opcode,
    0x80 | length[0],
    ...length.slice(1),
    ...mask,
    ...masked,
  ]);
}

function parseAll(chunks: Uint8Array[], max = 1 << 20): WsMessage[] {
  const parser = new WebSocketParser(max);
  return chunks.flatMap((c) => parser.push(c));
}

function wsError(chunks: Uint8Array[], max = 1 << 20): WebSocketError {
  const parser = new WebSocketParser(max);
  const e = thrown(() => chunks.forEach((c) => parser.push(c)));
  assert.ok(e instanceof WebSocketError, `expected a WebSocketError, got ${e}`);
  assert.ok(e instanceof IngestError);
  return e;
}

Deno.test("acceptKey() computes the RFC 6455 §1.3 example", async () => {
  assert.equal(await acceptKey("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  assert.equal(await acceptKey(" dGhlIHNhbXBsZSBub25jZQ== "), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
});

Deno.test("acceptKey() rejects a key that is not 16 bytes in base64", async () => {
  for (
    const key of [
      "",
      "short",
      "dGhlIHNhbXBsZSBub25jZQ",
      "dGhlIHNhbXBsZSBub25jZQ=",
      "dGhlIHNhbXBsZSBub25jZR==",
    ]
  ) {
    await assert.rejects(acceptKey(key), WebSocketError, key);
  }
});

Deno.test("WebSocketParser reads the RFC 6455 §5.7 masked text message", () => {
  const frame = Uint8Array.of(0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58);
  const [m] = parseAll([frame]);
  assert.equal(m.kind, "text");
  assert.ok(m.kind === "text");
  assert.equal(dec(m.data), "Hello");
});

Deno.test("WebSocketParser fails the RFC 6455 §5.7 unmasked text message with 1002", () => {
  const frame = Uint8Array.of(0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f);
  const e = wsError([frame]);
  assert.equal(e.closeCode, 1002);
  assert.equal(e.status, 400);
  assert.match(e.message, /masked/);
});

Deno.test("WebSocketParser reassembles the RFC 6455 §5.7 fragmented message (masked)", () => {
  // §5.7: 0x01 0x03 "Hel", then 0x80 0x02 "lo", here as a client must send them.
  const first = clientFrame(Opcode.TEXT, enc("Hel"), { fin: false });
  const last = clientFrame(Opcode.CONTINUATION, enc("lo"));
  assert.equal(first[0], 0x01);
  assert.equal(last[0], 0x80);
  const messages = parseAll([concat(first, last)]);
  assert.equal(messages.length, 1);
  assert.ok(messages[0].kind === "text");
  assert.equal(dec(messages[0].data), "Hello");
});

Deno.test("WebSocketParser reads the RFC 6455 §5.7 ping and masked pong", () => {
  const pong = Uint8Array.of(0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58);
  const messages = parseAll([clientFrame(Opcode.PING, enc("Hello")), pong]);
  assert.deepEqual(messages.map((m) => m.kind), ["ping", "pong"]);
  assert.deepEqual(messages.map((m) => "data" in m ? dec(m.data) : ""), ["Hello", "Hello"]);
});

Deno.test("WebSocketParser reads 256-byte and 64 KiB binary messages (§5.7 length forms)", () => {
  const small = new Uint8Array(256).map((_, i) => i);
  const big = new Uint8Array(65536).map((_, i) => i * 7);
  const a = clientFrame(Opcode.BINARY, small);
  const b = clientFrame(Opcode.BINARY, big);
  assert.deepEqual([...a.subarray(0, 4)], [0x82, 0xfe, 0x01, 0x00]);
  assert.deepEqual([...b.subarray(0, 10)], [0x82, 0xff, 0, 0, 0, 0, 0, 1, 0, 0]);
  const messages = parseAll(pieces(concat(a, b), 1000));
  assert.deepEqual(messages, [{ kind: "binary", data: small }, { kind: "binary", data: big }]);
});

Deno.test("WebSocketParser gives the same messages for every split of a frame sequence", () => {
  const stream = concat(
    clientFrame(Opcode.BINARY, enc("one")),
    clientFrame(Opcode.TEXT, enc("ts=123")),
    clientFrame(Opcode.BINARY, enc("tw"), { fin: false }),
    clientFrame(Opcode.PING, enc("p")),
    clientFrame(Opcode.CONTINUATION, new Uint8Array(0), { fin: false }),
    clientFrame(Opcode.CONTINUATION, enc("o")),
    clientFrame(Opcode.BINARY, new Uint8Array(300).fill(5)),
    clientFrame(Opcode.CLOSE, Uint8Array.of(0x03, 0xe8, 0x62, 0x79, 0x65)),
  );
  const whole = parseAll([stream]);
  assert.deepEqual(whole.map((m) => m.kind), [
    "binary",
    "text",
    "ping",
    "binary",
    "binary",
    "close",
  ]);
  assert.deepEqual(whole[5], { kind: "close", code: 1000, reason: "bye" });
  for (const [a, b] of everySplit(stream)) {
    assert.deepEqual(parseAll([a, b]), whole, `split at ${a.length}`);
  }
  assert.deepEqual(parseAll(pieces(stream, 1)), whole);
});

Deno.test("WebSocketParser accepts an empty close frame and ignores bytes after a close", () => {
  const parser = new WebSocketParser(100);
  const out = parser.push(
    concat(clientFrame(Opcode.CLOSE, new Uint8Array(0)), Uint8Array.of(1, 2, 3)),
  );
  assert.deepEqual(out, [{ kind: "close" }]);
  assert.deepEqual(parser.push(clientFrame(Opcode.BINARY, enc("late"))), []);
});

Deno.test("WebSocketParser checks close codes and reasons", () => {
  assert.equal(wsError([clientFrame(Opcode.CLOSE, Uint8Array.of(3))]).closeCode, 1002);
  for (const code of [0, 999, 1004, 1005, 1006, 1015, 2000, 5000]) {
    const e = wsError([clientFrame(Opcode.CLOSE, Uint8Array.of(code >> 8, code & 0xff))]);
    assert.equal(e.closeCode, 1002, String(code));
  }
  const badReason = clientFrame(Opcode.CLOSE, Uint8Array.of(0x03, 0xe8, 0xff));
  assert.equal(wsError([badReason]).closeCode, 1007);
  assert.deepEqual(parseAll([clientFrame(Opcode.CLOSE, Uint8Array.of(0x0f, 0xa0))]), [
    { kind: "close", code: 4000, reason: "" },
  ]);
});

Deno.test("WebSocketParser fails control frames above 125 bytes or fragmented with 1002", () => {
  assert.equal(wsError([clientFrame(Opcode.PING, new Uint8Array(126))]).closeCode, 1002);
  assert.equal(wsError([clientFrame(Opcode.PING, enc("x"), { fin: false })]).closeCode, 1002);
});

Deno.test("WebSocketParser fails bad fragment order, reserved bits and unknown opcodes with 1002", () => {
  assert.equal(wsError([clientFrame(Opcode.CONTINUATION, enc("x"))]).closeCode, 1002);
  const open = clientFrame(Opcode.BINARY, enc("a"), { fin: false });
  assert.equal(wsError([open, clientFrame(Opcode.BINARY, enc("b"))]).closeCode, 1002);
  assert.equal(wsError([clientFrame(Opcode.BINARY, enc("a"), { rsv: 0x40 })]).closeCode, 1002);
  for (const opcode of [3, 7, 0xb, 0xf]) {
    assert.equal(wsError([clientFrame(opcode, enc("a"))]).closeCode, 1002, String(opcode));
  }
});

Deno.test("WebSocketParser fails a 64-bit length with its top bit set with 1002", () => {
  const header = Uint8Array.of(0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4);
  assert.equal(wsError([header]).closeCode, 1002);
});

Deno.test("WebSocketParser fails a message above the cap with 1009 from its header alone", () => {
  // A 2^40-byte frame: refused at the header, nothing allocated.
  const header = Uint8Array.of(0x82, 0xff, 0, 0, 1, 0, 0, 0, 0, 0, 1, 2, 3, 4);
  const e = wsError([header]);
  assert.equal(e.closeCode, 1009);
  assert.equal(e.status, 413);
  assert.equal(wsError([clientFrame(Opcode.BINARY, new Uint8Array(101))], 100).closeCode, 1009);
  // The cap applies to the reassembled message.
  const parts = [
    clientFrame(Opcode.BINARY, new Uint8Array(60), { fin: false }),
    clientFrame(Opcode.CONTINUATION, new Uint8Array(41)),
  ];
  assert.equal(wsError(parts, 100).closeCode, 1009);
  assert.equal(parseAll([clientFrame(Opcode.BINARY, new Uint8Array(100))], 100).length, 1);
});

Deno.test("WebSocketParser fails invalid UTF-8 text with 1007, also across fragments", () => {
  assert.equal(wsError([clientFrame(Opcode.TEXT, Uint8Array.of(0xc3, 0x28))]).closeCode, 1007);
  // "é" split over two fragments is valid.
  const messages = parseAll([
    clientFrame(Opcode.TEXT, Uint8Array.of(0xc3), { fin: false }),
    clientFrame(Opcode.CONTINUATION, Uint8Array.of(0xa9)),
  ]);
  assert.ok(messages[0].kind === "text");
  assert.equal(new TextDecoder().decode(messages[0].data), "é");
  // Binary messages are not checked.
  assert.equal(parseAll([clientFrame(Opcode.BINARY, Uint8Array.of(0xff))]).length, 1);
});

Deno.test("WebSocketParser tolerates a length written in a longer form than needed", () => {
  const payload = enc("hi");
  const frame = Uint8Array.of(0x82, 0xfe, 0, 2, ...MASK, ...payload.map((b, i) => b ^ MASK[i]));
  assert.deepEqual(parseAll([frame]), [{ kind: "binary", data: payload }]);
});

Deno.test("WebSocketParser never modifies the bytes pushed and stays failed after an error", () => {
  const frame = clientFrame(Opcode.BINARY, enc("data"));
  const copy = frame.slice();
  parseAll([frame]);
  assert.deepEqual(frame, copy);
  const parser = new WebSocketParser(10);
  const e = thrown(() => parser.push(Uint8Array.of(0x82, 0x05)));
  assert.ok(e instanceof WebSocketError);
  assert.equal(thrown(() => parser.push(frame)), e);
});

Deno.test("encodeFrame() writes the RFC 6455 §5.7 unmasked examples", () => {
  assert.deepEqual(
    encodeFrame(Opcode.TEXT, enc("Hello")),
    Uint8Array.of(0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f),
  );
  assert.deepEqual(
    encodeFrame(Opcode.PING, enc("Hello")),
    Uint8Array.of(0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f),
  );
  assert.deepEqual([...encodeFrame(Opcode.BINARY, new Uint8Array(256)).subarray(0, 4)], [
    0x82,
    0x7e,
    0x01,
    0x00,
  ]);
  const big = encodeFrame(Opcode.BINARY, new Uint8Array(65536));
  assert.deepEqual([...big.subarray(0, 10)], [0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0]);
  assert.equal(big.length, 65546);
  assert.deepEqual(
    encodeFrame(Opcode.CLOSE, Uint8Array.of(0x03, 0xe8)),
    Uint8Array.of(0x88, 2, 3, 0xe8),
  );
});

Deno.test("encodeFrame() refuses control payloads above 125 bytes and unknown opcodes", () => {
  assert.throws(() => encodeFrame(Opcode.PONG, new Uint8Array(126)), RangeError);
  assert.throws(() => encodeFrame(3, new Uint8Array(0)), RangeError);
  assert.equal(encodeFrame(Opcode.PONG, new Uint8Array(125)).length, 127);
});
