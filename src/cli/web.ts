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
}

/** The routes of the HTTP port over `parts`. */
export function webRoutes(parts: WebParts): WebRoutes {
  const { config, server } = parts;
  const facts = {
    rtspPort: server.port,
    ...(server.tlsPort === undefined ? {} : { rtspsPort: server.tlsPort }),
    auth: config.auth !== undefined,
  };
  const assets: Record<string, string> = { "console.js": CONSOLE_SCRIPT };
  return {
    console: () => consolePage(facts),
    asset(name) {
      const source = assets[name];
      if (source === undefined) return undefined;
      return new Response(source, {
        headers: {
          "content-type": "text/javascript; charset=utf-8",
          "cache-control": "no-cache",
        },
      });
    },
  };
}

/** Opens the HTTP port. Throws when its port cannot be had, in one sentence. */
export function startWeb(parts: WebParts): Promise<IngestServer> {
  const { config, logger } = parts;
  const auth = new WebAuth(config.auth ? resolveAccess(config.auth) : undefined, {
    now: () => systemClock.now(),
    ...(config.auth?.metricsOpenTo ? { metricsOpenTo: config.auth.metricsOpenTo } : {}),
    ...(config.auth?.apiOpenTo ? { apiOpenTo: config.auth.apiOpenTo } : {}),
  });
  return startIngest({
    rtsp: parts.server,
    port: config.httpPort,
    hostname: config.bind,
    policyFor: parts.policyFor,
    logger,
    web: makeRouter(webRoutes(parts), auth, logger),
  });
}
