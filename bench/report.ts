/**
 * The fan-out benchmark's figures: one {@link Point} per run, merged across repeats, printed as a
 * table.
 *
 * @module
 */

/**
 * Which server a point measured: rtsp-edge under `deno run`, rtsp-edge compiled by Bun (the
 * binary), or gst-rtsp-server.
 */
export type ServerKind = "deno" | "binary" | "gst";

/** How the table names each server; `runtimes` adds the version each rtsp-edge process reported. */
function serverName(kind: ServerKind, runtimes: Partial<Record<ServerKind, string>> = {}): string {
  if (kind === "gst") return "gst-rtsp-server";
  const how = kind === "deno" ? "deno run" : "binary";
  return `rtsp-edge, ${how}${runtimes[kind] ? ` (${runtimes[kind]})` : ""}`;
}

/** p50, p99 and max of some delays, in ms, and how many values. */
export interface Spread {
  /** Median. */
  p50: number;
  /** 99th percentile. */
  p99: number;
  /** Largest. */
  max: number;
  /** Values. */
  n: number;
}

/** Figures of one run: one server, one number of clients. */
export interface Point {
  /** The server measured. */
  server: ServerKind;
  /** Clients asked for. */
  clients: number;
  /** Clients whose PLAY succeeded. */
  playing: number;
  /** Length of the measured window, s. */
  seconds: number;
  /** Server CPU seconds in the window (user + system, all threads). */
  serverCpu: number;
  /** Share of the server's CPU time spent in the kernel (stime / (utime + stime)). */
  serverSystemShare: number;
  /** Server CPU ms per client-second: serverCpu × 1000 / (playing × seconds). */
  cpuMsPerClientSecond: number;
  /** CPU of all client processes in the window, % of one core. */
  clientCpuPercent: number;
  /** Frames the server sent in the window (each client should get all of them). */
  framesExpected: number;
  /** Sum over clients of frames expected but not received whole. */
  framesDropped: number;
  /** Clients that missed at least one frame. */
  clientsWithDrops: number;
  /** Client connections found closed at the end. */
  closedClients: number;
  /** rtsp-edge only: sendFrame → last reader's write completed, in the server process. */
  inServer?: Spread;
  /** rtsp-edge only: sendFrame → each write completed. */
  perWrite?: Spread;
  /** rtsp-edge only: how long each sendFrame call ran (the fan-out loop). */
  sendFrame?: Spread;
  /** rtsp-edge only: the server's own Reader counters, summed over the sessions at their end. */
  readerCounters?: { sessions: number; framesSent: number; framesDropped: number };
  /** rtsp-edge only: frames of the window the server did not write to some reader. */
  serverSkipped?: number;
  /** Sent (before sendFrame / payloader output) → access unit complete in the client. */
  clientObserved: Spread;
  /** Mean bit rate of the clip, bit/s. */
  bitrate: number;
  /** Anything unusual. */
  notes: string[];
  /** CPU ms per client-second of each repeat (merged points only). */
  cpuRuns?: number[];
}

const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  return s.length === 0
    ? NaN
    : s.length % 2
    ? s[(s.length - 1) / 2]
    : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function mergeSpread(spreads: (Spread | undefined)[]): Spread | undefined {
  const s = spreads.filter((x): x is Spread => x !== undefined);
  if (s.length === 0) return undefined;
  return {
    p50: median(s.map((x) => x.p50)),
    p99: median(s.map((x) => x.p99)),
    max: Math.max(...s.map((x) => x.max)),
    n: s.reduce((n, x) => n + x.n, 0),
  };
}

/**
 * Merges the repeats of each (server, clients) pair: medians for CPU and delay percentiles, the
 * largest max, sums for frame counts.
 */
