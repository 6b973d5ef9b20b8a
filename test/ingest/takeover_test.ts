// A restarted device takes its path from its own old connection once that has gone silent, and a
// push while the holder still sends is refused with a reason that says how to allow takeover.
// Real sockets to the real ingest server; the silence is measured on a ManualClock the test moves.
import assert from "node:assert/strict";
import { busyReason, SILENT_HOLDER_MS, takeoverOf } from "../../src/ingest/takeover.ts";
import { POLICY, postAccessUnit, RawUpload, startClockedRig, until } from "./_server_rig.ts";

const serverTest = (name: string, fn: () => Promise<void>) =>
  Deno.test({ name, sanitizeOps: false, sanitizeResources: false, fn });

Deno.test("takeoverOf() takes over from a holder silent for 2 s, and not a millisecond sooner", () => {
  const holder = { peer: "10.0.0.7", lastActivity: 5000 };
  assert.deepEqual(takeoverOf(holder, 5000 + SILENT_HOLDER_MS - 1), {
    take: false,
    silentMs: SILENT_HOLDER_MS - 1,
  });
  assert.deepEqual(takeoverOf(holder, 5000 + SILENT_HOLDER_MS), {
    take: true,
    silentMs: SILENT_HOLDER_MS,
  });
  const reason = busyReason("/cam1 is being published by ingest 192.168.100.200", 40);
  assert.match(reason, /\(last data 40 ms ago; 2 s of silence also frees it\)$/);
  // A device keeps the first 127 characters of a reason: the fix must be among them.
  assert.match(
    reason.slice(0, 127),
    /set "replace": true on the path \(or --replace\) to take over/,
  );
});

serverTest("a restarted device takes its path over from its own silent connection", async () => {
  const rig = await startClockedRig();
  const old = await RawUpload.open(rig.ingest.port, "/cam");
  try {
    await old.accessUnit();
    await until(() => rig.framesAt("/cam") === 1, "the first frame");

    // Half a second later the old connection is still the device's live stream: 409.
    rig.clock.advance(500);
    const [status, reason] = await postAccessUnit(rig.base, "/cam");
    assert.equal(status, 409, reason);
    assert.match(reason, /^\/cam is being published by ingest 127\.0\.0\.1/);
    assert.match(reason, /last data 500 ms ago/);
    assert.match(reason, /; set "replace": true on the path \(or --replace\) to take over at once/);
    const [refused] = rig.logged("ingest refused");
    assert.equal(refused.fields?.path, "/cam");
    assert.equal(refused.fields?.status, 409);

    // The device restarted: its old connection has sent nothing since. The new push takes over.
    rig.clock.advance(SILENT_HOLDER_MS - 500);
    assert.deepEqual(await postAccessUnit(rig.base, "/cam"), [204, ""]);
    assert.ok(await old.closedByServer(), "the old connection is closed");
    assert.deepEqual(rig.logged("silent device replaced by a new push").map((l) => l.fields), [
      { path: "/cam", peer: "127.0.0.1", by: "127.0.0.1", silentMs: SILENT_HOLDER_MS },
    ]);
  } finally {
    old.close();
    await rig.close();
  }
});

serverTest("a holder that keeps sending keeps its path", async () => {
  const rig = await startClockedRig();
  const holder = await RawUpload.open(rig.ingest.port, "/cam");
  try {
    // Four frames, each just inside the silence that would end the holder's claim.
    for (let i = 1; i <= 4; i++) {
      await holder.accessUnit();
      await until(() => rig.framesAt("/cam") === i, `frame ${i}`);
      rig.clock.advance(SILENT_HOLDER_MS - 1);
    }
    const [status, reason] = await postAccessUnit(rig.base, "/cam");
    assert.equal(status, 409, reason);
    assert.equal(await holder.finish(), 204, "the holder's upload still goes through");
  } finally {
    holder.close();
    await rig.close();
  }
});

serverTest("a wrong token takes nothing over, however silent the holder", async () => {
  const rig = await startClockedRig();
  const old = await RawUpload.open(rig.ingest.port, "/cam");
  try {
    await old.accessUnit();
    await until(() => rig.framesAt("/cam") === 1, "the first frame");
    rig.clock.advance(60_000);
    const [status] = await postAccessUnit(rig.base, "/cam", "not-the-token");
    assert.equal(status, 401);
    assert.equal(rig.logged("silent device replaced by a new push").length, 0);
    assert.equal(await old.finish(), 204, "the holder still holds its path");
  } finally {
    old.close();
    await rig.close();
  }
});

serverTest("with replace set, a new push takes over at once", async () => {
  const rig = await startClockedRig({ ...POLICY, replace: true });
  const old = await RawUpload.open(rig.ingest.port, "/cam");
  try {
    await old.accessUnit();
    await until(() => rig.framesAt("/cam") === 1, "the first frame");
    assert.deepEqual(await postAccessUnit(rig.base, "/cam"), [204, ""]);
    assert.ok(await old.closedByServer());
    assert.deepEqual(rig.logged("device replaced by another publisher").map((l) => l.fields), [
      { path: "/cam", peer: "127.0.0.1" },
    ]);
  } finally {
    old.close();
    await rig.close();
  }
});
