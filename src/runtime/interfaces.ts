/**
 * The machine's own IP addresses, for printing URLs a viewer on the LAN can open.
 *
 * @module
 */

import { networkInterfaces } from "node:os";

/** Non-internal IPv4 and IPv6 (non-link-local) addresses of this machine. */
export function localAddresses(): string[] {
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.internal) continue;
      if (a.family === "IPv6" && a.address.toLowerCase().startsWith("fe80")) continue;
      out.push(a.address);
    }
  }
  return out;
}
