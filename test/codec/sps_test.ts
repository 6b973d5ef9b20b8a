import assert from "node:assert/strict";
import { BitReader } from "../../src/codec/bit_reader.ts";
import { CodecError } from "../../src/codec/h264.ts";
import { parseSps, removeEmulationPrevention, type SpsInfo } from "../../src/codec/sps.ts";
import { splitAnnexB } from "../../src/codec/annexb.ts";
import { BitWriter, CLIP_BASELINE, CLIP_HIGH, hex, readVector } from "./helpers.ts";

/**
 * SPS NAL units written by ffmpeg 5.1 / libx264 from `-f lavfi -i testsrc2=size=WxH:rate=R`,
 * with the size, profile, level and rate ffprobe reports for the same stream.
 */
const VECTORS: { name: string; sps: string; expected: SpsInfo }[] = [
  {
    name: "Constrained Baseline 640x360 30 fps (poc type 2)",
    sps: "6742c01ed900a02ff970110000030001000003003c0f162e48",
    expected: info(66, 0xc0, 30, 640, 360, 30, "42c01e"),
  },
  {
    name: "Main 640x360 30 fps with AUDs",
    sps: "674d401eeca05017fcb80880000003008000001e078b16cb",
    expected: info(77, 0x40, 30, 640, 360, 30, "4d401e"),
  },
  {
    name: "High 1280x720 25 fps",
    sps: "6764001facd9405005bb011000000300100000030320f1831960",
    expected: info(100, 0, 31, 1280, 720, 25, "64001f"),
  },
  {
    name: "High 1920x1080 30000/1001 fps (1088 coded lines, cropped)",
    sps: "67640028acd940780227e5c04400000fa40003a9803c60c658",
    expected: info(100, 0, 40, 1920, 1080, 30000 / 1001, "640028"),
  },
  {
    name: "High 720x576 25 fps interlaced (frame_mbs_only_flag 0)",
    sps: "6764001eacd940b424d8088000000300800000190f8a14cb",
    expected: info(100, 0, 30, 720, 576, 25, "64001e"),
  },
  {
    name: "High 720x476 30000/1001 fps interlaced, cropped in field units",
    sps: "6764001eacd940b47bf5808800001f4800075300f8a14cb0",
    expected: info(100, 0, 30, 720, 476, 30000 / 1001, "64001e"),
  },
  {
    name: "High 4:4:4 Predictive 642x362 24 fps (crop unit 1x1)",
    sps: "67f4001e919b281485fc7cf808800000030080000018078b16cb",
    expected: info(244, 0, 30, 642, 362, 24, "f4001e"),
  },
  {
    name: "High 4:2:2 642x362 50 fps (crop unit 2x1)",
    sps: "677a001fbcd940a42fe227c044000003000400000301903c60c658",
    expected: info(122, 0, 31, 642, 362, 50, "7a001f"),
  },
  {
    name: "High 10 1280x720 60 fps",
    sps: "676e0020a6cd9405005bb011000003000100000300780f183196",
    expected: info(110, 0, 32, 1280, 720, 60, "6e0020"),
  },
  {
    name: "High 4:0:0 (gray) 642x362 30 fps (crop unit 1x1)",
    sps: "6764001ef3650290bf8f9f016c80000003008000001e078b16cb",
    expected: info(100, 0, 30, 642, 362, 30, "64001e"),
  },
  {
    name: "High 352x288 15 fps, level 1.2",
    sps: "6764000cacd9416096c044000003000400000300783c50a658",
    expected: info(100, 0, 12, 352, 288, 15, "64000c"),
  },
];

function info(
  profileIdc: number,
  constraintFlags: number,
  levelIdc: number,
  width: number,
  height: number,
  frameRate: number | undefined,
  profileLevelId: string,
): SpsInfo {
  const i: SpsInfo = { profileIdc, constraintFlags, levelIdc, width, height, profileLevelId };
  if (frameRate !== undefined) i.frameRate = frameRate;
  return i;
}

/** Writes an SPS from parts, for syntax x264 does not produce. */
function synthSps(opts: {
  profileIdc?: number;
  chroma?: (w: BitWriter) => void;
  poc?: (w: BitWriter) => void;
  widthMbs?: number;
  heightMapUnits?: number;
  frameMbsOnly?: boolean;
  crop?: [number, number, number, number];
  vui?: (w: BitWriter) => void;
}): Uint8Array {
  const w = new BitWriter().u(8, opts.profileIdc ?? 66).u(8, 0).u(8, 30).ue(0);
  opts.chroma?.(w);
  w.ue(0); // log2_max_frame_num_minus4
  if (opts.poc) opts.poc(w);
  else w.ue(2);
  w.ue(1).u(1, 0).ue((opts.widthMbs ?? 20) - 1).ue((opts.heightMapUnits ?? 15) - 1);
  w.u(1, opts.frameMbsOnly === false ? 0 : 1);
  if (opts.frameMbsOnly === false) w.u(1, 0);
  w.u(1, 1);
  if (opts.crop) {
    w.u(1, 1);
    for (const c of opts.crop) w.ue(c);
  } else {
    w.u(1, 0);
  }
  if (opts.vui) {
    w.u(1, 1);
    opts.vui(w);
  } else {
    w.u(1, 0);
  }
  return w.nal(0x67);
}

