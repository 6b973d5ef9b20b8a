/**
 * The snapshot Worker: decodes the watched paths' H.264 and encodes JPEGs off the main thread, so
 * decoding a GOP at 1080p never stalls the RTSP fan-out. Answers the messages of `protocol.ts` in
 * order (a snapshot shows every access unit sent before it).
 *
 * @module
 */

/// <reference lib="deno.worker" />

import { dispatcher } from "./dispatch.ts";
import type { SnapshotRequest } from "./protocol.ts";

const dispatch = dispatcher(
  (message, transfer) => self.postMessage(message, transfer),
  () => self.close(),
);
self.onmessage = (event: MessageEvent<SnapshotRequest>) => dispatch(event.data);
