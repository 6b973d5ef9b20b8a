/**
 * Cold start of an on-demand camera: the built binary serves vivid's /dev/video0 inside the QEMU VM
 * with `--on-demand --on-demand-close-after 1s`, and a reader on the host joins again and again,
 * each time once the camera has been closed, so every join opens the camera, negotiates its mode,
 * makes the encoder and waits for the first keyframe. Printed: DESCRIBE and PLAY to the first
 * decodable frame (bench/join_reader.ts), p50 / p90.
 *
 * The guest CPU is emulated (TCG), so the encoder runs several times slower than on the host: the
 * figures are an upper bound for a real machine.
 *
 * ```sh
 * deno run -A bench/camera_cold.ts [--joins 6] [--size 640x360]
 * ```
 *
 * @module
 */

import { freePort, guestBinaryDir } from "../test/vm/guest_binary.ts";
import { startVm } from "../test/vm/vm.ts";
import { JoinReader, type JoinResult } from "./join_reader.ts";
import { flags, percentile } from "./lines.ts";

const args = flags(Deno.args);
const joins = Number(args.joins ?? 6);
const size = args.size ?? "640x360";
if (!(Number.isInteger(joins) && joins > 0) || !/^\d+x\d+$/.test(size)) {
  console.error("usage: deno run -A bench/camera_cold.ts [--joins 6] [--size 640x360]");
  Deno.exit(2);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const dir = await guestBinaryDir();
await Deno.writeTextFile(
  `${dir}/bench_cold.sh`,
  `/mnt/share/rtsp-edge --camera /dev/video0 --size ${size} --fps 30 --on-demand ` +
    `--on-demand-close-after 1s 2>&1\n`,
);
const hostPort = freePort();
const vm = await startVm({
  command: ["sh", "/mnt/share/bench_cold.sh"],
  share: dir,
  hostPort,
  memoryMb: 2048,
  timeoutMs: 900_000,
});
const results: JoinResult[] = [];
let failed = 0;
try {
  await vm.waitFor("rtsp://", 400_000);
  const url = `rtsp://127.0.0.1:${hostPort}/stream`;
  for (let i = 0; i < joins; i++) {
    await sleep(4000); // past the close-after and the camera's close
    const reader = await JoinReader.connect(url);
    try {
      await reader.play();
      const result = await reader.measured(60_000);
      if (result) results.push(result);
      else failed++;
    } catch {
      failed++;
    } finally {
      await reader.close();
    }
    console.error(`join ${i + 1}/${joins}`);
  }
} finally {
  await vm.stop();
}
const serverLines = vm.output().split("\n").filter((l) => /on-demand|camera|WARN|ERROR/.test(l));
console.error(serverLines.join("\n"));
const opened = serverLines.filter((l) => l.includes("on-demand source started")).length;
const p = (values: number[], q: number) =>
  percentile(values.toSorted((a, b) => a - b), q).toFixed(0);
const firstFrame = results.map((r) => r.firstFrameMs);
const fromDescribe = results.map((r) => r.fromDescribeMs);
console.log(
  `\nOn-demand camera cold start in the VM (vivid ${size}, TCG), ${results.length} joins` +
    `${failed ? `, ${failed} failed` : ""}, camera opened ${opened} times (ms, p50 / p90):`,
);
console.log(`| PLAY → first decodable frame | DESCRIBE → first decodable frame |`);
console.log(`| ---: | ---: |`);
console.log(
  `| ${p(firstFrame, 50)} / ${p(firstFrame, 90)} | ${p(fromDescribe, 50)} / ${
    p(fromDescribe, 90)
  } |`,
);
