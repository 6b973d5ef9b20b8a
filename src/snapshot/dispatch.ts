/**
 * Answers the snapshot protocol's requests with a {@link SnapshotCore}, one after another: the
 * Worker's message loop, and the in-thread fallback where no Worker exists.
 *
 * @module
 */

import type { SnapshotRequest, SnapshotResponse } from "./protocol.ts";
import { NoPictureError, SnapshotCore } from "./snapshot_core.ts";

/** Sends one answer, with the buffers to transfer. */
export type Reply = (message: SnapshotResponse, transfer: ArrayBuffer[]) => void;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A function taking requests in the order they come and answering each through `reply`, in the
 * same order, also across the awaits of a first decoder's or encoder's start. `onClose` runs after
 * a `close` request has freed everything.
 */
export function dispatcher(reply: Reply, onClose: () => void): (m: SnapshotRequest) => void {
  const core = new SnapshotCore();
  let queue = Promise.resolve();
  const handle = async (m: SnapshotRequest): Promise<void> => {
    switch (m.type) {
      case "decode":
        try {
          const picture = await core.decode(m.slot, m.data);
          reply({ type: "decoded", slot: m.slot, picture }, []);
        } catch (error) {
          reply({ type: "decoded", slot: m.slot, picture: false, error: messageOf(error) }, []);
        }
        break;
      case "snapshot":
      case "transcode":
        try {
          const out = m.type === "snapshot"
            ? await core.snapshot(m.slot, m.quality, m.width)
            : await core.transcode(m.jpeg, m.quality, m.width);
          reply({ type: "jpeg", id: m.id, ...out }, [out.data.buffer as ArrayBuffer]);
        } catch (error) {
          const noPicture = error instanceof NoPictureError;
          reply({ type: "error", id: m.id, message: messageOf(error), noPicture }, []);
        }
        break;
      case "release":
        core.release(m.slot);
        break;
      case "close":
        core.close();
        onClose();
        break;
    }
  };
  return (m) => {
    queue = queue.then(() => handle(m));
  };
}
