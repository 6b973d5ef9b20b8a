/**
 * The network adapters against the contract in network_checks.ts: `node_net.ts` here under Deno,
 * and `bun_net.ts` in a `bun` child process, since it runs only under Bun; then the whole server
 * on `bun_net.ts` with readers that stop reading (bun_stall_program.ts). Without bun those tests
 * are skipped, except under CI=true, where they fail.
 */

import assert from "node:assert/strict";
import { nodeNetwork } from "../../src/runtime/node_net.ts";
import { defaultNetwork } from "../../src/runtime/default_network.ts";
import { interopTest, testClip } from "../interop/support.ts";
import { networkChecks } from "./network_checks.ts";

for (const check of networkChecks) {
  Deno.test({
    name: `node_net: ${check.name}`,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: () => check.run(nodeNetwork),
  });
}

Deno.test("defaultNetwork() is node_net under Deno", async () => {
  assert.equal(await defaultNetwork(), nodeNetwork);
});

interopTest("bun_net passes the same checks under Bun", ["bun"], async () => {
  const { code, result } = await runBun<{ bun?: string; checks?: number; failures?: string[] }>(
    "./bun_net_checks.ts",
  );
  assert.deepEqual(result.failures, [], result.failures?.join("\n\n"));
  assert.equal(result.checks, networkChecks.length);
  assert.equal(code, 0);
});

interopTest(
  "under Bun, a UDP send to a closed port costs the next send nothing and prints nothing",
  ["bun"],
  async () => {
    const { code, result, stderr } = await runBun<{ sent?: number; received?: number }>(
      "./bun_udp_refused_program.ts",
    );
    assert.equal(stderr, "");
    assert.equal(result.received, result.sent);
    assert.equal(code, 0);
  },
);

/** Runs `bun script ...args` and parses the JSON of its last line of output. */
async function runBun<T>(
  script: string,
  args: string[] = [],
): Promise<{ code: number; result: T; stderr: string }> {
  const ran = await new Deno.Command("bun", {
    args: [new URL(script, import.meta.url).pathname, ...args],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(120_000),
  }).output();
  const stdout = new TextDecoder().decode(ran.stdout);
  const stderr = new TextDecoder().decode(ran.stderr);
  try {
    return {
      code: ran.code,
      result: JSON.parse(stdout.trim().split("\n").at(-1) ?? ""),
      stderr,
    };
  } catch {
    throw new Error(`bun printed no result (exit ${ran.code}):\n${stdout}\n${stderr}`);
  }
}

interopTest(
  "under Bun, readers with a zero TCP window are cut off at the write deadline, others unharmed",
  ["bun", "ffmpeg"],
  async () => {
    const { code, result } = await runBun<{
      writeTimeoutMs: number;
      closedAfterMs: number[];
      stalledConnections: number;
      framesDropped: number;
      healthyFramesMeanwhile: number;
      healthyLost: number;
      elapsedMs: number;
    }>("./bun_stall_program.ts", [await testClip()]);
    assert.equal(code, 0);
    assert.equal(result.stalledConnections, 3);
    for (const ms of result.closedAfterMs) {
      // Never before the deadline; the housekeeping that cuts them off runs once a second.
      assert.ok(ms >= result.writeTimeoutMs - 100, `a stalled reader was closed after ${ms} ms`);
      assert.ok(ms <= result.writeTimeoutMs + 4000, `a stalled reader was closed after ${ms} ms`);
    }
    assert.ok(result.framesDropped > 0, "no frame was dropped: the queue never filled");
    assert.equal(result.healthyLost, 0, "the healthy reader lost packets");
    // 30 fps while the others stalled: allow for start-up and the last frame in flight.
    const expected = result.elapsedMs / 1000 * 30;
    assert.ok(
      result.healthyFramesMeanwhile >= expected * 0.8,
      `the healthy reader got ${result.healthyFramesMeanwhile} frames in ${result.elapsedMs} ms`,
    );
  },
);
