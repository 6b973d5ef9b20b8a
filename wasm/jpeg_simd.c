/*
 * rtsp-edge: libjpeg-turbo's SIMD hooks (jsimd.h, jsimddct.h) for WebAssembly SIMD, compiled in
 * place of jsimd_none.c. The accurate integer inverse DCT (jpeg_idct_islow, jidctint.c) is ours in
 * wasm_simd128.h intrinsics; every other hook is jsimd_none.c's "no SIMD" answer, included from the
 * libjpeg-turbo tree unchanged with the two inverse-DCT names renamed out of the way.
 *
 * jsimd_idct_islow is bit-exact with jpeg_idct_islow: the same 32-bit integer arithmetic in four
 * lanes (libjpeg's JLONG is 32 bits on wasm32, and integer addition and multiplication give the
 * same result in any order modulo 2^32), the same all-zero-AC shortcuts (as lane selects), and
 * the same range limiting (the IDCT table is, for the low ten bits of the value read signed,
 * value + 128 clamped to 0..255). rjpg_selftest() compares the two on random blocks inside the
 * module, and rjpg_simd() switches the hook off so that whole decodes can be compared.
 *
 * Copyright (c) 2026 The rtsp-edge authors. MIT licence (see LICENSE).
 */

#include <stdint.h>
#include <string.h>
#include <wasm_simd128.h>

#define jsimd_can_idct_islow jsimd_none_can_idct_islow
#define jsimd_idct_islow jsimd_none_idct_islow
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wunused-parameter"
#pragma clang diagnostic ignored "-Wstrict-prototypes"
#include "jsimd_none.c"
#pragma clang diagnostic pop
#undef jsimd_can_idct_islow
#undef jsimd_idct_islow
#include "jsimddct.h" /* no include guard: declares the two names again, now unrenamed */

_Static_assert(DCTSIZE == 8, "8x8 blocks");
_Static_assert(sizeof(JCOEF) == 2, "16-bit coefficients");
_Static_assert(BITS_IN_JSAMPLE == 8, "8-bit samples");
_Static_assert(sizeof(ISLOW_MULT_TYPE) == 4, "32-bit multipliers (MULTIPLIER int, no WITH_SIMD)");
_Static_assert(sizeof(JLONG) == 4, "libjpeg's JLONG is 32 bits on wasm32");

/* jidctint.c's constants (CONST_BITS 13, PASS1_BITS 2 for 8-bit samples) */
#define CONST_BITS 13
#define PASS1_BITS 2
#define FIX_0_298631336 2446
#define FIX_0_390180644 3196
#define FIX_0_541196100 4433
#define FIX_0_765366865 6270
#define FIX_0_899976223 7373
#define FIX_1_175875602 9633
#define FIX_1_501321110 12299
#define FIX_1_847759065 15137
#define FIX_1_961570560 16069
#define FIX_2_053119869 16819
#define FIX_2_562915447 20995
#define FIX_3_072711026 25172

static int simd_idct = 1;

/* Switches the SIMD inverse DCT on (1) or off (0) for decoders started after the call (libjpeg
 * picks its IDCT in jpeg_start_decompress); a negative argument only asks. Returns the previous
 * setting. For comparing whole decodes; the module starts with it on. */
int32_t rjpg_simd(int32_t enable) {
  int32_t previous = simd_idct;
  if (enable >= 0) simd_idct = enable != 0;
  return previous;
}

GLOBAL(int)
jsimd_can_idct_islow(void) { return simd_idct; }

#define MUL(a, k) wasm_i32x4_mul((a), wasm_i32x4_splat(k))

/* One 1-D pass of jpeg_idct_islow over four lanes: in[k] is the k-th input of each lane; out[k]
 * gets (result + 2^(shift - 1)) >> shift, i.e. DESCALE(result, shift). */