for (const v of VECTORS) {
  Deno.test(`parseSps() reads x264's ${v.name}`, () => {
    assert.deepEqual(parseSps(hex(v.sps)), v.expected);
  });
}

Deno.test("parseSps() reads the SPS of both committed clips", () => {
  const high = splitAnnexB(readVector(CLIP_HIGH)).find((n) => (n[0] & 0x1f) === 7)!;
  assert.deepEqual(parseSps(high), info(100, 0, 11, 176, 100, 25, "64000b"));
  const base = splitAnnexB(readVector(CLIP_BASELINE)).find((n) => (n[0] & 0x1f) === 7)!;
  assert.deepEqual(parseSps(base), info(66, 0xc0, 11, 160, 90, 30000 / 1001, "42c00b"));
});

Deno.test("parseSps() skips pic_order_cnt_type 1 with its offset cycle", () => {
  const sps = synthSps({
    poc: (w) => {
      w.ue(1).u(1, 0).se(-3).se(7).ue(5);
      for (const off of [1, -2, 300, -300, 0]) w.se(off);
    },
    widthMbs: 22,
    heightMapUnits: 18,
  });
  assert.deepEqual([parseSps(sps).width, parseSps(sps).height], [352, 288]);
});

Deno.test("parseSps() skips explicit scaling lists, including a list cut short by nextScale 0", () => {
  const sps = synthSps({
    profileIdc: 100,
    chroma: (w) => {
      w.ue(1).ue(0).ue(0).u(1, 0).u(1, 1); // 4:2:0, 8 bit, seq_scaling_matrix_present_flag
      for (let i = 0; i < 8; i++) {
        w.u(1, i % 3 === 0 ? 1 : 0);
        if (i % 3 !== 0) continue;
        const size = i < 6 ? 16 : 64;
        if (i === 3) {
          w.se(-8); // nextScale 0: "use the default list", nothing more is coded
        } else {
          for (let j = 0; j < size; j++) w.se(j % 2 ? 5 : -4);
        }
      }
    },
    widthMbs: 80,
    heightMapUnits: 45,
    vui: (w) => w.u(4, 0).u(1, 1).u(32, 1).u(32, 50).u(1, 1),
  });
  assert.deepEqual(parseSps(sps), info(100, 0, 30, 1280, 720, 25, "64001e"));
});

Deno.test("parseSps() reads 12 scaling lists for 4:4:4 and crops separate colour planes by 1", () => {
  const sps = synthSps({
    profileIdc: 244,
    chroma: (w) => {
      w.ue(3).u(1, 1).ue(2).ue(2).u(1, 0).u(1, 1); // 4:4:4 separate planes, 10 bit
      for (let i = 0; i < 12; i++) {
        w.u(1, 1);
        for (let j = 0; j < (i < 6 ? 16 : 64); j++) w.se(1);
      }
    },
    widthMbs: 4,
    heightMapUnits: 4,
    crop: [1, 2, 3, 4],
  });
  assert.deepEqual([parseSps(sps).width, parseSps(sps).height], [61, 57]);
});

Deno.test("parseSps() crops field-coded 4:2:0 in units of 2x4 pixels", () => {
  const sps = synthSps({
    widthMbs: 45,
    heightMapUnits: 18,
    frameMbsOnly: false,
    crop: [0, 0, 0, 2],
  });
  assert.deepEqual([parseSps(sps).width, parseSps(sps).height], [720, 568]);
});

Deno.test("parseSps() reads timing info after aspect ratio, signal type and chroma location", () => {
  const sps = synthSps({
    vui: (w) => {
      w.u(1, 1).u(8, 255).u(16, 4).u(16, 3); // Extended_SAR 4:3
      w.u(1, 1).u(1, 1); // overscan
      w.u(1, 1).u(3, 5).u(1, 1).u(1, 1).u(8, 1).u(8, 1).u(8, 1); // video signal + colour
      w.u(1, 1).ue(1).ue(1); // chroma location
      w.u(1, 1).u(32, 1001).u(32, 48000).u(1, 0); // 23.976 fps, not fixed
    },
  });
  assert.equal(parseSps(sps).frameRate, 48000 / 2002);
});

Deno.test("parseSps() leaves frameRate out when timing info is absent or absurd", () => {
  const timing = (units: number, scale: number) => (w: BitWriter) =>
    w.u(4, 0).u(1, 1).u(32, units).u(32, scale).u(1, 1);
  assert.equal("frameRate" in parseSps(synthSps({})), false);
  assert.equal("frameRate" in parseSps(synthSps({ vui: (w) => w.u(5, 0) })), false);
  assert.equal(parseSps(synthSps({ vui: timing(0, 60) })).frameRate, undefined);
  assert.equal(parseSps(synthSps({ vui: timing(1, 0) })).frameRate, undefined);
  assert.equal(parseSps(synthSps({ vui: timing(1, 90000) })).frameRate, undefined);
  assert.equal(parseSps(synthSps({ vui: timing(0xffffffff, 1) })).frameRate, undefined);
});

