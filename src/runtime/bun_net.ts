/**
 * {@link Network} over Bun's native sockets, `Bun.listen` and `Bun.udpSocket`. Under Bun,
 * `node:net` and `node:dgram` are JavaScript layers over the same sockets that cost a compiled
 * binary several megabytes of memory before anyone connects; this module costs none of that.
 *
 * A Bun socket's `write` takes what the kernel takes at once and returns how many bytes that was;
 * it keeps nothing. So each connection queues what was not taken, in order, and hands it to the
 * socket again when Bun calls `drain`. That queue is what `bufferedBytes` and `pendingWrites`
 * report, as `node:net`'s `writableLength` and write callbacks do in `node_net.ts`.
 *
 * TLS is not here: RTSPS stays on `node_tls.ts`, loaded only when it is configured.
 *
 * @module
 */

import type {
  ConnectionHandler,
  DatagramHandler,
  NetAddress,
  Network,
  TcpConnection,
  TcpListener,
  UdpSocket,
} from "./net.ts";

// ─── The part of Bun's API used here (typed locally: Deno's checker does not know Bun) ───────────

/** A TCP socket as Bun hands it to the listener's handlers; `data` is ours to set. */
interface BunSocket {
  data: BunTcpConnection | undefined;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  /** Bytes the kernel took (maybe fewer than given, maybe 0); the rest is the caller's. */
  write(data: Uint8Array): number;
  /** Flushes nothing (nothing is kept) and shuts the socket down. */
  end(): void;
  /** Closes at once. */
  terminate(): void;
  setNoDelay?(noDelay: boolean): boolean;
}

interface BunSocketHandlers {
  open(socket: BunSocket): void;
  data(socket: BunSocket, bytes: Uint8Array): void;
  drain(socket: BunSocket): void;
  end(socket: BunSocket): void;
  close(socket: BunSocket, error?: Error): void;
  error(socket: BunSocket, error: Error): void;
}

interface BunListener {
  readonly port: number;
  readonly hostname: string;
  /** Fills `out` with the bound address (Bun ≥ 1.2); `hostname` is only what was asked for. */
  getsockname?(out: { address?: string; port?: number; family?: string }): void;
  stop(closeActiveConnections?: boolean): void;
}

interface BunUdp {
  readonly address: { address: string; port: number; family: string };
  /** False when the datagram could not be queued; throws on a closed socket or a bad address. */
  send(data: Uint8Array, port: number, address: string): boolean;
  close(): void;
}

interface Bun {
  listen(options: {
    hostname: string;
    port: number;
    allowHalfOpen: boolean;
    socket: BunSocketHandlers;
  }): BunListener;
  udpSocket(options: {
    hostname: string;
    port: number;
    socket: {
      data(socket: BunUdp, data: Uint8Array, port: number, address: string): void;
      /** Bun 1.4 passes the error alone (the socket is `this`); its types say (socket, error). */
      error(first: unknown, second?: unknown): void;
    };
  }): Promise<BunUdp>;
}

function bun(): Bun {
  const found = (globalThis as unknown as { Bun?: Bun }).Bun;
  if (!found) throw new Error("bun_net.ts runs only under Bun");
  return found;
}

// ─── Addresses ───────────────────────────────────────────────────────────────────────────────────

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** An address as `node_net.ts` gives it: IPv4 peers of a dual-stack socket in their own spelling. */
function address(hostname: string | undefined, port: number | undefined): NetAddress {
  let host = hostname || "0.0.0.0";
  if (host.startsWith("::ffff:") && IPV4.test(host.slice(7))) host = host.slice(7);
  return { hostname: host, port: port ?? 0, family: host.includes(":") ? "IPv6" : "IPv4" };
}

// ─── TCP ─────────────────────────────────────────────────────────────────────────────────────────

/**
 * How long `end()` waits for queued data to leave: a peer that never reads must not hold the
 * connection open (the same 5 s as `node_net.ts`).
 */
const END_DEADLINE_MS = 5000;

/** Open; ending (queued data still to send, then close); closed or being closed. */
const OPEN = 0;
const ENDING = 1;
const CLOSED = 2;