static inline void idct_1d(const v128_t in[8], v128_t out[8], int shift) {
  /* Even part */
  v128_t z2 = in[2], z3 = in[6];
  v128_t z1 = MUL(wasm_i32x4_add(z2, z3), FIX_0_541196100);
  v128_t tmp2 = wasm_i32x4_add(z1, MUL(z3, -FIX_1_847759065));
  v128_t tmp3 = wasm_i32x4_add(z1, MUL(z2, FIX_0_765366865));
  v128_t tmp0 = wasm_i32x4_shl(wasm_i32x4_add(in[0], in[4]), CONST_BITS);
  v128_t tmp1 = wasm_i32x4_shl(wasm_i32x4_sub(in[0], in[4]), CONST_BITS);
  v128_t tmp10 = wasm_i32x4_add(tmp0, tmp3);
  v128_t tmp13 = wasm_i32x4_sub(tmp0, tmp3);
  v128_t tmp11 = wasm_i32x4_add(tmp1, tmp2);
  v128_t tmp12 = wasm_i32x4_sub(tmp1, tmp2);
  /* Odd part */
  tmp0 = in[7];
  tmp1 = in[5];
  tmp2 = in[3];
  tmp3 = in[1];
  z1 = wasm_i32x4_add(tmp0, tmp3);
  z2 = wasm_i32x4_add(tmp1, tmp2);
  z3 = wasm_i32x4_add(tmp0, tmp2);
  v128_t z4 = wasm_i32x4_add(tmp1, tmp3);
  v128_t z5 = MUL(wasm_i32x4_add(z3, z4), FIX_1_175875602);
  tmp0 = MUL(tmp0, FIX_0_298631336);
  tmp1 = MUL(tmp1, FIX_2_053119869);
  tmp2 = MUL(tmp2, FIX_3_072711026);
  tmp3 = MUL(tmp3, FIX_1_501321110);
  z1 = MUL(z1, -FIX_0_899976223);
  z2 = MUL(z2, -FIX_2_562915447);
  z3 = wasm_i32x4_add(MUL(z3, -FIX_1_961570560), z5);
  z4 = wasm_i32x4_add(MUL(z4, -FIX_0_390180644), z5);
  tmp0 = wasm_i32x4_add(tmp0, wasm_i32x4_add(z1, z3));
  tmp1 = wasm_i32x4_add(tmp1, wasm_i32x4_add(z2, z4));
  tmp2 = wasm_i32x4_add(tmp2, wasm_i32x4_add(z2, z3));
  tmp3 = wasm_i32x4_add(tmp3, wasm_i32x4_add(z1, z4));
  /* Final output stage */
  const v128_t round = wasm_i32x4_splat(1 << (shift - 1));
  tmp10 = wasm_i32x4_add(tmp10, round);
  tmp11 = wasm_i32x4_add(tmp11, round);
  tmp12 = wasm_i32x4_add(tmp12, round);
  tmp13 = wasm_i32x4_add(tmp13, round);
  out[0] = wasm_i32x4_shr(wasm_i32x4_add(tmp10, tmp3), shift);
  out[7] = wasm_i32x4_shr(wasm_i32x4_sub(tmp10, tmp3), shift);
  out[1] = wasm_i32x4_shr(wasm_i32x4_add(tmp11, tmp2), shift);
  out[6] = wasm_i32x4_shr(wasm_i32x4_sub(tmp11, tmp2), shift);
  out[2] = wasm_i32x4_shr(wasm_i32x4_add(tmp12, tmp1), shift);
  out[5] = wasm_i32x4_shr(wasm_i32x4_sub(tmp12, tmp1), shift);
  out[3] = wasm_i32x4_shr(wasm_i32x4_add(tmp13, tmp0), shift);
  out[4] = wasm_i32x4_shr(wasm_i32x4_sub(tmp13, tmp0), shift);
}

/* Transposes the 4x4 of 32-bit lanes in a[0..3] into b[0..3]. */
static inline void transpose4(v128_t a0, v128_t a1, v128_t a2, v128_t a3, v128_t b[4]) {
  v128_t t0 = wasm_i32x4_shuffle(a0, a1, 0, 4, 1, 5);
  v128_t t1 = wasm_i32x4_shuffle(a0, a1, 2, 6, 3, 7);
  v128_t t2 = wasm_i32x4_shuffle(a2, a3, 0, 4, 1, 5);
  v128_t t3 = wasm_i32x4_shuffle(a2, a3, 2, 6, 3, 7);
  b[0] = wasm_i64x2_shuffle(t0, t2, 0, 2);
  b[1] = wasm_i64x2_shuffle(t0, t2, 1, 3);
  b[2] = wasm_i64x2_shuffle(t1, t3, 0, 2);
  b[3] = wasm_i64x2_shuffle(t1, t3, 1, 3);
}

/* jpeg_idct_islow's IDCT_range_limit(cinfo)[x & RANGE_MASK]: the low ten bits of x read as a
 * signed number, plus 128, clamped to 0..255 (here by the saturating narrowing that follows). */
static inline v128_t range_limit(v128_t x) {
  return wasm_i32x4_add(wasm_i32x4_shr(wasm_i32x4_shl(x, 22), 22), wasm_i32x4_splat(CENTERJSAMPLE));
}

