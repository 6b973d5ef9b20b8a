/**
 * Everything the command line asked for, started: the RTSP server, its local sources, the ingest
 * port and the rules of published paths; and stopped again in the reverse order.
 *
 * @module
 */

import type { AccessRules } from "../auth/rights.ts";
import type { Config } from "../config/config.ts";
import type { IngestServer } from "../ingest/ingest_server.ts";
import type { Logger } from "../base/log.ts";
import { type RtspServer, serve } from "../server/server.ts";
import { readWholeFile } from "../runtime/files.ts";
import type { CliConfig, TlsFlags } from "./args.ts";
import { ingestPolicy } from "./ingest_policy.ts";
import { type ConfiguredPaths, configuredPaths, type PathEntry } from "./configured_paths.ts";
import { localSourceOf } from "./local_source_of.ts";
import type { RunningSource } from "../source/running_source.ts";
import { startLocalSources } from "../source/start_sources.ts";
import { OnDemandSource } from "../source/on_demand.ts";

/** A running rtsp-edge. */
export interface Running {
  /** The RTSP server. */
  server: RtspServer;
  /** The ingest listener, when devices may push. */
  ingest: IngestServer | undefined;
  /** What is served, a line each. */
  lines: string[];
  /** Settles when a source ends by itself (standard input closed) or fails. */
  ended: Promise<void>;
  /** Stops everything: devices, sources, then every RTSP session (TEARDOWN semantics). */
  stop(): Promise<void>;
}

/** The command line's settings, with a config file's filling in what no flag gave. */
export function mergeSettings(cli: CliConfig, file: Config | undefined): CliConfig {
  if (!file) return cli;
  const from = <T>(flag: string, own: T, configured: T | undefined): T =>
    cli.given.has(flag) || configured === undefined ? own : configured;
  const ingestPort = from("ingest-port", cli.ingest?.port ?? 8080, file.ingestPort);
  return {
    ...cli,
    port: from("port", cli.port, file.rtspPort),
    bind: from("bind", cli.bind, file.bind),
    logLevel: from("log-level", cli.logLevel, file.logLevel),
    ingest: cli.ingest
      ? { ...cli.ingest, port: ingestPort }
      : { port: ingestPort, token: undefined, jpeg: "h264" },
  };
}

/** Starts what `cli` (and the config `file`) describe. Throws, having undone what it started. */
export async function startAll(
  cli: CliConfig,
  file: Config | undefined,
  logger: Logger,
): Promise<Running> {
  const { entries, ingest: ingestRules, publish: publishRules } = planPaths(cli, file);
  const tls = cli.tls && await readTlsFiles(cli.tls);
  // On-demand paths start when a client asks for them (DESCRIBE); readers keep them running.
  const onDemand = new Map<string, OnDemandSource>();
  const server = await serve({
    tls,
    port: cli.port,
    hostname: cli.bind,
    rtpPort: cli.rtpPort,
    maxPayloadSize: cli.payloadSize,
    logger,
    publishers: (path) => cli.publish ? { replace: cli.replace } : publishRules.get(path),
    ...accessGiven(cli, file),
    // Resource caps from flags (--max-connections, --header-timeout, ...); only those given.
    ...cli.caps,
    hooks: { onDescribe: ({ path }) => onDemand.get(path)?.want() },
  });
  // With many paths, one source that cannot start (a camera not plugged in yet) is retried while
  // the others serve; a single source the command line asked for fails the start instead.
  const retry = file !== undefined;
  const plans = entries.flatMap((e) => "source" in e ? [{ ...e, retry }] : []);
  let sources: RunningSource[] = [];
  let ingest: IngestServer | undefined;
  try {
    // Adds every path's stream at once, before any file or device is opened: no await may come
    // between serve() and this call, or a reader who is quick would find no stream there.
    sources = await startLocalSources(server, plans, { logger });
    for (const s of sources) if (s instanceof OnDemandSource) onDemand.set(s.stream.path, s);
    const flagPolicy = cli.ingest && !file ? ingestPolicy(cli, cli.ingest) : undefined;
    if (flagPolicy || ingestRules.size > 0) {
      // Loaded only when devices may push: an RTSP-only server holds none of it.
      const { startIngest } = await import("../ingest/ingest_server.ts");
      ingest = await startIngest({
        rtsp: server,
        port: cli.ingest?.port ?? 8080,
        hostname: cli.bind,
        policyFor: flagPolicy ?? ((path) => ingestRules.get(path)),
        logger,
      });
    }
  } catch (error) {
    await ingest?.close();
    await Promise.all(sources.map((s) => s.stop()));
    await server.close();
    throw error;
  }
  const described = [...sources];
  const lines = entries.map((e) =>
    `${e.path}: ${"line" in e ? e.line : described.shift()!.description}`
  );
  return {
    server,
    ingest,
    lines,
    ended: Promise.race(sources.map((s) => s.ended)),
    async stop() {
      await ingest?.close();
      await Promise.all(sources.map((s) => s.stop()));
      await server.close();
    },
  };
}

/** Every path to serve, in banner order: the command line's source first, then the file's. */
function planPaths(cli: CliConfig, file: Config | undefined): ConfiguredPaths {
  const paths: ConfiguredPaths = file
    ? configuredPaths(file, cli)
    : { entries: [], ingest: new Map(), publish: new Map() };
  if (cli.source.kind !== "none" || !file) {
    const source = localSourceOf(cli.source, cli);
    const entry: PathEntry = source
      ? { path: cli.path, source, onDemand: cli.onDemand }
      : { path: "/<path>", line: "what devices and publishers send" };
    paths.entries.unshift(entry);
  }
  return paths;
}

/** The PEM text behind `--tls-cert` and `--tls-key`; a missing file or bad PEM is one sentence. */
async function readTlsFiles(flags: TlsFlags): Promise<{ port: number; cert: string; key: string }> {
  const text = new TextDecoder();
  const cert = text.decode(await readWholeFile(flags.cert));
  const key = text.decode(await readWholeFile(flags.key));
  const { tlsCredentialsProblem } = await import("../runtime/node_tls.ts");
  const problem = tlsCredentialsProblem(cert, key);
  if (problem) throw new Error(`${problem} (--tls-cert ${flags.cert}, --tls-key ${flags.key})`);
  return { port: flags.port, cert, key };
}

/**
 * Access rules from `--user`/`--auth` (every user reads and publishes every path; `--auth basic`
 * is taken as allowing Basic without TLS, since it was asked for by name) or from the config
 * file's `auth` section; the flags win. Absent when neither is given: everything stays open.
 */
export function accessGiven(cli: CliConfig, file: Config | undefined): { access?: AccessRules } {
  if (cli.auth) {
    return {
      access: {
        users: Object.fromEntries(cli.auth.users.map((u) => [u.name, { password: u.password }])),
        methods: cli.auth.methods,
        allowBasicWithoutTls: cli.auth.methods.includes("basic"),
      },
    };
  }
  return file?.auth ? { access: file.auth } : {};
}
