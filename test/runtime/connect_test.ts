import assert from "node:assert/strict";
import * as net from "node:net";
import { ConnectError, connectTcp } from "../../src/runtime/connect.ts";

const QUIET = { data() {}, written() {}, closed() {} };

Deno.test("connectTcp() talks both ways and reports the close", async () => {
  const server = net.createServer((socket) => socket.pipe(socket)); // echo
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as net.AddressInfo;
  try {
    const got: number[] = [];
    let closed!: () => void;
    const done = new Promise<void>((r) => closed = r);
    const c = await connectTcp({ hostname: "127.0.0.1", port }, {
      data: (bytes) => got.push(...bytes),
      written() {},
      closed: () => closed(),
    });
    assert.deepEqual([c.remote.hostname, c.remote.port, c.secure], ["127.0.0.1", port, false]);
    c.write(new Uint8Array([1, 2, 3]));
    while (got.length < 3) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(got, [1, 2, 3]);
    c.end();
    await done;
  } finally {
    await new Promise((r) => server.close(r));
  }
});

Deno.test("connectTcp() says in one line why it could not connect", async () => {
  const refused = net.createServer();
  await new Promise<void>((r) => refused.listen(0, "127.0.0.1", r));
  const { port } = refused.address() as net.AddressInfo;
  await new Promise((r) => refused.close(r)); // nothing listens there now
  await assert.rejects(connectTcp({ hostname: "127.0.0.1", port }, QUIET), {
    name: "ConnectError",
    message:
      `cannot connect to 127.0.0.1:${port}: connection refused (nothing listens on that port)`,
  });
  await assert.rejects(connectTcp({ hostname: "no-such-host.invalid", port: 554 }, QUIET), {
    message: "cannot connect to no-such-host.invalid:554: no such host",
  });
  // A plain server that never speaks TLS: the handshake never ends, and the deadline ends it.
  const held: net.Socket[] = [];
  const silent = net.createServer((socket) => void held.push(socket));
  await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
  const quiet = (silent.address() as net.AddressInfo).port;
  try {
    const error = await connectTcp(
      { hostname: "127.0.0.1", port: quiet, tls: { verify: false }, timeoutMs: 200 },
      QUIET,
    ).catch((e) => e);
    assert.ok(error instanceof ConnectError);
    assert.equal(error.message, `cannot connect to 127.0.0.1:${quiet}: no answer in time`);
  } finally {
    for (const socket of held) socket.destroy();
    await new Promise((r) => silent.close(r));
  }
});
