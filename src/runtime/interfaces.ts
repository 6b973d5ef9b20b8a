/**
 * The machine's own IP addresses, for printing URLs a viewer on the LAN can open.
 *
 * @module
 */

import process from "node:process";

/**
 * Non-internal IPv4 and IPv6 (non-link-local) addresses of this machine; none when the runtime may
 * not list them (Deno without `--allow-sys`): they only decorate the start-up banner.
 */
export function localAddresses(): string[] {
  let interfaces: ReturnType<typeof import("node:os").networkInterfaces>;
  try {
    // Taken when called (a server bound to every address), not imported: under Bun, `node:os`
    // would stay resident in every server for a banner line.
    const os = process.getBuiltinModule("node:os") as typeof import("node:os");
    interfaces = os.networkInterfaces();
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
