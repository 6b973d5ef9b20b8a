/**
 * `/metrics`: the server's state in the Prometheus text format, named by Prometheus conventions
 * (`rtsp_edge_` prefix, base units, counters ending in `_total`): per path its readers, traffic,
 * source state and reconnects; sessions by transport; the server's counters (refusals, timeouts,
 * auth failures, bad packets); and the standard `process_*` figures.
 *
 * @module
 */

import type { SourceStateName } from "../base/source_status.ts";
import { type MemoryStats, type ProcessStats, processStats } from "../runtime/process_stats.ts";
import { Exposition, EXPOSITION_CONTENT_TYPE } from "./exposition.ts";
import type { WebRoutes } from "./routes.ts";
import type { StatusBoard } from "./status.ts";

const STATES: readonly SourceStateName[] = [
  "streaming",
  "waiting",
  "connecting",
  "backing-off",
  "idle",
  "stopped",
];

/** Settings of {@link metricsRoute}. */
export interface MetricsOptions {
  /** The process figures (default: this process's, from `node:process`). */
  process?: () => ProcessStats;
}

/** The `metrics` route of {@link WebRoutes}: the exposition of `board`'s server, on GET. */
export function metricsRoute(
  board: StatusBoard,
  options: MetricsOptions = {},
): NonNullable<WebRoutes["metrics"]> {
  const figures = options.process ?? processStats;
  return (request) => {
    if (request.method !== "GET" && request.method !== "HEAD") {
      return new Response("use GET\n", {
        status: 405,
        headers: { Allow: "GET, HEAD", "Content-Type": "text/plain; charset=utf-8" },
      });
    }
    return new Response(writeMetrics(board, figures()), {
      headers: { "Content-Type": EXPOSITION_CONTENT_TYPE, "Cache-Control": "no-store" },
    });
  };
}

/** The exposition text of `board`'s server and this process. */
export function writeMetrics(board: StatusBoard, process: ProcessStats): string {
  const out = new Exposition();
  writePaths(out, board);
  writeEncoders(out, board);
  writeServer(out, board);
  writeMemory(out, process.memory);
  out.metric(
    "process_cpu_seconds_total",
    "counter",
    "User and system CPU time spent.",
    process.cpuSeconds,
  );
  out.metric(
    "process_resident_memory_bytes",
    "gauge",
    "Resident memory size.",
    process.residentBytes,
  );
  out.metric(
    "process_start_time_seconds",
    "gauge",
    "Start time of the process since the Unix epoch.",
    process.startTimeSeconds,
  );
  return out.text();
}

function writePaths(out: Exposition, board: StatusBoard): void {
  const counters = new Map(board.server.paths().map((p) => [p.path.slice(1), p]));
  out.family(
    "rtsp_edge_path_info",
    "gauge",
    "1 for each path, with what feeds it, its codec and its audio.",
  );
  out.family("rtsp_edge_path_source_state", "gauge", "1 for the state the path's source is in.");
  out.family("rtsp_edge_path_ready", "gauge", "Whether frames flow on the path (1) or not (0).");
  out.family("rtsp_edge_path_readers", "gauge", "Readers of the path (RTSP sessions and taps).");
  out.family("rtsp_edge_path_frames_in_total", "counter", "Frames the path's source delivered.");
  out.family("rtsp_edge_path_bytes_in_total", "counter", "Payload bytes the source delivered.");
  out.family("rtsp_edge_path_frames_out_total", "counter", "Frames sent to the path's readers.");
  out.family("rtsp_edge_path_bytes_out_total", "counter", "RTP bytes sent to the path's readers.");
  out.family(
    "rtsp_edge_path_frames_dropped_total",
    "counter",
    "Frames not sent to readers that had fallen behind.",
  );
  out.family("rtsp_edge_path_reconnects_total", "counter", "Source attempts after a failure.");
  out.family(
    "rtsp_edge_path_gop_cache_bytes",
    "gauge",
    "Bytes of the frames kept since the latest keyframe, for readers who join.",
  );
  out.family("rtsp_edge_ingest_frames_total", "counter", "Frames devices pushed to the path.");
  out.family("rtsp_edge_publisher_frames_total", "counter", "Frames RTSP publishers recorded.");
  out.family("rtsp_edge_push_up", "gauge", "Whether a push target is being pushed to (1) or not.");
  for (const p of board.paths()) {
    const path = { path: p.name };
    const c = counters.get(p.name);
    out.sample("rtsp_edge_path_info", 1, {
      ...path,
      source: p.source.type,
      codec: p.codec ?? "",
      audio: p.audio ?? "",
    });
    for (const state of STATES) {
      out.sample("rtsp_edge_path_source_state", p.state === state ? 1 : 0, { ...path, state });
    }
    out.sample("rtsp_edge_path_ready", p.ready ? 1 : 0, path);
    out.sample("rtsp_edge_path_readers", p.readers.length, path);
    out.sample("rtsp_edge_path_frames_in_total", p.framesIn, path);
    out.sample("rtsp_edge_path_bytes_in_total", p.bytesIn, path);
    out.sample("rtsp_edge_path_frames_out_total", c?.framesOut ?? 0, path);
    out.sample("rtsp_edge_path_bytes_out_total", p.bytesOut, path);
    out.sample("rtsp_edge_path_frames_dropped_total", p.framesDropped, path);
    out.sample("rtsp_edge_path_reconnects_total", p.reconnects, path);
    out.sample("rtsp_edge_path_gop_cache_bytes", c?.gopCacheBytes ?? 0, path);
    if (p.source.type === "ingest") out.sample("rtsp_edge_ingest_frames_total", p.framesIn, path);
    if (p.source.type === "publisher") {
      out.sample("rtsp_edge_publisher_frames_total", p.framesIn, path);
    }
    for (const push of p.pushes) {
      out.sample("rtsp_edge_push_up", push.state === "streaming" ? 1 : 0, {
        ...path,
        target: push.url,
      });
    }
  }
}

