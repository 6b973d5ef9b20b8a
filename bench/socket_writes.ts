/**
 * What one frame write per reader costs on each socket API the server could use, without the
 * server: bench/socket_writes_peer.ts writes an 8,200-byte buffer to each of N loopback readers 30
 * times a second with `node:net` under Deno (node_net.ts's API), `Deno.listen`/`Deno.Conn` (what a
 * Deno-native adapter would use), `Bun.listen` (bun_net.ts's) and `node:net` under Bun. Prints the
 * writing process's CPU (user and system, from /proc) per reader-second, in one table, so that an
 * adapter is only written for an API that is cheaper than the one in use.
 *
 * ```sh
 * deno run -A bench/socket_writes.ts                          # 100 and 500 readers, every API
 * deno run -A bench/socket_writes.ts --readers 500 --apis node-deno,deno --seconds 8 --repeat 3
 * ```
 *
 * @module
 */

import { flags } from "./lines.ts";
import { Child, cpuBetween, cpuSample, killAll } from "./procs.ts";

const args = flags(Deno.args);
const readerCounts = (args.readers ?? "100,500").split(",").map(Number);
const seconds = Number(args.seconds ?? 8);
const repeats = Number(args.repeat ?? 2);
const here = new URL(".", import.meta.url).pathname;

/** How to run the writing side of each API. */
const APIS: Record<string, { runtime: "deno" | "bun"; api: string; label: string }> = {
  "node-deno": { runtime: "deno", api: "node", label: "node:net under Deno (node_net.ts)" },
  "deno": { runtime: "deno", api: "deno", label: "Deno.listen / Deno.Conn" },
  "bun": { runtime: "bun", api: "bun", label: "Bun.listen (bun_net.ts)" },
  "node-bun": { runtime: "bun", api: "node", label: "node:net under Bun" },
};
const apis = (args.apis ?? Object.keys(APIS).join(",")).split(",");

if (
  readerCounts.some((n) => !(Number.isInteger(n) && n > 0)) || !(seconds > 0) ||
  apis.some((a) => !(a in APIS))
) {
  console.error(
    "usage: deno run -A bench/socket_writes.ts [--readers 100,500] [--seconds 8] [--repeat 2]" +
      ` [--apis ${Object.keys(APIS).join(",")}]`,
  );
  Deno.exit(2);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor((v.length - 1) / 2)];

/** CPU ms per second of the writing process, user and system, over the window. */
async function measure(key: string, readers: number): Promise<{ user: number; system: number }> {
  const { runtime, api } = APIS[key];
  const peer = `${here}socket_writes_peer.ts`;
  const serverArgs = [peer, "--role", "server", "--api", api, "--readers", String(readers)];
  const s = runtime === "deno"
    ? new Child(key, Deno.execPath(), ["run", "-A", ...serverArgs])
    : new Child(key, "bun", serverArgs);
  let client: Child | undefined;
  try {
    const ready = await s.next("ready", 30_000);
    client = new Child("readers", Deno.execPath(), [
      "run",
      "-A",
      peer,
      "--role",
      "client",
      "--port",
      String(ready.port),
      "--count",
      String(readers),
    ]);
    await client.next("connected", 60_000);
    await s.next("writing", 30_000);
    await sleep(2000);
    const pid = Number(ready.pid);
    const a = cpuSample(pid);
    await sleep(seconds * 1000);
    const b = cpuSample(pid);
    const total = cpuBetween(a, b).seconds;
    const user = b.user - a.user;
    const userShare = Math.min(1, user / Math.max(1e-9, b.stat - a.stat));
    return {
      user: (total * userShare * 1000) / seconds,
      system: (total * (1 - userShare) * 1000) / seconds,
    };
  } finally {
    await client?.stop();
    await s.stop();
  }
}

const rows: string[] = [];
try {
  for (const readers of readerCounts) {
    const results = new Map<string, { user: number[]; system: number[] }>();
    for (let r = 0; r < repeats; r++) {
      for (const key of apis) {
        const m = await measure(key, readers);
        const entry = results.get(key) ?? { user: [], system: [] };
        entry.user.push(m.user);
        entry.system.push(m.system);
        results.set(key, entry);
      }
    }
    for (const [key, m] of results) {
      const user = median(m.user);
      const system = median(m.system);
      rows.push(
        `| ${String(readers).padEnd(7)} | ${APIS[key].label.padEnd(34)} | ` +
          `${user.toFixed(1).padStart(11)} | ${system.toFixed(1).padStart(13)} | ` +
          `${((user + system) / readers).toFixed(3).padStart(15)} |`,
      );
    }
  }
} finally {
  await killAll();
}
console.log(
  `8,200-byte writes to each reader at 30/s on loopback; ${seconds} s windows; ` +
    `median of ${repeats}; ${navigator.hardwareConcurrency} CPUs`,
);
console.log(
  "| readers | socket API                         | user ms/s   | system ms/s   | CPU ms/reader-s |",
);
console.log(
  "|---------|------------------------------------|-------------|---------------|-----------------|",
);
for (const row of rows) console.log(row);