Deno.test("parseSps() still gives the size when the VUI is cut short", () => {
  const full = synthSps({ vui: (w) => w.u(4, 0).u(1, 1).u(32, 1).u(32, 60).u(1, 1) });
  const cut = full.subarray(0, full.length - 5);
  assert.deepEqual(parseSps(cut), info(66, 0, 30, 320, 240, undefined, "42001e"));
});

Deno.test("parseSps() removes emulation prevention bytes before reading", () => {
  // width 1 MB, height 1 map unit: the RBSP has runs of zeros that need 00 00 03.
  const sps = synthSps({
    widthMbs: 1,
    heightMapUnits: 1,
    vui: (w) => w.u(4, 0).u(1, 1).u(32, 1).u(32, 2).u(1, 1),
  });
  assert.ok(sps.join(",").includes("0,0,3"));
  assert.deepEqual(parseSps(sps), info(66, 0, 30, 16, 16, 1, "42001e"));
});

Deno.test("parseSps() throws CodecError for a NAL unit that is not an SPS", () => {
  assert.throws(() => parseSps(hex("68ebe3cb22c0")), CodecError);
  assert.throws(() => parseSps(hex("6742c0")), CodecError);
  assert.throws(() => parseSps(new Uint8Array(0)), CodecError);
});

Deno.test("parseSps() throws CodecError for out-of-range fields and impossible cropping", () => {
  assert.throws(
    () => parseSps(new BitWriter().u(24, 0x42c01e).ue(32).nal(0x67)),
    /seq_parameter_set_id/,
  );
  assert.throws(() => parseSps(synthSps({ poc: (w) => w.ue(3) })), /pic_order_cnt_type/);
  assert.throws(() => parseSps(synthSps({ crop: [100, 100, 0, 0] })), /cropping/);
  assert.throws(() => parseSps(synthSps({ profileIdc: 100, chroma: (w) => w.ue(4) })), /chroma/);
});

Deno.test("parseSps() throws only CodecError, never reads past the end, for every truncation", () => {
  for (const v of VECTORS) {
    const sps = hex(v.sps);
    const before = sps.slice();
    for (let len = 0; len < sps.length; len++) {
      try {
        const got = parseSps(sps.subarray(0, len));
        // A cut inside the VUI still gives the right size.
        assert.equal(got.width, v.expected.width);
        assert.equal(got.height, v.expected.height);
      } catch (e) {
        assert.ok(e instanceof CodecError, `${v.name} cut to ${len}: ${e}`);
      }
    }
    assert.deepEqual(sps, before);
  }
});

Deno.test("parseSps() throws only CodecError for garbage", () => {
  let seed = 12345;
  for (let round = 0; round < 2000; round++) {
    const bytes = new Uint8Array(4 + (round % 40));
    for (let i = 0; i < bytes.length; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      bytes[i] = seed >>> 24;
    }
    bytes[0] = 0x67;
    try {
      const got = parseSps(bytes);
      assert.ok(got.width > 0 && got.height > 0);
    } catch (e) {
      assert.ok(e instanceof CodecError, String(e));
    }
  }
});

Deno.test("removeEmulationPrevention() drops the 03 of every 00 00 03", () => {
  assert.deepEqual(
    removeEmulationPrevention(hex("00000301 0000 0300 00 0003")),
    hex("000001 0000 000000"),
  );
  assert.deepEqual(removeEmulationPrevention(hex("000003 000003")), hex("0000 0000"));
  assert.deepEqual(removeEmulationPrevention(hex("00000303")), hex("000003"));
});

Deno.test("removeEmulationPrevention() returns its input when there is nothing to remove", () => {
  const bytes = hex("0000 01 03 0003 000103");
  assert.equal(removeEmulationPrevention(bytes), bytes);
  const withEp = hex("000003ff");
  const before = withEp.slice();
  assert.notEqual(removeEmulationPrevention(withEp), withEp);
  assert.deepEqual(withEp, before);
});

Deno.test("BitReader reads u(32), ue(v) and se(v) and throws CodecError past the end", () => {
  const r = new BitReader(hex("ffffffff c0"));
  assert.equal(r.u(32), 0xffffffff);
  assert.equal(r.ue(), 0);
  assert.equal(r.se(), 0);
  assert.equal(Object.is(new BitReader(hex("80")).se(), 0), true, "se(v) 0 is +0");
  assert.equal(r.remaining, 6);
  assert.throws(() => r.u(7), CodecError);
  assert.throws(() => new BitReader(hex("00000000 0000")).ue(), /too long/);
  assert.throws(() => new BitReader(hex("00")).ue(), CodecError);
  // The largest code: 31 zeros, a one, 31 more bits.
  assert.equal(new BitReader(hex("00000001 ffffffff")).ue(), 2 ** 32 - 2);
});
