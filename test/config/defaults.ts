/** The model of a configuration that sets nothing: what flags and files fill in. For tests. */
import type { Config } from "../../src/config/config.ts";

/** Every top-level default, no paths. */
export const DEFAULTS: Config = {
  rtspPort: 8554,
  bind: "0.0.0.0",
  rtpPort: 0,
  payloadSize: 1400,
  logLevel: "info",
  httpPort: 8080,
  limits: {
    maxConnections: 1024,
    maxConnectionsPerIp: 128,
    maxSessions: 1024,
    maxSessionsPerIp: 128,
    headerTimeout: 10_000,
    sessionTimeout: 60_000,
    queueBytes: 8 * 1024 * 1024,
  },
  paths: {},
};
