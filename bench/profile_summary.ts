/**
 * Summarises a V8 `.cpuprofile` (from `deno run --cpu-prof`, e.g. `bench/fanout.ts --profile DIR`):
 * self time by function and by file, top entries first.
 *
 * ```sh
 * deno run -A bench/profile_summary.ts DIR/CPU.*.cpuprofile [--top 25]
 * ```
 *
 * @module
 */

import { flags } from "./lines.ts";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const args = flags(Deno.args);
const files = Deno.args.filter((a, i) => !a.startsWith("--") && Deno.args[i - 1] !== "--top");
const top = Number(args.top ?? 25);

for (const file of files) {
  const profile = JSON.parse(await Deno.readTextFile(file)) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i + 1] ?? 0;
    selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + dt);
  }
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const f = byId.get(id)!.callFrame;
    const where = f.url.replace(/^.*\/(work\/main\/)?/, "") || "(native)";
    const name = `${f.functionName || "(anonymous)"} ${where}:${f.lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    const fileKey = f.url.startsWith("file://")
      ? f.url.replace(/^.*\/work\/main\//, "")
      : f.url.startsWith("ext:")
      ? f.url.split("/")[0] + "/" + f.url.split("/").slice(1).join("/")
      : f.functionName.startsWith("(")
      ? f.functionName
      : "(native)";
    byFile.set(fileKey, (byFile.get(fileKey) ?? 0) + us);
  }
  const wall = (profile.endTime - profile.startTime) / 1e6;
  console.log(`${file}: ${(total / 1e6).toFixed(2)} s sampled over ${wall.toFixed(1)} s`);
  const show = (title: string, m: Map<string, number>) => {
    console.log(`\n${title}`);
    for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(`  ${((us / total) * 100).toFixed(1).padStart(5)}%  ${k}`);
    }
  };
  show("self time by file", byFile);
  show("self time by function", byFunction);
}
