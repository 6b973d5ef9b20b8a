import assert from "node:assert/strict";
import { silentLogger } from "../../src/base/log.ts";
import { ChannelError, RtspChannel } from "../../src/client/channel.ts";

const enc = new TextEncoder();

function channel(timeoutMs = 1000) {
  const sent: string[] = [];
  const frames: [number, number][] = [];
  const closed: (ChannelError | undefined)[] = [];
  const c = new RtspChannel({ timeoutMs, logger: silentLogger }, {
    interleaved: (ch, p) => frames.push([ch, p.length]),
    closed: (e) => closed.push(e),
  });
  let destroyed = false;
  c.attach({
    write: (b) => void sent.push(new TextDecoder().decode(b)),
    destroy: () => destroyed = true,
  });
  const feed = (text: string | Uint8Array) =>
    c.handler.data(typeof text === "string" ? enc.encode(text) : text);
  return { c, sent, frames, closed, feed, destroyed: () => destroyed };
}

Deno.test("a response with a stale or missing CSeq answers the oldest request (ESP32-RTSPServer)", async () => {
  const { c, feed } = channel();
  const a = c.request("GET_PARAMETER", "rtsp://cam/");
  feed("RTSP/1.0 400 Bad Request\r\nCSeq: 0\r\n\r\n");
  assert.equal((await a).status, 400);
  const b = c.request("OPTIONS", "rtsp://cam/");
  feed("RTSP/1.0 200 OK\r\n\r\n");
  assert.equal((await b).status, 200);
  c.close();
});

Deno.test("a late answer to a request that timed out is dropped, not given to the next", async () => {
  const { c, feed } = channel(50);
  await assert.rejects(c.request("OPTIONS", "rtsp://cam/"), /no complete response within 50 ms/);
  const next = c.request("DESCRIBE", "rtsp://cam/");
  feed("RTSP/1.0 200 OK\r\nCSeq: 1\r\n\r\n"); // the late OPTIONS answer
  feed("RTSP/1.0 404 Not Found\r\nCSeq: 2\r\n\r\n");
  assert.equal((await next).status, 404);
  c.close();
});

Deno.test("interleaved frames pass between and inside responses; the Session header is sent", async () => {
  const { c, sent, frames, feed } = channel();
  c.session = "-42";
  const r = c.request("PLAY", "rtsp://cam/");
  feed(new Uint8Array([0x24, 0, 0, 2, 9, 9, 0x24, 1]));
  feed(new Uint8Array([0, 1, 7]));
  feed("RTSP/1.0 200 OK\r\nCSeq: 1\r\n\r\n");
  assert.equal((await r).status, 200);
  assert.deepEqual(frames, [[0, 2], [1, 1]]);
  assert.match(sent[0], /\r\nSession: -42\r\n/);
  c.close();
});

Deno.test("an unreadable reply fails the pending request, reports closed once and destroys", async () => {
  const { c, closed, feed, destroyed } = channel();
  const r = c.request("OPTIONS", "rtsp://cam/");
  feed("HTTP/1.1 200 OK\r\n\r\n");
  await assert.rejects(
    r,
    (e: Error) => e instanceof ChannelError && /unreadable reply/.test(e.message),
  );
  assert.equal(closed.length, 1);
  assert.ok(destroyed());
  c.handler.closed();
  assert.equal(closed.length, 1);
});

Deno.test("a server's own OPTIONS request is answered 200, others 501", () => {
  const { c, sent, feed } = channel();
  feed("OPTIONS * RTSP/1.0\r\nCSeq: 5\r\n\r\nANNOUNCE rtsp://x/ RTSP/1.0\r\nCSeq: 6\r\n\r\n");
  assert.match(sent[0], /^RTSP\/1.0 200 OK\r\nCSeq: 5\r\n/);
  assert.match(sent[1], /^RTSP\/1.0 501 Not Implemented\r\nCSeq: 6\r\n/);
  c.close();
});