/** A {@link TcpConnection} over a Bun socket, with its own queue of what the kernel did not take. */
class BunTcpConnection implements TcpConnection {
  readonly remote: NetAddress;
  readonly local: NetAddress;
  #socket: BunSocket;
  #handler: ConnectionHandler | undefined;
  /** Writes not yet wholly taken, oldest first, from index `#head`; `#taken` bytes of the first. */
  #queue: (Uint8Array | undefined)[] = [];
  #head = 0;
  #taken = 0;
  #queuedBytes = 0;
  #state = OPEN;
  #endTimer: ReturnType<typeof setTimeout> | undefined;
  #closeSeen = false;

  constructor(socket: BunSocket) {
    this.#socket = socket;
    this.remote = address(socket.remoteAddress, socket.remotePort);
    this.local = address(socket.localAddress, socket.localPort);
  }

  /** Starts telling `handler` what happens on the socket. */
  attach(handler: ConnectionHandler): void {
    this.#handler = handler;
  }

  get bufferedBytes(): number {
    return this.#queuedBytes;
  }

  get pendingWrites(): number {
    return this.#queue.length - this.#head;
  }

  write(data: Uint8Array): void {
    if (this.#state !== OPEN) return;
    if (this.#head === this.#queue.length) {
      // Nothing waits: the kernel gets it now, and whatever it does not take waits in order.
      const n = this.#socket.write(data);
      if (n >= data.length || this.#state !== OPEN) return;
      this.#taken = n > 0 ? n : 0;
      this.#queuedBytes = data.length - this.#taken;
    } else {
      this.#queuedBytes += data.length;
    }
    this.#queue.push(data);
  }

  end(): void {
    if (this.#state !== OPEN) return;
    this.#state = ENDING;
    // Set first: Bun may report the close inside socket.end(), and the close clears it.
    this.#endTimer = setTimeout(() => this.destroy(), END_DEADLINE_MS);
    if (this.#head === this.#queue.length) this.#socket.end();
  }

  destroy(): void {
    if (this.#state === CLOSED) return;
    this.#dropQueue();
    this.#socket.terminate();
  }

  /** Bytes arrived. */
  received(bytes: Uint8Array): void {
    if (this.#state !== CLOSED) this.#handler?.data(bytes);
  }

  /** The socket can take more: hands it the queue, in order, as far as it goes. */
  drained(): void {
    const queue = this.#queue;
    let done = 0;
    while (this.#head < queue.length) {
      const data = queue[this.#head]!;
      const rest = this.#taken === 0 ? data : data.subarray(this.#taken);
      const n = this.#socket.write(rest);
      if (this.#state === CLOSED) return; // the write failed and Bun closed the socket
      if (n > 0) this.#queuedBytes -= n;
      if (n < rest.length) {
        if (n > 0) this.#taken += n;
        break;
      }
      queue[this.#head++] = undefined;
      this.#taken = 0;
      done++;
    }
    if (this.#head === queue.length) {
      queue.length = 0;
      this.#head = 0;
      if (this.#state === ENDING && done > 0) this.#socket.end();
    } else if (this.#head >= 1024 && this.#head * 2 >= queue.length) {
      queue.splice(0, this.#head); // a long-backlogged reader: keep the array from growing
      this.#head = 0;
    }
    // Told after the queue is consistent, so a handler that writes again finds it in order.
    for (; done > 0; done--) this.#handler?.written();
  }

  /** The peer shut its side: what is queued still goes out, then the connection closes. */
  peerEnded(): void {
    this.end();
  }

  /** Bun says the socket is closed (by either side, or by `end`/`destroy` just now). */
  socketClosed(): void {
    if (this.#closeSeen) return;
    this.#closeSeen = true;
    this.#dropQueue();
    // Bun reports the close inside `end()`/`terminate()`, even inside `accept` before a handler
    // is attached; node:net reports it later. Later it is, so callers see one behaviour.
    queueMicrotask(() => {
      const handler = this.#handler;
      this.#handler = undefined;
      handler?.closed();
    });
  }

  #dropQueue(): void {
    this.#state = CLOSED;
    this.#queue = [];
    this.#head = 0;
    this.#taken = 0;
    this.#queuedBytes = 0;
    if (this.#endTimer !== undefined) clearTimeout(this.#endTimer);
    this.#endTimer = undefined;
  }
}

/** The handlers of one listener: Bun shares them among its sockets, whose `data` is ours. */
function tcpHandlers(accept: (connection: TcpConnection) => ConnectionHandler): BunSocketHandlers {
  return {
    open(socket) {
      socket.setNoDelay?.(true);
      const connection = new BunTcpConnection(socket);
      socket.data = connection;
      try {
        connection.attach(accept(connection));
      } catch {
        socket.terminate();
      }
    },
    data(socket, bytes) {
      socket.data?.received(bytes);
    },
    drain(socket) {
      socket.data?.drained();
    },
    end(socket) {
      socket.data?.peerEnded();
    },
    close(socket) {
      socket.data?.socketClosed();
    },
    // Socket errors (reset by peer, broken pipe) always end in `close`; the handler learns of it
    // there. Anything else is an exception thrown by a handler, which Bun hands here: it is
    // thrown on, outside the socket, as it would be from a node:net listener.
    error(_socket, error) {
      if (typeof (error as { code?: unknown }).code === "string") return;
      queueMicrotask(() => {
        throw error;
      });
    },
  };
}

class BunTcpListener implements TcpListener {
  readonly address: NetAddress;
  #listener: BunListener;
  constructor(listener: BunListener) {
    this.#listener = listener;
    const bound: { address?: string; port?: number } = {};
    listener.getsockname?.(bound);
    this.address = address(bound.address ?? listener.hostname, bound.port ?? listener.port);
  }
  close(): Promise<void> {
    this.#listener.stop(false);
    return Promise.resolve();
  }
}

// ─── UDP ─────────────────────────────────────────────────────────────────────────────────────────

class BunUdpSocket implements UdpSocket {
  readonly address: NetAddress;
  #socket: BunUdp;
  constructor(socket: BunUdp) {
    this.#socket = socket;
    this.address = address(socket.address.address, socket.address.port);
  }
  send(data: Uint8Array, port: number, hostname: string): void {
    try {
      this.#socket.send(data, port, hostname);
    } catch {
      // The error may be an earlier datagram's, not this one's: Bun asks for ICMP errors
      // (IP_RECVERR), so a datagram to a closed port (a UDP reader gone without TEARDOWN) leaves
      // ECONNREFUSED pending on the socket, and the next send in the same task, to whichever
      // peer, fails with it until Bun's loop has read the error. That send is made again; the
      // error is gone by then.
      try {
        this.#socket.send(data, port, hostname);
      } catch {
        // A closed socket or an unroutable peer: the datagram is lost, as UDP allows.
      }
    }
  }
  close(): Promise<void> {
    try {
      this.#socket.close();
    } catch {
      // already closed
    }
    return Promise.resolve();
  }
}

// ─── The network ─────────────────────────────────────────────────────────────────────────────────

/**
 * The {@link Network} of Bun, on its native sockets. Listening errors carry their `code`
 * (`EADDRINUSE`, ...) as `node:net`'s do; `listenTls` is `node_tls.ts`'s, loaded when first used.
 */
export const bunNetwork: Network = {
  listenTcp(options, accept): Promise<TcpListener> {
    try {
      const listener = bun().listen({
        hostname: options.hostname,
        port: options.port,
        // A peer that shuts its side still gets what is queued for it (end() closes after it).
        allowHalfOpen: true,
        socket: tcpHandlers(accept),
      });
      return Promise.resolve(new BunTcpListener(listener));
    } catch (error) {
      return Promise.reject(error);
    }
  },

  async listenTls(options, accept): Promise<TcpListener> {
    const { listenTls } = await import("./node_tls.ts");
    return listenTls(options, accept);
  },

  async bindUdp(options, onDatagram: DatagramHandler): Promise<UdpSocket> {
    const socket = await bun().udpSocket({
      hostname: options.hostname,
      port: options.port,
      socket: {
        data(_socket, data, port, from) {
          onDatagram(data, address(from, port));
        },
        // The kernel's report on an earlier datagram (ECONNREFUSED: the ICMP "port unreachable"
        // of a UDP reader gone without TEARDOWN, sent to until its session times out) comes back
        // at the next receive. The datagram is lost, as UDP allows. Without this handler Bun
        // prints every one of them to standard error, several lines each, dozens per second.
        // An exception thrown by `onDatagram` comes here too: it is thrown on, as from TCP.
        error(first, second) {
          const error = first instanceof Error ? first : second;
          if (typeof (error as { code?: unknown } | undefined)?.code === "string") return;
          queueMicrotask(() => {
            throw error;
          });
        },
      },
    });
    return new BunUdpSocket(socket);
  },
};
