/**
 * The contract of a {@link Network} (src/runtime/net.ts), as checks any adapter must pass, on real
 * loopback sockets. test/runtime/network_test.ts runs them against `node_net.ts` under Deno and,
 * through test/runtime/bun_net_checks.ts, against `bun_net.ts` under Bun. The peer side of each
 * check is a plain `node:net` socket (or a second UDP socket of the network under test), which
 * both runtimes have.
 */

import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import type {
  ConnectionHandler,
  NetAddress,
  Network,
  TcpConnection,
} from "../../src/runtime/net.ts";

/** One check: a name and what it does with the network under test. */
export interface NetworkCheck {
  name: string;
  run(network: Network): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits until `ready()` holds, polling; fails with `what` after `ms`. */
async function until(what: string, ready: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** A client socket that counts what it reads, can stop reading, and knows when it was closed. */
class Peer {
  readonly socket: Socket;
  received = 0;
  text = "";
  ended = false;
  closed = false;
  /** What `verify` threw first: an event handler's exception is not fatal under every runtime. */
  verifyError: unknown;
  #verify: ((chunk: Uint8Array) => void) | undefined;

  private constructor(socket: Socket, verify?: (chunk: Uint8Array) => void) {
    this.socket = socket;
    this.#verify = verify;
    socket.on("data", (chunk: Uint8Array) => {
      this.received += chunk.length;
      if (this.#verify) {
        try {
          this.#verify(chunk);
        } catch (error) {
          this.verifyError ??= error;
        }
      } else this.text += new TextDecoder().decode(chunk);
    });
    socket.on("end", () => this.ended = true);
    socket.on("error", () => {});
    socket.on("close", () => this.closed = true);
  }

  /** Connects to `port`; `paused` leaves the socket unread until `resume()`. */
  static connect(
    port: number,
    options: { host?: string; paused?: boolean; verify?: (chunk: Uint8Array) => void } = {},
  ): Promise<Peer> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: options.host ?? "127.0.0.1", port }, () => {
        socket.off("error", reject);
        resolve(peer);
      });
      const peer = new Peer(socket, options.verify);
      if (options.paused) socket.pause();
      socket.once("error", reject);
    });
  }
}

/** What a connection's handler heard, and the connection itself. */
class Recorder implements ConnectionHandler {
  readonly tcp: TcpConnection;
  text = "";
  writtenCalls = 0;
  /** `pendingWrites` as seen at each `written()`. */
  pendingAtWritten: number[] = [];
  closedCalls = 0;
  onData: ((bytes: Uint8Array) => void) | undefined;
  constructor(tcp: TcpConnection) {
    this.tcp = tcp;
  }
  data(bytes: Uint8Array): void {
    this.text += new TextDecoder().decode(bytes);
    this.onData?.(bytes);
  }
  written(): void {
    this.writtenCalls++;
    this.pendingAtWritten.push(this.tcp.pendingWrites);
  }
  closed(): void {
    this.closedCalls++;
  }
}

/** Listens on 127.0.0.1:0 and records every accepted connection. */
async function listen(network: Network, hostname = "127.0.0.1") {
  const accepted: Recorder[] = [];
  const listener = await network.listenTcp({ hostname, port: 0 }, (tcp) => {
    const recorder = new Recorder(tcp);
    accepted.push(recorder);
    return recorder;
  });
  return { listener, accepted };
}

/** `count` buffers of varied sizes, buffer i filled with `fill(i)`, and a reader that checks them. */
function pattern(count: number, size: (i: number) => number) {
  const fill = (i: number) => (i * 37 + 1) & 0xff;
  const buffers = Array.from({ length: count }, (_, i) => new Uint8Array(size(i)).fill(fill(i)));
  const total = buffers.reduce((sum, b) => sum + b.length, 0);
  let index = 0;
  let offset = 0;
  const verify = (chunk: Uint8Array) => {
    for (let k = 0; k < chunk.length;) {
      assert.ok(index < count, "more bytes than were written");
      const take = Math.min(chunk.length - k, buffers[index].length - offset);
      for (let j = 0; j < take; j++) {
        if (chunk[k + j] !== fill(index)) {
          throw new Error(`byte ${offset + j} of write ${index} is out of order`);
        }
      }
      k += take;
      offset += take;
      if (offset === buffers[index].length) {
        index++;
        offset = 0;
      }
    }
  };
  return { buffers, total, verify };
}

