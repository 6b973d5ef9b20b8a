/**
 * `/snapshot/<path>.jpg`: the newest picture of a path as a JPEG, for Home Assistant's Generic
 * Camera, a link or a dashboard. `?width=` scales it down. Refusals are the snapshot engine's own
 * (400 bad width, 404 no such path, 503 no picture yet), with its one-line reason.
 *
 * @module
 */

import type { RtspServer } from "../server/server.ts";
import { SnapshotError, Snapshots } from "../snapshot/snapshots.ts";
import type { WebRoutes } from "./routes.ts";

/** The route, and a way to close the taps and the Worker behind it. */
export interface SnapshotRoute {
  /** The function the router calls. */
  route: NonNullable<WebRoutes["snapshot"]>;
  /** Closes every tap and the decoder Worker. */
  close(): Promise<void>;
}

/** Makes the snapshot route of `server`. */
export function snapshotRoute(server: RtspServer): SnapshotRoute {
  const snapshots = new Snapshots({ server });
  return {
    route: async (path, url) => {
      const width = url.searchParams.get("width");
      let jpeg: Uint8Array;
      try {
        jpeg = await snapshots.take(path, {
          ...(width === null ? {} : { width: /^\d{1,5}$/.test(width) ? Number(width) : NaN }),
        });
      } catch (error) {
        if (!(error instanceof SnapshotError)) throw error;
        return new Response(`${error.message}\n`, {
          status: error.status,
          headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
        });
      }
      return new Response(jpeg as Uint8Array<ArrayBuffer>, {
        headers: { "content-type": "image/jpeg", "cache-control": "no-store" },
      });
    },
    close: () => snapshots.close(),
  };
}