export function mergeRepeats(points: Point[]): Point[] {
  const groups = new Map<string, Point[]>();
  for (const p of points) {
    const key = `${p.clients}/${p.server}`;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  return [...groups.values()].map((g) => {
    if (g.length === 1) return { ...g[0], cpuRuns: [g[0].cpuMsPerClientSecond] };
    const sum = (f: (p: Point) => number) => g.reduce((n, p) => n + f(p), 0);
    const counters = g.every((p) => p.readerCounters)
      ? {
        sessions: sum((p) => p.readerCounters!.sessions),
        framesSent: sum((p) => p.readerCounters!.framesSent),
        framesDropped: sum((p) => p.readerCounters!.framesDropped),
      }
      : undefined;
    return {
      ...g[0],
      playing: Math.min(...g.map((p) => p.playing)),
      seconds: sum((p) => p.seconds) / g.length,
      serverCpu: median(g.map((p) => p.serverCpu)),
      serverSystemShare: median(g.map((p) => p.serverSystemShare)),
      cpuMsPerClientSecond: median(g.map((p) => p.cpuMsPerClientSecond)),
      clientCpuPercent: median(g.map((p) => p.clientCpuPercent)),
      framesExpected: sum((p) => p.framesExpected),
      framesDropped: sum((p) => p.framesDropped),
      clientsWithDrops: sum((p) => p.clientsWithDrops),
      closedClients: sum((p) => p.closedClients),
      inServer: mergeSpread(g.map((p) => p.inServer)),
      perWrite: mergeSpread(g.map((p) => p.perWrite)),
      sendFrame: mergeSpread(g.map((p) => p.sendFrame)),
      readerCounters: counters,
      serverSkipped: g.some((p) => p.serverSkipped !== undefined)
        ? sum((p) => p.serverSkipped ?? 0)
        : undefined,
      clientObserved: mergeSpread(g.map((p) => p.clientObserved))!,
      notes: [...new Set(g.flatMap((p) => p.notes))],
      cpuRuns: g.map((p) => p.cpuMsPerClientSecond),
    };
  });
}

// Figures come through JSON, where NaN (no value) turns into null.
const f = (v: number | null | undefined, d = 2) =>
  v === undefined || v === null || Number.isNaN(v) ? "-" : v.toFixed(d);

/** Prints the table (Markdown) and, per point, what did not fit in it. */
export function printTable(
  points: Point[],
  repeats: number,
  runtimes: Partial<Record<ServerKind, string>> = {},
): void {
  const header = [
    "clients",
    "server",
    "CPU ms/client-s",
    "server CPU %",
    "client CPU %",
    "frames dropped",
    "delay p50/p99/max ms",
    "delay measured",
    "client-observed p50/p99/max ms",
    "CPU ratio vs gst",
  ];
  const rows: string[][] = [];
  for (const p of points) {
    const gst = points.find((q) => q.server === "gst" && q.clients === p.clients);
    const edge = points.find((q) => q.server !== "gst" && q.clients === p.clients);
    const ratio = p.server !== "gst" && gst
      ? f(p.cpuMsPerClientSecond / gst.cpuMsPerClientSecond)
      : p.server === "gst" && edge
      ? "(base)"
      : "-";
    const d = p.inServer ?? p.clientObserved;
    const c = p.clientObserved;
    const runs = (p.cpuRuns ?? []).length > 1
      ? ` (${f(Math.min(...p.cpuRuns!), 3)}–${f(Math.max(...p.cpuRuns!), 3)})`
      : "";
    rows.push([
      p.playing === p.clients ? String(p.clients) : `${p.playing}/${p.clients}`,
      serverName(p.server, runtimes),
      f(p.cpuMsPerClientSecond, 3) + runs,
      f((p.serverCpu / p.seconds) * 100, 0),
      f(p.clientCpuPercent, 0),
      `${p.framesDropped} / ${p.framesExpected * p.playing}`,
      `${f(d.p50)} / ${f(d.p99)} / ${f(d.max)}`,
      p.inServer ? "in server" : "client-observed",
      `${f(c.p50)} / ${f(c.p99)} / ${f(c.max)}`,
      ratio,
    ]);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    "| " + cells.map((c, i) => c.padEnd(widths[i])).join(" | ") + " |";
  if (repeats > 1) {
    console.log(`median of ${repeats} runs per row (CPU range in brackets); drops summed`);
  }
  console.log(line(header));
  console.log("|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|");
  for (const r of rows) console.log(line(r));
  for (const p of points) {
    const extra: string[] = [...p.notes];
    extra.push(`${f(p.serverSystemShare * 100, 0)}% of server CPU in the kernel`);
    if (p.serverSkipped !== undefined && p.serverSkipped > 0) {
      extra.push(`server did not write ${p.serverSkipped} reader-frames`);
    }
    if (p.readerCounters) {
      const r = p.readerCounters;
      extra.push(
        `server's reader counters over ${r.sessions} whole sessions: ` +
          `${r.framesSent} frames sent, ${r.framesDropped} dropped`,
      );
    }
    if (p.closedClients > 0) extra.push(`${p.closedClients} client connections were closed`);
    if (p.perWrite) {
      const w = p.perWrite;
      extra.push(`per-write delay p50/p99/max ${f(w.p50)} / ${f(w.p99)} / ${f(w.max)} ms`);
    }
    if (p.sendFrame) {
      const s = p.sendFrame;
      extra.push(`sendFrame ran p50/p99/max ${f(s.p50)} / ${f(s.p99)} / ${f(s.max)} ms`);
    }
    if (p.clientsWithDrops > 0) extra.push(`${p.clientsWithDrops} clients missed frames`);
    console.log(`  ${p.server} ${p.clients}: ${extra.join("; ")}`);
  }
}

/** The targets of issue 14, by number of readers. */
const TARGETS = {
  /** CPU per reader at most this share of gst-rtsp-server's (at 100 and 500 readers). */
  cpuRatio: { clients: [100, 500], max: 0.6 },
  /** In-server delay p99, ms. */
  p99: new Map([[100, 5], [500, 10]]),
} as const;

/**
 * Prints, per rtsp-edge runtime and number of readers, what the targets are about: CPU per reader
 * against gst-rtsp-server's at the same number, the in-server delay, frames dropped; each with
 * whether it meets its target (✓/✗), where there is one.
 */
export function printSummary(
  points: Point[],
  runtimes: Partial<Record<ServerKind, string>> = {},
): void {
  const mark = (ok: boolean | undefined) => ok === undefined ? "" : ok ? " ✓" : " ✗";
  const header = ["runtime", "readers", "CPU ratio vs gst", "in-server p50 / p99 ms", "dropped"];
  const rows: string[][] = [];
  for (const kind of ["deno", "binary"] as const) {
    for (const p of points.filter((q) => q.server === kind)) {
      const gst = points.find((q) => q.server === "gst" && q.clients === p.clients);
      const ratio = gst ? p.cpuMsPerClientSecond / gst.cpuMsPerClientSecond : undefined;
      const cpuTarget = (TARGETS.cpuRatio.clients as readonly number[]).includes(p.clients);
      const p99Max = TARGETS.p99.get(p.clients);
      const d = p.inServer;
      rows.push([
        serverName(kind, runtimes),
        String(p.clients),
        ratio === undefined
          ? "-"
          : f(ratio) + mark(cpuTarget ? ratio <= TARGETS.cpuRatio.max : undefined),
        d ? `${f(d.p50)} / ${f(d.p99)}${mark(p99Max ? d.p99 <= p99Max : undefined)}` : "-",
        `${p.framesDropped}${mark(p.framesDropped === 0)}`,
      ]);
    }
  }
  if (rows.length === 0) return;
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    "| " + cells.map((c, i) => c.padEnd(widths[i])).join(" | ") + " |";
  console.log(line(header));
  console.log("|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|");
  for (const r of rows) console.log(line(r));
  console.log(
    `targets: CPU ratio <= ${TARGETS.cpuRatio.max} at ${TARGETS.cpuRatio.clients.join(" and ")} ` +
      `readers; in-server p99 <= ${
        [...TARGETS.p99].map(([n, ms]) => `${ms} ms at ${n}`).join(", ")
      }; no frame dropped at any number of readers`,
  );
}