GLOBAL(void)
jsimd_idct_islow(j_decompress_ptr cinfo, jpeg_component_info *compptr, JCOEFPTR coef_block,
                 JSAMPARRAY output_buf, JDIMENSION output_col) {
  (void)cinfo;
  const ISLOW_MULT_TYPE *quant = (const ISLOW_MULT_TYPE *)compptr->dct_table;
  const v128_t zero = wasm_i32x4_splat(0);
  /* A block with no AC term (common: flat areas, chroma): every path of jpeg_idct_islow above
   * then takes its shortcuts, and each sample is the DC's (DC * q << PASS1_BITS, descaled). */
  const v128_t ac_mask = wasm_i16x8_make(0, -1, -1, -1, -1, -1, -1, -1);
  v128_t any = wasm_v128_and(wasm_v128_load(coef_block), ac_mask);
  for (int r = 1; r < 8; r++) any = wasm_v128_or(any, wasm_v128_load(coef_block + r * DCTSIZE));
  if (!wasm_v128_any_true(any)) {
    /* 32-bit wrapping arithmetic, as the lanes (and jpeg_idct_islow's JLONG) have it */
    uint32_t dc = ((uint32_t)coef_block[0] * (uint32_t)quant[0]) << PASS1_BITS;
    int32_t v = (int32_t)(dc + (1u << (PASS1_BITS + 2))) >> (PASS1_BITS + 3);
    v = (int32_t)((uint32_t)v << 22) >> 22; /* & RANGE_MASK, read signed */
    v += CENTERJSAMPLE;
    uint64_t fill = 0x0101010101010101ull * (uint8_t)(v < 0 ? 0 : v > MAXJSAMPLE ? MAXJSAMPLE : v);
    for (int r = 0; r < 8; r++) memcpy(output_buf[r] + output_col, &fill, 8);
    return;
  }
  v128_t ws[2][8]; /* ws[h][r]: workspace row r, columns 4h..4h+3 */
  /* Pass 1: columns, four at a time (lanes = columns). */
  for (int h = 0; h < 2; h++) {
    v128_t in[8];
    v128_t ac = zero;
    for (int r = 0; r < 8; r++) {
      v128_t c = wasm_i32x4_load16x4(coef_block + r * DCTSIZE + h * 4);
      if (r > 0) ac = wasm_v128_or(ac, c);
      in[r] = wasm_i32x4_mul(c, wasm_v128_load(quant + r * DCTSIZE + h * 4));
    }
    idct_1d(in, ws[h], CONST_BITS - PASS1_BITS);
    /* columns whose AC terms are all zero: the DC, scaled, down the whole column */
    v128_t flat = wasm_i32x4_eq(ac, zero);
    if (wasm_v128_any_true(flat)) {
      v128_t dc = wasm_i32x4_shl(in[0], PASS1_BITS);
      for (int r = 0; r < 8; r++) ws[h][r] = wasm_v128_bitselect(dc, ws[h][r], flat);
    }
  }
  /* Pass 2: rows, four at a time (lanes = rows), after transposing. */
  for (int g = 0; g < 2; g++) {
    v128_t in[8], out[8];
    transpose4(ws[0][4 * g], ws[0][4 * g + 1], ws[0][4 * g + 2], ws[0][4 * g + 3], in);
    transpose4(ws[1][4 * g], ws[1][4 * g + 1], ws[1][4 * g + 2], ws[1][4 * g + 3], in + 4);
    v128_t ac = in[1];
    for (int k = 2; k < 8; k++) ac = wasm_v128_or(ac, in[k]);
    idct_1d(in, out, CONST_BITS + PASS1_BITS + 3);
    v128_t flat = wasm_i32x4_eq(ac, zero);
    if (wasm_v128_any_true(flat)) {
      v128_t dc = wasm_i32x4_shr(wasm_i32x4_add(in[0], wasm_i32x4_splat(1 << (PASS1_BITS + 2))),
                                 PASS1_BITS + 3);
      for (int k = 0; k < 8; k++) out[k] = wasm_v128_bitselect(dc, out[k], flat);
    }
    for (int k = 0; k < 8; k++) out[k] = range_limit(out[k]);
    /* back to rows: rows[i][h] holds row 4g + i, columns 4h..4h+3 */
    v128_t lo[4], hi[4];
    transpose4(out[0], out[1], out[2], out[3], lo);
    transpose4(out[4], out[5], out[6], out[7], hi);
    v128_t r01 = wasm_u8x16_narrow_i16x8(wasm_i16x8_narrow_i32x4(lo[0], hi[0]),
                                         wasm_i16x8_narrow_i32x4(lo[1], hi[1]));
    v128_t r23 = wasm_u8x16_narrow_i16x8(wasm_i16x8_narrow_i32x4(lo[2], hi[2]),
                                         wasm_i16x8_narrow_i32x4(lo[3], hi[3]));
    wasm_v128_store64_lane(output_buf[4 * g + 0] + output_col, r01, 0);
    wasm_v128_store64_lane(output_buf[4 * g + 1] + output_col, r01, 1);
    wasm_v128_store64_lane(output_buf[4 * g + 2] + output_col, r23, 0);
    wasm_v128_store64_lane(output_buf[4 * g + 3] + output_col, r23, 1);
  }
}

