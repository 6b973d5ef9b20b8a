/**
 * examples/rtsp-edge.service as systemd reads it: `systemd-analyze verify` on a copy whose
 * ExecStart names a stand-in executable (verify refuses a unit whose binary is missing, and
 * /usr/local/bin/rtsp-edge is not installed here), everything else byte for byte.
 *
 * What this proves: every directive is one systemd knows and its value parses (verify only warns
 * about those, so any output fails the test), the units it orders against exist, and the
 * directives the README promises are there. What it does not: that the service starts, or that the
 * hardening leaves the binary room to run; that needs systemd as PID 1, which a test container
 * lacks.
 */

import assert from "node:assert/strict";
import { interopTest, run, withTempDir } from "../interop/support.ts";

const UNIT = new URL("../../examples/rtsp-edge.service", import.meta.url).pathname;
const EXEC_START = "ExecStart=/usr/local/bin/rtsp-edge --config /etc/rtsp-edge/rtsp-edge.yml";

/** The unit with ExecStart's binary replaced by an executable stand-in in `dir`. */
async function verifiableCopy(dir: string, text: string, name: string): Promise<string> {
  const binary = `${dir}/rtsp-edge`;
  await Deno.writeTextFile(binary, "#!/bin/sh\nexit 0\n", { mode: 0o755 });
  const path = `${dir}/${name}`;
  await Deno.writeTextFile(
    path,
    text.replace("ExecStart=/usr/local/bin/rtsp-edge ", `ExecStart=${binary} `),
  );
  return path;
}

interopTest(
  "examples/rtsp-edge.service passes systemd-analyze verify without a warning",
  ["systemd-analyze"],
  () =>
    withTempDir(async (dir) => {
      const text = await Deno.readTextFile(UNIT);
      const lines = text.split("\n");
      assert.equal(lines.filter((l) => l.startsWith("ExecStart=")).join("\n"), EXEC_START);
      for (
        const line of [
          "DynamicUser=yes",
          "SupplementaryGroups=video",
          "DeviceAllow=char-video4linux rw",
          "EnvironmentFile=-/etc/rtsp-edge/env",
          "Restart=on-failure",
          "NoNewPrivileges=yes",
          "ProtectSystem=strict",
          "ProtectHome=yes",
          "PrivateTmp=yes",
          "After=network-online.target",
          "Wants=network-online.target",
          "WantedBy=multi-user.target",
        ]
      ) assert.ok(lines.includes(line), `missing ${line}`);
      // PrivateDevices=yes would hide the cameras DeviceAllow= lets it open.
      assert.ok(!lines.some((l) => /^PrivateDevices=\s*(yes|true|1|on)\s*$/.test(l)));

      const unit = await verifiableCopy(dir, text, "rtsp-edge.service");
      const r = await run("systemd-analyze", ["verify", unit], 30_000);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr + r.stdout, "", "systemd-analyze verify had something to say");

      // The same check sees a misspelled directive, so its silence above means something.
      const typo = await verifiableCopy(
        dir,
        text.replace("ProtectClock=yes", "ProtectClok=yes"),
        "typo.service",
      );
      const t = await run("systemd-analyze", ["verify", typo], 30_000);
      assert.match(t.stderr, /Unknown key 'ProtectClok'/);
    }),
);
