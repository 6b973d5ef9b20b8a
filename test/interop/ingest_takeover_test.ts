// curl, as a user would push by hand, against a path whose holder went silent: refused with a
// reason that names the fix while the holder still sends, let in once it has been silent for 2 s.
import assert from "node:assert/strict";
import { argv, interopTest, run, withTempDir } from "./support.ts";
import { SILENT_HOLDER_MS } from "../../src/ingest/takeover.ts";
import { ACCESS_UNIT, RawUpload, startClockedRig, TOKEN, until } from "../ingest/_server_rig.ts";

interopTest("curl takes over a path from a silent device, and is told how when it may not", [
  "curl",
], async () => {
  await withTempDir(async (dir) => {
    await Deno.writeFile(`${dir}/au.h264`, ACCESS_UNIT);
    const rig = await startClockedRig();
    const curl = async () => {
      const r = await run(
        "curl",
        argv`-sS -w ${"\n%{http_code}"} -H ${`Authorization: Bearer ${TOKEN}`} -H ${"Content-Type: video/h264"} --data-binary @${dir}/au.h264 ${rig.base}/cam`,
      );
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trim().split("\n");
      return { status: Number(lines.pop()), reason: lines.join("\n") };
    };
    const old = await RawUpload.open(rig.ingest.port, "/cam");
    try {
      await old.accessUnit();
      await until(() => rig.framesAt("/cam") === 1, "the first frame");
      rig.clock.advance(SILENT_HOLDER_MS - 1);
      const busy = await curl();
      assert.equal(busy.status, 409, busy.reason);
      assert.match(busy.reason, /set "replace": true on the path \(or --replace\)/);
      rig.clock.advance(1);
      assert.deepEqual(await curl(), { status: 204, reason: "" });
      assert.ok(await old.closedByServer(), "the silent holder is closed");
      assert.equal(rig.logged("silent device replaced by a new push").length, 1);
    } finally {
      old.close();
      await rig.close();
    }
  });
});
