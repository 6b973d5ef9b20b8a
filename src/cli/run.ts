/**
 * Everything the configuration asks for, started: the RTSP server, its local sources, the ingest
 * port and the rules of published paths; and stopped again in the reverse order.
 *
 * @module
 */

import type { Config, TlsConfig } from "../config/config.ts";
import { DEFAULT_HTTP_PORT } from "../config/model.ts";
import type { IngestServer } from "../ingest/ingest_server.ts";
import type { Logger } from "../base/log.ts";
import { type RtspServer, serve } from "../server/server.ts";
import { readWholeFile } from "../runtime/files.ts";
import { type PathPlan, planPaths } from "./path_plan.ts";
import type { RunningSource } from "../source/running_source.ts";
import type { Pusher } from "../source/pusher.ts";
import { systemClock } from "../base/clock.ts";
import { stripCredentials } from "../rtsp/url.ts";
import { startLocalSources } from "../source/start_sources.ts";
import { OnDemandSource } from "../source/on_demand.ts";
import { RecentLog } from "../base/recent_log.ts";
import { StatusBoard } from "../http/status.ts";
import { statusPaths } from "./status_paths.ts";

/** A running rtsp-edge. */
export interface Running {
  /** The RTSP server. */
  server: RtspServer;
  /** The ingest listener, when devices may push. */
  ingest: IngestServer | undefined;
  /** What is served, a line each. */
  lines: string[];
  /**
   * Every path's and session's state, for the HTTP API, the metrics and the console (its log view
   * reads the latest lines of the logger given to {@link startAll}).
   */
  status: StatusBoard;
  /** Settles when a source ends by itself (standard input closed) or fails. */
  ended: Promise<void>;
  /** Stops everything: devices, sources, then every RTSP session (TEARDOWN semantics). */
  stop(): Promise<void>;
}

/** How to start. */
export interface StartOptions {
  /** Where the server and the sources log. */
  logger: Logger;
  /**
   * A local source that cannot start (a camera not plugged in yet) is retried while the other
   * paths serve, instead of failing the whole start. For a config file of many paths; a single
   * source asked for on the command line fails the start, so the mistake is seen.
   */
  retry: boolean;
}

/**
 * Opens the HTTP port (console, API, metrics, device pushes). When nothing needs it (no device
 * pushes) and the default port is taken, the server runs without it rather than not at all: 8080
 * is a busy number, and RTSP is the job.
 */
async function startHttp(
  config: Config,
  server: RtspServer,
  plan: PathPlan,
  logger: Logger,
  status: StatusBoard,
): Promise<IngestServer | undefined> {
  const { startWeb } = await import("./web.ts");
  try {
    return await startWeb({ config, server, policyFor: plan.ingest, logger, status });
  } catch (error) {
    const message = (error as Error).message;
    const optional = !plan.ingesting && config.httpPort === DEFAULT_HTTP_PORT;
    if (!optional || !message.endsWith("the port is in use")) throw error;
    logger.log("warn", `the console is not served: ${message}; choose a port with --http-port`);
    return undefined;
  }
}

/** Starts what `config` describes. Throws, having undone what it started. */
export async function startAll(config: Config, options: StartOptions): Promise<Running> {
  const { retry } = options;
  // Every line still goes where it went; the latest are kept for the console's log view.
  const logger = new RecentLog(options.logger);
  const plan = planPaths(config);
  const tls = config.tls && await readTlsFiles(config.tls);
  const { limits } = config;
  // On-demand paths start when a client asks for them (DESCRIBE); readers keep them running.
  const onDemand = new Map<string, OnDemandSource>();
  const server = await serve({
    tls,
    port: config.rtspPort,
    hostname: config.bind,
    rtpPort: config.rtpPort,
    maxPayloadSize: config.payloadSize,
    logger,
    publishers: plan.publish,
    ...(config.auth ? { access: config.auth } : {}),
    maxConnections: limits.maxConnections,
    maxConnectionsPerIp: limits.maxConnectionsPerIp,
    maxSessions: limits.maxSessions,
    maxSessionsPerIp: limits.maxSessionsPerIp,
    headerTimeout: limits.headerTimeout / 1000,
    sessionTimeout: limits.sessionTimeout / 1000,
    maxQueueBytes: limits.queueBytes,
    hooks: { onDescribe: ({ path }) => onDemand.get(path)?.want() },
  });
  const plans = plan.entries.flatMap((e) => "source" in e ? [{ ...e, retry }] : []);
  let sources: RunningSource[] = [];
  let pushers: Pusher[] = [];
  let status: StatusBoard | undefined;
  let ingest: IngestServer | undefined;
  try {
    // Adds every path's stream at once, before any file or device is opened: no await may come
    // between serve() and this call, or a reader who is quick would find no stream there.
    sources = await startLocalSources(server, plans, { logger });
    for (const s of sources) if (s instanceof OnDemandSource) onDemand.set(s.stream.path, s);
    // Push targets: each path's frames go to its servers, kept up with backoff.
    if (plan.pushes.length > 0) pushers = await startPushers(server, plan.pushes, logger);
    status = new StatusBoard({
      server,
      ...statusPaths(plan.entries, sources),
      pushers,
      clock: systemClock,
      log: logger,
    });
    ingest = await startHttp(config, server, plan, logger, status);
  } catch (error) {
    status?.close();
    await ingest?.close();
    await Promise.all(pushers.map((p) => p.stop()));
    await Promise.all(sources.map((s) => s.stop()));
    await server.close();
    throw error;
  }
  const described = [...sources];
  const pushedTo = (path: string) => {
    const targets = plan.pushes.filter((p) => p.path === path).map((p) => stripCredentials(p.url));
    return targets.length === 0 ? "" : `; pushed to ${targets.join(", ")}`;
  };
  const lines = plan.entries.map((e) =>
    `${e.path}: ${"line" in e ? e.line : described.shift()!.description}${pushedTo(e.path)}`
  );
  const board = status;
  return {
    server,
    ingest,
    lines,
    status: board,
    ended: Promise.race(sources.map((s) => s.ended)),
    async stop() {
      board.close();
      await Promise.all(pushers.map((p) => p.stop()));
      await ingest?.close();
      await Promise.all(sources.map((s) => s.stop()));
      await server.close();
    },
  };
}

/** A pusher per target of every path that has `push`; the client is loaded only for them. */
async function startPushers(
  server: RtspServer,
  pushes: readonly { path: string; url: string; transport: "tcp" | "udp" }[],
  logger: Logger,
): Promise<Pusher[]> {
  const { pushRtsp } = await import("../client/push.ts");
  const { Pusher } = await import("../source/pusher.ts");
  return pushes.map(({ path, url, transport }) =>
    new Pusher({
      path,
      url,
      start: () => pushRtsp(server, path, { url, transport, logger }),
      ready: () => server.getStream(path) !== undefined,
      logger,
      clock: systemClock,
    })
  );
}

/** The PEM text behind `--tls-cert` and `--tls-key`; a missing file or bad PEM is one sentence. */
async function readTlsFiles(tls: TlsConfig): Promise<{ port: number; cert: string; key: string }> {
  const text = new TextDecoder();
  const cert = text.decode(await readWholeFile(tls.cert));
  const key = text.decode(await readWholeFile(tls.key));
  const { tlsCredentialsProblem } = await import("../runtime/node_tls.ts");
  const problem = tlsCredentialsProblem(cert, key);
  if (problem) throw new Error(`${problem} (certificate ${tls.cert}, key ${tls.key})`);
  return { port: tls.port, cert, key };
}