function writeEncoders(out: Exposition, board: StatusBoard): void {
  out.family("rtsp_edge_encoder_frames_total", "counter", "Frames handed to a path's encoder.");
  out.family(
    "rtsp_edge_encoder_dropped_frames_total",
    "counter",
    "Frames dropped because the encoder was still busy (it keeps no queue).",
  );
  out.family("rtsp_edge_encoder_failed_frames_total", "counter", "Frames the encoder failed on.");
  out.family(
    "rtsp_edge_encoder_wasm_memory_bytes",
    "gauge",
    "WebAssembly memory of the path's encoder (OpenH264, and its JPEG decoder once made).",
  );
  out.family(
    "rtsp_edge_encoder_worker_heap_bytes",
    "gauge",
    "JavaScript heap of the encoder's Worker, in use and reserved.",
  );
  for (const { name, encoder } of board.encoders()) {
    const path = { path: name };
    out.sample("rtsp_edge_encoder_frames_total", encoder.encoded, path);
    out.sample("rtsp_edge_encoder_dropped_frames_total", encoder.dropped, path);
    out.sample("rtsp_edge_encoder_failed_frames_total", encoder.failed, path);
    const memory = encoder.memory;
    if (memory === undefined) continue;
    out.sample("rtsp_edge_encoder_wasm_memory_bytes", memory.wasmBytes, path);
    if (memory.workerHeapUsedBytes !== undefined) {
      out.sample("rtsp_edge_encoder_worker_heap_bytes", memory.workerHeapUsedBytes, {
        ...path,
        kind: "used",
      });
    }
    if (memory.workerHeapTotalBytes !== undefined) {
      out.sample("rtsp_edge_encoder_worker_heap_bytes", memory.workerHeapTotalBytes, {
        ...path,
        kind: "total",
      });
    }
  }
}

/** The process's memory by kind: what {@link MemoryStats} tells, where the runtime tells it. */
function writeMemory(out: Exposition, memory: MemoryStats | undefined): void {
  if (!memory) return;
  out.family(
    "rtsp_edge_memory_bytes",
    "gauge",
    "The server's memory by kind: resident anonymous and file-backed pages (Linux), the main " +
      "thread's JavaScript heap in use and reserved, and ArrayBuffers and other memory outside it.",
  );
  const kinds: [string, number | undefined][] = [
    ["resident_anonymous", memory.residentAnonymousBytes],
    ["resident_file", memory.residentFileBytes],
    ["heap_used", memory.heapUsedBytes],
    ["heap_total", memory.heapTotalBytes],
    ["array_buffers", memory.arrayBufferBytes],
    ["external", memory.externalBytes],
  ];
  for (const [kind, value] of kinds) {
    if (value !== undefined) out.sample("rtsp_edge_memory_bytes", value, { kind });
  }
}

/** ServerStats counters, by the name each goes out as, with its help. */
const SERVER_COUNTERS = [
  ["refusedConnections", "rtsp_edge_refused_connections_total", "Connections refused at a cap."],
  ["timedOutSessions", "rtsp_edge_timed_out_sessions_total", "Sessions ended by timeout."],
  [
    "stalledConnections",
    "rtsp_edge_stalled_connections_total",
    "Connections closed for not reading their data.",
  ],
  ["slowRequests", "rtsp_edge_slow_requests_total", "Connections closed for a slow request."],
  ["authFailures", "rtsp_edge_auth_failures_total", "Requests denied by access control."],
  ["badRtcp", "rtsp_edge_bad_rtcp_packets_total", "Malformed RTCP packets received."],
  ["badRtp", "rtsp_edge_bad_rtp_packets_total", "Publishers' RTP packets dropped as bad."],
  [
    "droppedAccessUnits",
    "rtsp_edge_dropped_access_units_total",
    "Publishers' access units dropped (loss, bad payload, size).",
  ],
  ["framesDropped", "rtsp_edge_frames_dropped_total", "Frames not sent to lagging readers."],
  ["strayDatagrams", "rtsp_edge_stray_datagrams_total", "UDP datagrams from no publisher."],
] as const;

function writeServer(out: Exposition, board: StatusBoard): void {
  const stats = board.server.stats;
  out.metric("rtsp_edge_connections", "gauge", "Open RTSP connections.", stats.connections);
  const byTransport = new Map<string, number>([["tcp", 0], ["udp", 0], ["tap", 0]]);
  for (const s of board.sessions()) {
    const transport = s.transport ?? "none";
    byTransport.set(transport, (byTransport.get(transport) ?? 0) + 1);
  }
  out.family("rtsp_edge_sessions", "gauge", "Live sessions and taps, by how media goes.");
  for (const [transport, count] of byTransport) {
    out.sample("rtsp_edge_sessions", count, { transport });
  }
  for (const [key, name, help] of SERVER_COUNTERS) out.metric(name, "counter", help, stats[key]);
}
