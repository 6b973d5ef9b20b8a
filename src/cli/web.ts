/**
 * The HTTP port of a running rtsp-edge, put together: the routes of the console, API, metrics,
 * snapshots and preview over what is running, behind the access check, on the listener that also
 * takes device pushes. Loaded only when the port is opened.
 *
 * @module
 */

import type { Config } from "../config/model.ts";
import type { Logger } from "../base/log.ts";
import { systemClock } from "../base/clock.ts";
import type { RtspServer } from "../server/server.ts";
import { resolveAccess } from "../auth/rights.ts";
import { type IngestServer, startIngest } from "../ingest/ingest_server.ts";
import type { IngestPathPolicy } from "../ingest/ingest_request.ts";
import { consolePage } from "../http/console_page.ts";
import { CONSOLE_SCRIPT } from "../http/console_script.ts";
import { makeRouter } from "../http/router.ts";
import type { WebRoutes } from "../http/routes.ts";
import { WebAuth } from "../http/web_auth.ts";
import { apiRoute } from "../http/api.ts";
import { metricsRoute } from "../http/metrics.ts";
import { previewRoute } from "../http/preview.ts";
import { playPage } from "../http/player_page.ts";
import { playerAsset } from "../http/player_script.ts";
import { snapshotRoute } from "../http/snapshot_route.ts";
import type { StatusBoard } from "../http/status.ts";

/** What the HTTP port serves from. */
export interface WebParts {
  /** The configuration run. */
  config: Config;
  /** The RTSP server. */
  server: RtspServer;
  /** The rules of each ingest path (undefined: not one). */
  policyFor: (path: string) => IngestPathPolicy | undefined;
  /** Where requests refused and failures are told. */
  logger: Logger;
  /** What the console, API and metrics report. */
  status: StatusBoard;
}

/** The routes, and what must be closed with them. */
export interface Web {
  /** What the router calls. */
  routes: WebRoutes;
  /** Frees what the routes hold (snapshot taps and their Worker). */
  close(): Promise<void>;
}

/** The routes of the HTTP port over `parts`. */
export function webRoutes(parts: WebParts): Web {
  const { config, server, logger, status } = parts;
  const facts = {
    rtspPort: server.port,
    ...(server.tlsPort === undefined ? {} : { rtspsPort: server.tlsPort }),
    auth: config.auth !== undefined,
  };
  const snapshots = snapshotRoute(server);
  const routes: WebRoutes = {
    console: () => consolePage(facts),
    api: apiRoute(status),
    metrics: metricsRoute(status),
    snapshot: snapshots.route,
    play: playPage,
    preview: previewRoute({ server, logger }),
    asset(name) {
      if (name !== "console.js") return playerAsset(name);
      return new Response(CONSOLE_SCRIPT, {
        headers: {
          "content-type": "text/javascript; charset=utf-8",
          "cache-control": "no-cache",
        },
      });
    },
  };
  return { routes, close: () => snapshots.close() };
}

/** Opens the HTTP port. Throws when its port cannot be had, in one sentence. */
export async function startWeb(parts: WebParts): Promise<IngestServer> {
  const { config, logger } = parts;
  const auth = new WebAuth(config.auth ? resolveAccess(config.auth) : undefined, {
    now: () => systemClock.now(),
    ...(config.auth?.metricsOpenTo ? { metricsOpenTo: config.auth.metricsOpenTo } : {}),
    ...(config.auth?.apiOpenTo ? { apiOpenTo: config.auth.apiOpenTo } : {}),
  });
  const web = webRoutes(parts);
  let http: IngestServer;
  try {
    http = await startIngest({
      rtsp: parts.server,
      port: config.httpPort,
      hostname: config.bind,
      policyFor: parts.policyFor,
      logger,
      web: makeRouter(web.routes, auth, logger),
    });
  } catch (error) {
    await web.close();
    throw error;
  }
  return {
    get port() {
      return http.port;
    },
    get connections() {
      return http.connections;
    },
    sweep: () => http.sweep(),
    async close() {
      await http.close();
      await web.close();
    },
  };
}
