/**
 * The {@link Network} a server uses when it is given none: Bun's native sockets (`bun_net.ts`)
 * under Bun, `node:net`/`node:dgram` (`node_net.ts`) under Deno and Node. Each is loaded only when
 * chosen, so a Bun process never loads the `node:` socket modules and the others never see Bun's.
 *
 * @module
 */

import type { Network } from "./net.ts";

let chosen: Promise<Network> | undefined;

/**
 * The runtime's own network, loaded on the first call.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defaultNetwork } from "./default_network.ts";
 *
 * const network = await defaultNetwork();
 * const socket = await network.bindUdp({ hostname: "127.0.0.1", port: 0 }, () => {});
 * assert.equal(socket.address.family, "IPv4");
 * await socket.close();
 * ```
 */
export function defaultNetwork(): Promise<Network> {
  chosen ??= "Bun" in globalThis
    ? import("./bun_net.ts").then((m) => m.bunNetwork)
    : import("./node_net.ts").then((m) => m.nodeNetwork);
  return chosen;
}
