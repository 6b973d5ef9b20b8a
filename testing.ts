/**
 * Seams for tests of programs built on rtsp-edge: a clock that moves only when told (timeouts,
 * RTCP timing and on-demand close-afters without sleeping), the network interface the server
 * listens through, and the C library interface camera capture calls.
 *
 * @example Drive time by hand
 * ```ts
 * import { ManualClock } from "@x/rtsp/testing";
 *
 * const clock = new ManualClock();
 * clock.after?.(1000, () => console.log("a second later"));
 * clock.advance(1000);
 * ```
 *
 * @module
 */

export { ManualClock, systemClock } from "./src/base/clock.ts";
export type {
  ConnectionHandler,
  DatagramHandler,
  NetAddress,
  Network,
  TcpConnection,
  TcpListener,
  UdpSocket,
} from "./src/runtime/net.ts";
export type { LibC, Mapping } from "./src/camera/libc.ts";
