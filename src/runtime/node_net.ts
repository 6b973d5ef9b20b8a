/**
 * {@link Network} over `node:net` and `node:dgram`, which Deno, Bun and Node all ship. Deno's own UDP
 * API still needs `--unstable-net`; these modules do not.
 *
 * @module
 */

import * as dgram from "node:dgram";
import * as net from "node:net";
import type {
  ConnectionHandler,
  DatagramHandler,
  NetAddress,
  Network,
  TcpConnection,
  TcpListener,
  UdpSocket,
} from "./net.ts";

function familyOf(address: string): "IPv4" | "IPv6" {
  return net.isIPv6(address) ? "IPv6" : "IPv4";
}

function address(hostname: string | undefined, port: number | undefined): NetAddress {
  // Node reports IPv4 peers on a dual-stack socket as ::ffff:a.b.c.d; one client, one spelling.
  let host = hostname ?? "0.0.0.0";
  if (host.startsWith("::ffff:") && net.isIPv4(host.slice(7))) host = host.slice(7);
  return { hostname: host, port: port ?? 0, family: familyOf(host) };
}

/**
 * A {@link TcpConnection} over a `node:net` socket, or a `node:tls` one (`secure`), which is a
 * socket too: the RTSP code above cannot tell them apart.
 */
export class NodeTcpConnection implements TcpConnection {
  /** The peer. */
  readonly remote: NetAddress;
  /** Our side, as the peer reached it. */
  readonly local: NetAddress;
  /** Whether the socket is a TLS socket. */
  readonly secure: boolean;
  #socket: net.Socket;
  #pending = 0;
  #handler: ConnectionHandler | undefined;
  #afterWrite = (): void => {
    this.#pending--;
    this.#handler?.written();
  };

  /** Wraps an accepted (and, for TLS, handshaken) socket. */
  constructor(socket: net.Socket, secure = false) {
    this.#socket = socket;
    this.secure = secure;
    this.remote = address(socket.remoteAddress, socket.remotePort);
    this.local = address(socket.localAddress, socket.localPort);
  }

  /** Starts telling `handler` what happens on the socket. */
  attach(handler: ConnectionHandler): void {
    this.#handler = handler;
    const socket = this.#socket;
    socket.setNoDelay(true);
    socket.on("data", (chunk: Uint8Array) => handler.data(chunk));
    // Errors (reset by peer, broken pipe) always end in "close"; the handler learns of it there.
    socket.on("error", () => {});
    socket.once("close", () => handler.closed());
  }

  /** Bytes queued and not yet in the kernel. */
  get bufferedBytes(): number {
    return this.#socket.writableLength;
  }

  /** Writes whose callback has not fired. */
  get pendingWrites(): number {
    return this.#pending;
  }

  /** Queues `data`; it must not change until `written` fires. */
  write(data: Uint8Array): void {
    if (this.#socket.destroyed || this.#socket.writableEnded) return;
    this.#pending++;
    this.#socket.write(data, this.#afterWrite);
  }

  /** Flushes, then closes. */
  end(): void {
    this.#socket.end();
    // A peer that never reads would hold a half-closed socket open; end() must not wait forever.
    this.#socket.setTimeout(5000, () => this.#socket.destroy());
  }

  /** Closes at once. */
  destroy(): void {
    this.#socket.destroy();
  }
}

/** A {@link TcpListener} over a listening `node:net` server (or `node:tls`, a subclass). */
export class NodeTcpListener implements TcpListener {
  /** Where it listens. */
  readonly address: NetAddress;
  #server: net.Server;
  /** Wraps a server that is already listening. */
  constructor(server: net.Server) {
    this.#server = server;
    const a = server.address() as net.AddressInfo;
    this.address = address(a.address, a.port);
  }
  /** Stops accepting. */
  close(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

class NodeUdpSocket implements UdpSocket {
  readonly address: NetAddress;
  #socket: dgram.Socket;
  constructor(socket: dgram.Socket) {
    this.#socket = socket;
    const a = socket.address();
    this.address = address(a.address, a.port);
  }
  send(data: Uint8Array, port: number, hostname: string): void {
    try {
      this.#socket.send(data, port, hostname);
    } catch {
      // A closed socket or an unroutable peer: the datagram is lost, as UDP allows.
    }
  }
  close(): Promise<void> {
    return new Promise((resolve) => {
      try {
        this.#socket.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }
}

/** The {@link Network} of Deno, Bun and Node, through their `node:` modules. */
export const nodeNetwork: Network = {
  listenTcp(options, accept): Promise<TcpListener> {
    return new Promise((resolve, reject) => {
      const server = net.createServer({ noDelay: true }, (socket) => {
        const connection = new NodeTcpConnection(socket);
        try {
          connection.attach(accept(connection));
        } catch {
          socket.destroy();
        }
      });
      server.once("error", reject);
      server.listen({ host: options.hostname, port: options.port }, () => {
        server.off("error", reject);
        server.on("error", () => {});
        resolve(new NodeTcpListener(server));
      });
    });
  },

  bindUdp(options, onDatagram: DatagramHandler): Promise<UdpSocket> {
    return new Promise((resolve, reject) => {
      const type = familyOf(options.hostname) === "IPv6" ? "udp6" : "udp4";
      const socket = dgram.createSocket({ type, reuseAddr: false });
      socket.once("error", reject);
      socket.on("message", (msg: Uint8Array, rinfo: dgram.RemoteInfo) => {
        onDatagram(msg, address(rinfo.address, rinfo.port));
      });
      socket.bind(options.port, options.hostname, () => {
        socket.off("error", reject);
        socket.on("error", () => {});
        resolve(new NodeUdpSocket(socket));
      });
    });
  },
};