/* xorshift32 */
static uint32_t next_random(uint32_t *state) {
  uint32_t x = *state;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return *state = x;
}

/*
 * Compares jsimd_idct_islow with libjpeg-turbo's jpeg_idct_islow on `iterations` random blocks
 * (sparse and dense coefficients, flat columns and rows, quantisers 1..255 and 16-bit ones,
 * coefficients up to the 16-bit range), with the range-limit table jdmaster.c builds. Returns
 * the number of blocks that differ (0), or -1 for bad arguments.
 */
int32_t rjpg_selftest_idct(int32_t seed, int32_t iterations) {
  if (iterations < 0 || seed == 0) return -1;
  static JSAMPLE table_storage[5 * (MAXJSAMPLE + 1) + CENTERJSAMPLE];
  JSAMPLE *table = table_storage + (MAXJSAMPLE + 1);
  memset(table - (MAXJSAMPLE + 1), 0, MAXJSAMPLE + 1);
  for (int i = 0; i <= MAXJSAMPLE; i++) table[i] = (JSAMPLE)i;
  for (int i = CENTERJSAMPLE; i < 2 * (MAXJSAMPLE + 1); i++) table[CENTERJSAMPLE + i] = MAXJSAMPLE;
  memset(table + CENTERJSAMPLE + 2 * (MAXJSAMPLE + 1), 0, 2 * (MAXJSAMPLE + 1) - CENTERJSAMPLE);
  memcpy(table + 4 * (MAXJSAMPLE + 1), table, CENTERJSAMPLE);
  struct jpeg_decompress_struct cinfo;
  memset(&cinfo, 0, sizeof(cinfo));
  cinfo.sample_range_limit = table;
  ISLOW_MULT_TYPE quant[DCTSIZE2];
  jpeg_component_info comp;
  memset(&comp, 0, sizeof(comp));
  comp.dct_table = quant;
  JCOEF coef[DCTSIZE2];
  JSAMPLE a[DCTSIZE][DCTSIZE + 4], b[DCTSIZE][DCTSIZE + 4];
  JSAMPROW ra[DCTSIZE], rb[DCTSIZE];
  for (int r = 0; r < DCTSIZE; r++) {
    ra[r] = a[r];
    rb[r] = b[r];
  }
  uint32_t state = (uint32_t)seed;
  int32_t failures = 0;
  for (int32_t it = 0; it < iterations; it++) {
    uint32_t kind = next_random(&state) % 6;
    int qmax = kind == 5 ? 65535 : kind == 4 ? 16 : 255;
    for (int i = 0; i < DCTSIZE2; i++) quant[i] = 1 + (int)(next_random(&state) % (uint32_t)qmax);
    /* the dequantised value stays within what 8-bit JPEG data can hold unless kind 5, where
     * only the coefficient is bounded */
    for (int i = 0; i < DCTSIZE2; i++) {
      uint32_t x = next_random(&state);
      int keep = kind == 0 ? (x & 7) == 0 : kind == 1 ? (x & 1) : 1;
      int32_t limit = kind == 5 ? 32767 : 16383 / quant[i] + 1;
      int32_t v = (int32_t)((x >> 8) % (uint32_t)(2 * limit + 1)) - limit;
      coef[i] = (JCOEF)(keep ? v : 0);
    }
    if (kind == 2) { /* flat columns and rows */
      uint32_t x = next_random(&state);
      for (int r = 1; r < DCTSIZE; r++)
        for (int c = 0; c < DCTSIZE; c++)
          if ((x >> c) & 1) coef[r * DCTSIZE + c] = 0;
      if (x & 0x100) memset(coef + DCTSIZE, 0, sizeof(JCOEF) * DCTSIZE * (DCTSIZE - 1));
      if (x & 0x200) memset(coef + 1, 0, sizeof(JCOEF) * (DCTSIZE - 1));
    }
    int col = (int)(next_random(&state) % 5);
    memset(a, 0xa5, sizeof(a));
    memset(b, 0xa5, sizeof(b));
    jpeg_idct_islow(&cinfo, &comp, coef, ra, (JDIMENSION)col);
    jsimd_idct_islow(&cinfo, &comp, coef, rb, (JDIMENSION)col);
    if (memcmp(a, b, sizeof(a)) != 0) failures++;
  }
  return failures;
}