function assertAddress(address: NetAddress, hostname: string, family: "IPv4" | "IPv6"): void {
  assert.equal(address.hostname, hostname);
  assert.equal(address.family, family);
  assert.ok(address.port > 0 && address.port < 65536, `port ${address.port}`);
}

/** The checks, in the order they run. */
export const networkChecks: NetworkCheck[] = [
  {
    name:
      "a listener on port 0 reports the port it got, and a port in use is refused with its code",
    async run(network) {
      const { listener } = await listen(network);
      try {
        assertAddress(listener.address, "127.0.0.1", "IPv4");
        await assert.rejects(
          network.listenTcp({ hostname: "127.0.0.1", port: listener.address.port }, () => {
            throw new Error("no connection expected");
          }),
          (error: { code?: string }) => error.code === "EADDRINUSE",
        );
      } finally {
        await listener.close();
      }
    },
  },
  {
    name: "bytes go both ways; remote and local are the two ends, with their family",
    async run(network) {
      const { listener, accepted } = await listen(network);
      const peer = await Peer.connect(listener.address.port);
      try {
        await until("the connection", () => accepted.length === 1);
        const conn = accepted[0];
        conn.onData = (bytes) => conn.tcp.write(bytes.slice()); // echo
        peer.socket.write("OPTIONS * RTSP/1.0\r\n\r\n");
        await until("the echo", () => peer.text === "OPTIONS * RTSP/1.0\r\n\r\n");
        assert.equal(conn.text, "OPTIONS * RTSP/1.0\r\n\r\n");
        assertAddress(conn.tcp.remote, "127.0.0.1", "IPv4");
        assert.equal(conn.tcp.remote.port, peer.socket.localPort);
        assertAddress(conn.tcp.local, "127.0.0.1", "IPv4");
        assert.equal(conn.tcp.local.port, listener.address.port);
        assert.equal(conn.tcp.secure ?? false, false);
        await until("the queue to empty", () => conn.tcp.pendingWrites === 0);
        assert.equal(conn.tcp.bufferedBytes, 0);
        peer.socket.end();
        await until("closed()", () => conn.closedCalls === 1);
      } finally {
        peer.socket.destroy();
        await listener.close();
      }
    },
  },
  {
    name: "writes a full socket cannot take wait in order, are counted, and are reported written",
    async run(network) {
      const { listener, accepted } = await listen(network);
      // 48 writes of about 1 MiB, odd sizes so that the kernel takes them in pieces.
      const { buffers, total, verify } = pattern(48, (i) => 1_000_003 + i * 4099);
      const peer = await Peer.connect(listener.address.port, { paused: true, verify });
      try {
        await until("the connection", () => accepted.length === 1);
        const conn = accepted[0];
        for (const buffer of buffers) conn.tcp.write(buffer);
        // 48 MB cannot all be in a loopback socket's buffers: some of it waits.
        assert.ok(conn.tcp.pendingWrites > 0, "no write waits");
        assert.ok(conn.tcp.pendingWrites <= buffers.length);
        assert.ok(conn.tcp.bufferedBytes > 0 && conn.tcp.bufferedBytes <= total);
        await sleep(50); // node:net reports the writes the kernel took at once a little later
        const waiting = conn.tcp.pendingWrites;
        assert.ok(waiting > 0, "no write waits");
        await sleep(50);
        assert.equal(conn.tcp.pendingWrites, waiting, "writes finished with nobody reading");
        peer.socket.resume();
        await until("every byte", () => peer.received === total, 30_000);
        assert.equal(peer.verifyError, undefined);
        await until("the queue to empty", () => conn.tcp.pendingWrites === 0);
        assert.equal(conn.tcp.bufferedBytes, 0);
        assert.ok(conn.writtenCalls >= 1, "written() never called");
        assert.equal(conn.pendingAtWritten.at(-1), 0, "no written() once the queue drained");
        for (let i = 1; i < conn.pendingAtWritten.length; i++) {
          assert.ok(conn.pendingAtWritten[i] <= conn.pendingAtWritten[i - 1], "the queue grew");
        }
        assert.equal(conn.closedCalls, 0);
      } finally {
        peer.socket.destroy();
        await listener.close();
      }
    },
  },
  {
    name: "many small writes that wait arrive in order, and each is reported written once",
    async run(network) {
      const { listener, accepted } = await listen(network);
      // 3000 frame-sized writes (about 12 MB): far more than the socket buffers hold, so most of
      // them wait behind each other, as a reader's frames do when it falls behind.
      const { buffers, total, verify } = pattern(3000, (i) => 1000 + ((i * 7919) % 7001));
      const peer = await Peer.connect(listener.address.port, { paused: true, verify });
      try {
        await until("the connection", () => accepted.length === 1);
        const conn = accepted[0];
        for (const buffer of buffers) conn.tcp.write(buffer);
        await sleep(50);
        const waiting = conn.tcp.pendingWrites;
        assert.ok(waiting > 100, `only ${waiting} writes wait`);
        peer.socket.resume();
        await until("every byte", () => peer.received === total, 30_000);
        assert.equal(peer.verifyError, undefined);
        await until("the queue to empty", () => conn.tcp.pendingWrites === 0);
        assert.equal(conn.tcp.bufferedBytes, 0);
        // Every write that waited is reported, and none twice (node:net reports the others too).
        assert.ok(conn.writtenCalls >= waiting, `${conn.writtenCalls} written() for ${waiting}`);
        assert.ok(conn.writtenCalls <= buffers.length, `${conn.writtenCalls} written()`);
        assert.equal(conn.pendingAtWritten.at(-1), 0, "no written() once the queue drained");
        for (let i = 1; i < conn.pendingAtWritten.length; i++) {
          assert.ok(conn.pendingAtWritten[i] <= conn.pendingAtWritten[i - 1], "the queue grew");
        }
      } finally {
        peer.socket.destroy();
        await listener.close();
      }
    },
  },
  {
    name: "end() sends what is queued, then closes; later writes are dropped",
    async run(network) {
      const { listener, accepted } = await listen(network);
      const { buffers, total, verify } = pattern(16, (i) => 1_048_576 + i * 7);
      const peer = await Peer.connect(listener.address.port, { paused: true, verify });
      try {
        await until("the connection", () => accepted.length === 1);
        const conn = accepted[0];
        for (const buffer of buffers) conn.tcp.write(buffer);
        assert.ok(conn.tcp.pendingWrites > 0, "no write waits");
        conn.tcp.end();
        const waiting = conn.tcp.pendingWrites;
        conn.tcp.write(new Uint8Array(10));
        assert.equal(conn.tcp.pendingWrites, waiting, "a write after end() was queued");
        await sleep(50);
        assert.equal(conn.closedCalls, 0, "closed before the queue was sent");
        peer.socket.resume();
        await until("the end of the stream", () => peer.ended, 30_000);
        assert.equal(peer.received, total);
        assert.equal(peer.verifyError, undefined);
        await until("closed()", () => conn.closedCalls === 1);
        await sleep(20);
        assert.equal(conn.closedCalls, 1);
      } finally {
        peer.socket.destroy();
        await listener.close();
      }
    },
  },
  {
    name: "a peer that shuts its side still gets what is queued for it",
    async run(network) {
      const { listener, accepted } = await listen(network);
      const { buffers, total, verify } = pattern(8, (i) => 1_000_000 + i);
      const peer = await Peer.connect(listener.address.port, { verify });
      try {
        await until("the connection", () => accepted.length === 1);
        const conn = accepted[0];
        conn.onData = () => {
          for (const buffer of buffers) conn.tcp.write(buffer);
        };
        peer.socket.end("GO");
        await until("the end of the stream", () => peer.ended, 30_000);
        assert.equal(peer.received, total);
        assert.equal(peer.verifyError, undefined);
        await until("closed()", () => conn.closedCalls === 1);
      } finally {
        peer.socket.destroy();
        await listener.close();
      }
    },
  },
  {
    name: "destroy() closes at once, dropping what is queued; closed() is called once",
    async run(network) {
      const { listener, accepted } = await listen(network);
      const peer = await Peer.connect(listener.address.port, { paused: true, verify: () => {} });
      try {
        await until("the connection", () => accepted.length === 1);
        const conn = accepted[0];
        for (let i = 0; i < 16; i++) conn.tcp.write(new Uint8Array(1 << 20));
        assert.ok(conn.tcp.pendingWrites > 0, "no write waits");
        conn.tcp.destroy();
        conn.tcp.destroy();
        conn.tcp.write(new Uint8Array(10));
        peer.socket.resume();
        await until("the peer to see the close", () => peer.closed);
        assert.ok(peer.received < 16 << 20, "every byte arrived after destroy()");
        await until("closed()", () => conn.closedCalls === 1);
        await sleep(20);
        assert.equal(conn.closedCalls, 1);
      } finally {
        peer.socket.destroy();
        await listener.close();
      }
    },
  },
  {
    name: "a connection refused in accept (destroyed, or accept throwing) closes harmlessly",
    async run(network) {
      let refusedClosed = 0;
      let calls = 0;
      const listener = await network.listenTcp({ hostname: "127.0.0.1", port: 0 }, (tcp) => {
        calls++;
        if (calls === 2) throw new Error("accept failed");
        tcp.destroy();
        return {
          data() {
            throw new Error("data on a refused connection");
          },
          written() {},
          closed() {
            refusedClosed++;
          },
        };
      });
      try {
        for (let i = 0; i < 2; i++) {
          const peer = await Peer.connect(listener.address.port);
          peer.socket.write("hello");
          await until("the peer to see the close", () => peer.closed);
        }
        assert.equal(calls, 2);
        await until("closed() of the refused one", () => refusedClosed === 1);
      } finally {
        await listener.close();
      }
    },
  },
  {
    name: "closing a listener stops accepting and leaves open connections alone",
    async run(network) {
      const { listener, accepted } = await listen(network);
      const peer = await Peer.connect(listener.address.port);
      try {
        await until("the connection", () => accepted.length === 1);
        const port = listener.address.port;
        const closing = listener.close();
        accepted[0].tcp.write(new TextEncoder().encode("still here"));
        await until("the write", () => peer.text === "still here");
        peer.socket.end();
        await closing;
        await assert.rejects(Peer.connect(port));
      } finally {
        peer.socket.destroy();
      }
    },
  },
  {
    name: "an IPv4 client of a dual-stack listener is an IPv4 address; an IPv6 one is IPv6",
    async run(network) {
      const accepted: Recorder[] = [];
      let listener;
      try {
        listener = await network.listenTcp({ hostname: "::", port: 0 }, (tcp) => {
          const recorder = new Recorder(tcp);
          accepted.push(recorder);
          return recorder;
        });
      } catch {
        return; // no IPv6 on this machine
      }
      try {
        assertAddress(listener.address, "::", "IPv6");
        const v4 = await Peer.connect(listener.address.port);
        await until("the IPv4 connection", () => accepted.length === 1);
        assertAddress(accepted[0].tcp.remote, "127.0.0.1", "IPv4");
        assertAddress(accepted[0].tcp.local, "127.0.0.1", "IPv4");
        v4.socket.destroy();
        const v6 = await Peer.connect(listener.address.port, { host: "::1" });
        await until("the IPv6 connection", () => accepted.length === 2);
        assertAddress(accepted[1].tcp.remote, "::1", "IPv6");
        assertAddress(accepted[1].tcp.local, "::1", "IPv6");
        v6.socket.destroy();
      } finally {
        await listener.close();
      }
    },
  },
  {
    name: "UDP: datagrams go both ways with the sender's address; bad sends are swallowed",
    async run(network) {
      const toA: [string, NetAddress][] = [];
      const toB: [string, NetAddress][] = [];
      const text = (d: Uint8Array) => new TextDecoder().decode(d);
      const a = await network.bindUdp({ hostname: "127.0.0.1", port: 0 }, (d, from) => {
        toA.push([text(d), from]);
      });
      const b = await network.bindUdp({ hostname: "127.0.0.1", port: 0 }, (d, from) => {
        toB.push([text(d), from]);
        b.send(new TextEncoder().encode(`re: ${text(d)}`), from.port, from.hostname);
      });
      try {
        assertAddress(a.address, "127.0.0.1", "IPv4");
        assertAddress(b.address, "127.0.0.1", "IPv4");
        await assert.rejects(
          network.bindUdp({ hostname: "127.0.0.1", port: a.address.port }, () => {}),
          (error: { code?: string }) => error.code === "EADDRINUSE",
        );
        a.send(new TextEncoder().encode("RTCP"), b.address.port, "127.0.0.1");
        await until("the reply", () => toA.length === 1);
        assert.deepEqual(toB, [["RTCP", { ...a.address }]]);
        assert.deepEqual(toA, [["re: RTCP", { ...b.address }]]);
        a.send(new Uint8Array(1), 9, "not an address");
      } finally {
        await a.close();
        await b.close();
      }
      a.send(new Uint8Array(1), b.address.port, "127.0.0.1"); // closed: swallowed too
    },
  },
];

/** Runs every check against `network`; returns the names of those that failed, with why. */
export async function runNetworkChecks(network: Network): Promise<string[]> {
  const failures: string[] = [];
  for (const check of networkChecks) {
    try {
      await check.run(network);
    } catch (error) {
      failures.push(`${check.name}: ${(error as Error).stack ?? error}`);
    }
  }
  return failures;
}
