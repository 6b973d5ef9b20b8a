/**
 * The network the server needs, in runtime-neutral terms: a TCP listener whose connections report
 * how much they still have to write, the same over TLS, and UDP sockets. `node_net.ts` and
 * `node_tls.ts` implement it for Deno, Bun and Node, `bun_net.ts` on Bun's native sockets; tests can
 * implement it in memory.
 *
 * @module
 */

/** An endpoint of a connection or datagram. */
export interface NetAddress {
  /** IP literal without brackets, e.g. `127.0.0.1` or `::1`. */
  readonly hostname: string;
  /** Port number. */
  readonly port: number;
  /** Address family. */
  readonly family: "IPv4" | "IPv6";
}

/** What a connection tells its owner. */
export interface ConnectionHandler {
  /** Bytes arrived. The view is only valid during the call. */
  data(bytes: Uint8Array): void;
  /**
   * A write handed to {@link TcpConnection.write} that had to wait (it was counted in
   * `pendingWrites`) reached the kernel. A write the kernel took whole at once may be reported
   * too (`node_net.ts` reports every write, `bun_net.ts` only those that waited).
   */
  written(): void;
  /** The connection is gone, by either side. Called once. */
  closed(): void;
}

/** One accepted TCP connection. Writes never block: they queue, and the queue is observable. */
export interface TcpConnection {
  /** The peer. */
  readonly remote: NetAddress;
  /** Our side, as the peer reached it. */
  readonly local: NetAddress;
  /** Whether the bytes travel inside TLS (RTSPS). Absent means plain TCP. */
  readonly secure?: boolean;
  /** Bytes handed to `write` that have not reached the kernel yet. */
  readonly bufferedBytes: number;
  /** Writes handed to `write` whose `written` callback has not fired yet. */
  readonly pendingWrites: number;
  /** Queues `data` for sending. The buffer must not be changed until `written` fires for it. */
  write(data: Uint8Array): void;
  /** Flushes what is queued, then closes. */
  end(): void;
  /** Closes at once, dropping what is queued. */
  destroy(): void;
}

/** A listening TCP socket. */
export interface TcpListener {
  /** Where it listens (with the real port when 0 was asked for). */
  readonly address: NetAddress;
  /** Stops accepting. Open connections are left to their owners. */
  close(): Promise<void>;
}

/** A bound UDP socket. */
export interface UdpSocket {
  /** Where it is bound. */
  readonly address: NetAddress;
  /** Sends one datagram. Errors (unreachable peer, full buffer) are swallowed: UDP is lossy anyway. */
  send(data: Uint8Array, port: number, hostname: string): void;
  /** Closes the socket. */
  close(): Promise<void>;
}

/** Receives datagrams from a {@link UdpSocket}. The view is only valid during the call. */
export type DatagramHandler = (data: Uint8Array, from: NetAddress) => void;

/** The runtime's network, as the server uses it. */
export interface Network {
  /** Listens for TCP connections; `accept` is called for each and returns its handler. */
  listenTcp(
    options: { hostname: string; port: number },
    accept: (connection: TcpConnection) => ConnectionHandler,
  ): Promise<TcpListener>;
  /**
   * Listens for TLS connections, like `listenTcp` once the handshake is done; `cert` and `key` are
   * PEM. The connections say `secure: true` and are otherwise plain {@link TcpConnection}s.
   * Optional: a network without it cannot serve RTSPS.
   */
  listenTls?(
    options: { hostname: string; port: number; cert: string; key: string },
    accept: (connection: TcpConnection) => ConnectionHandler,
  ): Promise<TcpListener>;
  /** Binds a UDP socket; `onDatagram` receives what arrives. */
  bindUdp(
    options: { hostname: string; port: number },
    onDatagram: DatagramHandler,
  ): Promise<UdpSocket>;
}
