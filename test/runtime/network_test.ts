/**
 * The network adapters against the contract in network_checks.ts: `node_net.ts` here under Deno,
 * and `bun_net.ts` in a `bun` child process, since it runs only under Bun. Without bun that test
 * is skipped, except under CI=true, where it fails.
 */

import assert from "node:assert/strict";
import { nodeNetwork } from "../../src/runtime/node_net.ts";
import { defaultNetwork } from "../../src/runtime/default_network.ts";
import { interopTest } from "../interop/support.ts";
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
  const script = new URL("./bun_net_checks.ts", import.meta.url).pathname;
  const ran = await new Deno.Command("bun", {
    args: [script],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(120_000),
  }).output();
  const stdout = new TextDecoder().decode(ran.stdout);
  const stderr = new TextDecoder().decode(ran.stderr);
  const line = stdout.trim().split("\n").at(-1) ?? "";
  let result: { bun?: string; checks?: number; failures?: string[] };
  try {
    result = JSON.parse(line);
  } catch {
    throw new Error(`bun printed no result (exit ${ran.code}):\n${stdout}\n${stderr}`);
  }
  assert.deepEqual(result.failures, [], result.failures?.join("\n\n"));
  assert.equal(result.checks, networkChecks.length);
  assert.equal(ran.code, 0, stderr);
});
