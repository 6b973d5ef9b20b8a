/**
 * Runs the checks of network_checks.ts against `bun_net.ts`, and checks that `defaultNetwork()`
 * picks it. Run with `bun test/runtime/bun_net_checks.ts` (network_test.ts does): prints one JSON
 * line `{ bun, checks, failures }` and exits 0 when every check passed, 1 otherwise.
 */

import process from "node:process";
import { bunNetwork } from "../../src/runtime/bun_net.ts";
import { defaultNetwork } from "../../src/runtime/default_network.ts";
import { networkChecks, runNetworkChecks } from "./network_checks.ts";

const failures = await runNetworkChecks(bunNetwork);
if ((await defaultNetwork()) !== bunNetwork) failures.push("defaultNetwork() is not bunNetwork");
const version = (globalThis as unknown as { Bun?: { version: string } }).Bun?.version;
console.log(JSON.stringify({ bun: version, checks: networkChecks.length, failures }));
process.exit(failures.length === 0 ? 0 : 1);
