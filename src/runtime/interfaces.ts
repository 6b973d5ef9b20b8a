/**
 * The machine's own IP addresses, for printing URLs a viewer on the LAN can open.
 *
 * @module
 */

import { networkInterfaces } from "node:os";

/**
 * Non-internal IPv4 and IPv6 (non-link-local) addresses of this machine; none when the runtime may
 * not list them (Deno without `--allow-sys`): they only decorate the start-up banner.
 */
export function localAddresses(): string[] {
  let interfaces: ReturnType<typeof networkInterfaces>;
  try {
    interfaces = networkInterfaces();
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const list of Object.values(interfaces)) {
    for (const a of list ?? []) {
      if (a.internal) continue;
      if (a.family === "IPv6" && a.address.toLowerCase().startsWith("fe80")) continue;
      out.push(a.address);
    }
  }
  return out;
}
