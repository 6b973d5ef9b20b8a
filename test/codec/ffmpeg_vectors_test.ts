/**
 * Checks the codec helpers against streams made on the fly by ffmpeg/libx264, with ffprobe as
 * the reference. Skipped when ffmpeg or ffprobe is not installed; the committed clips in
 * test/testdata/codec/ cover the same cases in the other tests.
 */
import assert from "node:assert/strict";
import { AccessUnitSplitter, splitAccessUnits } from "../../src/codec/access_unit.ts";
import { splitAnnexB } from "../../src/codec/annexb.ts";
import { nalType } from "../../src/codec/h264.ts";
import { parseSps } from "../../src/codec/sps.ts";
import { prng } from "./helpers.ts";

function hasTool(name: string): boolean {
  try {
    return new Deno.Command(name, { args: ["-version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

// Under CI=true a missing ffmpeg fails the test instead of skipping it.
const available = Deno.env.get("CI") === "true" || (hasTool("ffmpeg") && hasTool("ffprobe"));

const CASES: { name: string; size: string; rate: string; args: string[] }[] = [
  {
    name: "Baseline 640x360 30 fps, GOP 30",
    size: "640x360",
    rate: "30",
    args: ["-profile:v", "baseline", "-g", "30", "-bf", "0"],
  },
  {
    name: "High 1280x720 25 fps with B-frames",
    size: "1280x720",
    rate: "25",
    args: ["-profile:v", "high"],
  },
  {
    name: "High 1920x1080 30000/1001 fps (cropped from 1088)",
    size: "1920x1080",
    rate: "30000/1001",
    args: ["-profile:v", "high", "-preset", "veryfast"],
  },
  {
    name: "Main 640x360 with AUDs",
    size: "640x360",
    rate: "30",
    args: ["-profile:v", "main", "-x264-params", "aud=1"],
  },
  {
    name: "High 640x360 with 4 slices",
    size: "640x360",
    rate: "30",
    args: ["-x264-params", "slices=4"],
  },
  {
    name: "High 720x576 interlaced",
    size: "720x576",
    rate: "25",
    args: ["-flags", "+ildct+ilme", "-x264-params", "tff=1"],
  },
];

function run(cmd: string, args: string[]): string {
  const out = new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).outputSync();
  if (!out.success) throw new Error(`${cmd} failed: ${new TextDecoder().decode(out.stderr)}`);
  return new TextDecoder().decode(out.stdout);
}

for (const c of CASES) {
  Deno.test({
    name: `codec helpers agree with ffprobe on an x264 ${c.name} stream`,
    ignore: !available,
    fn() {
      const dir = Deno.makeTempDirSync();
      try {
        const file = `${dir}/x.h264`;
        run("ffmpeg", [
          ...["-v", "error", "-f", "lavfi", "-i", `testsrc2=size=${c.size}:rate=${c.rate}`],
          ...["-t", "1", "-c:v", "libx264", ...c.args, "-f", "h264", file],
        ]);
        const probe = JSON.parse(run("ffprobe", [
          ...["-v", "error", "-count_frames", "-of", "json", "-show_entries"],
          ...["stream=nb_read_frames,width,height,level,r_frame_rate", file],
        ])).streams[0];
        const bytes = Deno.readFileSync(file);
        const frames = Number(probe.nb_read_frames);

        // One picture start (VCL with first_mb_in_slice 0) per frame.
        const nals = splitAnnexB(bytes);
        const starts = nals.filter((n) =>
          (nalType(n) === 1 || nalType(n) === 5) && (n[1] & 0x80) !== 0
        );
        assert.equal(starts.length, frames);

        const units = splitAccessUnits(bytes);
        assert.equal(units.length, frames);
        assert.equal(units[0].keyframe, true);

        const rand = prng(frames);
        for (const max of [1, 4096]) {
          const splitter = new AccessUnitSplitter();
          const got = [];
          for (let pos = 0; pos < bytes.length;) {
            const size = 1 + rand(max);
            got.push(...splitter.push(bytes.subarray(pos, pos + size)));
            pos += size;
          }
          got.push(...splitter.flush());
          assert.deepEqual(got, units, `chunks up to ${max} bytes`);
        }

        const sps = parseSps(nals.find((n) => nalType(n) === 7)!);
        assert.deepEqual([sps.width, sps.height, sps.levelIdc], [
          probe.width,
          probe.height,
          probe.level,
        ]);
        const [num, den] = probe.r_frame_rate.split("/").map(Number);
        assert.ok(Math.abs(sps.frameRate! - num / den) < 1e-9, `fps ${sps.frameRate}`);
      } finally {
        Deno.removeSync(dir, { recursive: true });
      }
    },
  });
}
