/*
 * rtsp-edge: WebAssembly SIMD versions of OpenH264's hot encoder kernels (see simd_kernels.h).
 *
 * Written for this project from the H.264 arithmetic the C versions perform; every function must
 * give the same bits as its C counterpart for every input the encoder can pass (checked by
 * rtse_selftest_kernels() in simd_install.cpp and by comparing whole bitstreams in
 * test/encoder/simd_kernels_test.ts). Loads and stores go through wasm_v128_load/store and
 * memcpy, which WebAssembly allows at any alignment.
 */
#include "simd_kernels.h"

#include <string.h>
#include <wasm_simd128.h>

/* ---- SAD: |a - b| per byte as max(a-b, 0) | max(b-a, 0), summed pairwise into u16 lanes. ---- */

static inline v128_t absdiff_u8(v128_t a, v128_t b) {
  return wasm_v128_or(wasm_u8x16_sub_sat(a, b), wasm_u8x16_sub_sat(b, a));
}

/* Sum of the eight u16 lanes (each at most 16 rows x 2 x 255, so no overflow). */
static inline int32_t hsum_u16(v128_t acc) {
  const v128_t s = wasm_u32x4_extadd_pairwise_u16x8(acc);
  const v128_t t = wasm_i32x4_add(s, wasm_i32x4_shuffle(s, s, 2, 3, 0, 1));
  return wasm_i32x4_extract_lane(wasm_i32x4_add(t, wasm_i32x4_shuffle(t, t, 1, 0, 3, 2)), 0);
}

static inline int32_t sad16(const uint8_t* a, int32_t sa, const uint8_t* b, int32_t sb, int rows) {
  v128_t acc = wasm_i16x8_splat(0);
  for (int i = 0; i < rows; i++) {
    const v128_t d = absdiff_u8(wasm_v128_load(a), wasm_v128_load(b));
    acc = wasm_i16x8_add(acc, wasm_u16x8_extadd_pairwise_u8x16(d));
    a += sa;
    b += sb;
  }
  return hsum_u16(acc);
}

/* Two 8-byte rows in one vector. */
static inline v128_t load_2x8(const uint8_t* p, int32_t stride) {
  return wasm_v128_load64_lane(p + stride, wasm_v128_load64_zero(p), 1);
}

static inline int32_t sad8(const uint8_t* a, int32_t sa, const uint8_t* b, int32_t sb, int rows) {
  v128_t acc = wasm_i16x8_splat(0);
  for (int i = 0; i < rows; i += 2) {
    const v128_t d = absdiff_u8(load_2x8(a, sa), load_2x8(b, sb));
    acc = wasm_i16x8_add(acc, wasm_u16x8_extadd_pairwise_u8x16(d));
    a += 2 * sa;
    b += 2 * sb;
  }
  return hsum_u16(acc);
}

static inline v128_t load_4x4(const uint8_t* p, int32_t stride) {
  v128_t v = wasm_v128_load32_zero(p);
  v = wasm_v128_load32_lane(p + stride, v, 1);
  v = wasm_v128_load32_lane(p + 2 * stride, v, 2);
  return wasm_v128_load32_lane(p + 3 * stride, v, 3);
}

int32_t rtse_sad16x16(uint8_t* a, int32_t sa, uint8_t* b, int32_t sb) {
  return sad16(a, sa, b, sb, 16);
}

int32_t rtse_sad16x8(uint8_t* a, int32_t sa, uint8_t* b, int32_t sb) {
  return sad16(a, sa, b, sb, 8);
}

int32_t rtse_sad8x16(uint8_t* a, int32_t sa, uint8_t* b, int32_t sb) {
  return sad8(a, sa, b, sb, 16);
}

int32_t rtse_sad8x8(uint8_t* a, int32_t sa, uint8_t* b, int32_t sb) {
  return sad8(a, sa, b, sb, 8);
}

int32_t rtse_sad4x4(uint8_t* a, int32_t sa, uint8_t* b, int32_t sb) {
  const v128_t d = absdiff_u8(load_4x4(a, sa), load_4x4(b, sb));
  return hsum_u16(wasm_u16x8_extadd_pairwise_u8x16(d));
}

/* ---- 4x4 blocks as four i32x4 rows ---- */

typedef struct {
  v128_t r0, r1, r2, r3;
} Block4;

static inline Block4 transpose4(Block4 m) {
  const v128_t t0 = wasm_i32x4_shuffle(m.r0, m.r1, 0, 4, 1, 5);
  const v128_t t1 = wasm_i32x4_shuffle(m.r0, m.r1, 2, 6, 3, 7);
  const v128_t t2 = wasm_i32x4_shuffle(m.r2, m.r3, 0, 4, 1, 5);
  const v128_t t3 = wasm_i32x4_shuffle(m.r2, m.r3, 2, 6, 3, 7);
  Block4 out;
  out.r0 = wasm_i32x4_shuffle(t0, t2, 0, 1, 4, 5);
  out.r1 = wasm_i32x4_shuffle(t0, t2, 2, 3, 6, 7);
  out.r2 = wasm_i32x4_shuffle(t1, t3, 0, 1, 4, 5);
  out.r3 = wasm_i32x4_shuffle(t1, t3, 2, 3, 6, 7);
  return out;
}

/* One row of a - b (4 pixels) widened to i32x4. */
static inline v128_t diff_row4(const uint8_t* a, const uint8_t* b) {
  const v128_t x = wasm_u16x8_extend_low_u8x16(wasm_v128_load32_zero(a));
  const v128_t y = wasm_u16x8_extend_low_u8x16(wasm_v128_load32_zero(b));
  return wasm_i32x4_extend_low_i16x8(wasm_i16x8_sub(x, y));
}

static inline Block4 diff_block4(const uint8_t* a, int32_t sa, const uint8_t* b, int32_t sb) {
  Block4 m;
  m.r0 = diff_row4(a, b);
  m.r1 = diff_row4(a + sa, b + sb);
  m.r2 = diff_row4(a + 2 * sa, b + 2 * sb);
  m.r3 = diff_row4(a + 3 * sa, b + 3 * sb);
  return m;
}

/* The SATD butterfly across the four vectors: (x0+x2)+(x1+x3), (x0-x2)+(x1-x3), ... */
static inline Block4 hadamard4(Block4 m) {
  const v128_t s0 = wasm_i32x4_add(m.r0, m.r2);
  const v128_t s1 = wasm_i32x4_add(m.r1, m.r3);
  const v128_t s2 = wasm_i32x4_sub(m.r0, m.r2);
  const v128_t s3 = wasm_i32x4_sub(m.r1, m.r3);
  Block4 out;
  out.r0 = wasm_i32x4_add(s0, s1);
  out.r1 = wasm_i32x4_add(s2, s3);
  out.r2 = wasm_i32x4_sub(s2, s3);
  out.r3 = wasm_i32x4_sub(s0, s1);
  return out;
}

/* Exact integer arithmetic without rounding, so the order of the two passes does not change the
 * set of 16 outputs (it gives the transpose), and the sum of their absolute values is the same. */
int32_t rtse_satd4x4(uint8_t* a, int32_t sa, uint8_t* b, int32_t sb) {
  Block4 m = hadamard4(transpose4(hadamard4(diff_block4(a, sa, b, sb))));
  v128_t sum = wasm_i32x4_add(wasm_i32x4_abs(m.r0), wasm_i32x4_abs(m.r1));
  sum = wasm_i32x4_add(sum, wasm_i32x4_add(wasm_i32x4_abs(m.r2), wasm_i32x4_abs(m.r3)));
  sum = wasm_i32x4_add(sum, wasm_i32x4_shuffle(sum, sum, 2, 3, 0, 1));
  sum = wasm_i32x4_add(sum, wasm_i32x4_shuffle(sum, sum, 1, 0, 3, 2));
  return (wasm_i32x4_extract_lane(sum, 0) + 1) >> 1;
}

/* Larger blocks: C sums the rounded 4x4 results; satd_wide (below) gives exactly that sum. */
static inline int32_t satd_wide(const uint8_t* a, int32_t sa, const uint8_t* b, int32_t sb, int w,
                                int h);

int32_t rtse_satd16x16(uint8_t* a, int32_t sa, uint8_t* b, int32_t sb) {
  return satd_wide(a, sa, b, sb, 16, 16);
}

int32_t rtse_satd16x8(uint8_t* a, int32_t sa, uint8_t* b, int32_t sb) {
  return satd_wide(a, sa, b, sb, 16, 8);
}

int32_t rtse_satd8x16(uint8_t* a, int32_t sa, uint8_t* b, int32_t sb) {
  return satd_wide(a, sa, b, sb, 8, 16);
}

int32_t rtse_satd8x8(uint8_t* a, int32_t sa, uint8_t* b, int32_t sb) {
  return satd_wide(a, sa, b, sb, 8, 8);
}

void rtse_sad_four16x16(uint8_t* a, int32_t sa, uint8_t* b, int32_t sb, int32_t* sad) {
  sad[0] = sad16(a, sa, b - sb, sb, 16);
  sad[1] = sad16(a, sa, b + sb, sb, 16);
  sad[2] = sad16(a, sa, b - 1, sb, 16);
  sad[3] = sad16(a, sa, b + 1, sb, 16);
}

void rtse_sad_four16x8(uint8_t* a, int32_t sa, uint8_t* b, int32_t sb, int32_t* sad) {
  sad[0] = sad16(a, sa, b - sb, sb, 8);
  sad[1] = sad16(a, sa, b + sb, sb, 8);
  sad[2] = sad16(a, sa, b - 1, sb, 8);
  sad[3] = sad16(a, sa, b + 1, sb, 8);
}

void rtse_sad_four8x16(uint8_t* a, int32_t sa, uint8_t* b, int32_t sb, int32_t* sad) {
  sad[0] = sad8(a, sa, b - sb, sb, 16);
  sad[1] = sad8(a, sa, b + sb, sb, 16);
  sad[2] = sad8(a, sa, b - 1, sb, 16);
  sad[3] = sad8(a, sa, b + 1, sb, 16);
}

void rtse_sad_four8x8(uint8_t* a, int32_t sa, uint8_t* b, int32_t sb, int32_t* sad) {
  sad[0] = sad8(a, sa, b - sb, sb, 8);
  sad[1] = sad8(a, sa, b + sb, sb, 8);
  sad[2] = sad8(a, sa, b - 1, sb, 8);
  sad[3] = sad8(a, sa, b + 1, sb, 8);
}

/* ---- forward transform ---- */

/* H.264 core transform across the four vectors: s0+s1, 2*s3+s2, s0-s1, s3-2*s2. */
static inline Block4 core4(Block4 m) {
  const v128_t s0 = wasm_i32x4_add(m.r0, m.r3);
  const v128_t s3 = wasm_i32x4_sub(m.r0, m.r3);
  const v128_t s1 = wasm_i32x4_add(m.r1, m.r2);
  const v128_t s2 = wasm_i32x4_sub(m.r1, m.r2);
  Block4 out;
  out.r0 = wasm_i32x4_add(s0, s1);
  out.r1 = wasm_i32x4_add(wasm_i32x4_shl(s3, 1), s2);
  out.r2 = wasm_i32x4_sub(s0, s1);
  out.r3 = wasm_i32x4_sub(s3, wasm_i32x4_shl(s2, 1));
  return out;
}

/* C: horizontal pass, then vertical. Both are exact for 9-bit differences (|result| < 2^14), so
 * vertical-then-horizontal gives the transpose of the same matrix; one more transpose fixes it. */
void rtse_dct_t4(int16_t* dct, uint8_t* a, int32_t sa, uint8_t* b, int32_t sb) {
  const Block4 y = transpose4(core4(transpose4(core4(diff_block4(a, sa, b, sb)))));
  wasm_v128_store(dct, wasm_i16x8_narrow_i32x4(y.r0, y.r1));
  wasm_v128_store(dct + 8, wasm_i16x8_narrow_i32x4(y.r2, y.r3));
}

static inline void dct_pair(int16_t* dct, const uint8_t* a, int32_t sa, const uint8_t* b,
                            int32_t sb);

/* Blocks 0, 1 (top left, top right), then 2, 3: two at a time in i16 (dct_pair, below). */
void rtse_dct_four_t4(int16_t* dct, uint8_t* a, int32_t sa, uint8_t* b, int32_t sb) {
  dct_pair(dct, a, sa, b, sb);
  dct_pair(dct + 32, a + 4 * sa, sa, b + 4 * sb, sb);
}

/* ---- inverse transform + reconstruction ---- */

/* C keeps the horizontal pass in int16 (iTemp[]), so wrap each lane to 16 bits like it does. */
static inline v128_t wrap16(v128_t v) { return wasm_i32x4_shr(wasm_i32x4_shl(v, 16), 16); }

void rtse_idct_t4_rec(uint8_t* rec, int32_t stride, uint8_t* pred, int32_t pred_stride,
                      int16_t* dct) {
  Block4 m;
  m.r0 = wasm_i32x4_load16x4(dct);
  m.r1 = wasm_i32x4_load16x4(dct + 4);
  m.r2 = wasm_i32x4_load16x4(dct + 8);
  m.r3 = wasm_i32x4_load16x4(dct + 12);
  /* Horizontal pass on columns (vector j = coefficient j of each row). */
  const Block4 c = transpose4(m);
  const v128_t sum_u = wasm_i32x4_add(c.r0, c.r2);
  const v128_t del_u = wasm_i32x4_sub(c.r0, c.r2);
  const v128_t sum_d = wasm_i32x4_add(c.r1, wasm_i32x4_shr(c.r3, 1));
  const v128_t del_d = wasm_i32x4_sub(wasm_i32x4_shr(c.r1, 1), c.r3);
  Block4 h;
  h.r0 = wrap16(wasm_i32x4_add(sum_u, sum_d));
  h.r1 = wrap16(wasm_i32x4_add(del_u, del_d));
  h.r2 = wrap16(wasm_i32x4_sub(del_u, del_d));
  h.r3 = wrap16(wasm_i32x4_sub(sum_u, sum_d));
  /* Back to rows; vertical pass in int32 as in C. */
  const Block4 t = transpose4(h);
  const v128_t sum_l = wasm_i32x4_add(t.r0, t.r2);
  const v128_t del_l = wasm_i32x4_sub(t.r0, t.r2);
  const v128_t del_r = wasm_i32x4_sub(wasm_i32x4_shr(t.r1, 1), t.r3);
  const v128_t sum_r = wasm_i32x4_add(t.r1, wasm_i32x4_shr(t.r3, 1));
  const v128_t k32 = wasm_i32x4_splat(32);
  v128_t out[4];
  out[0] = wasm_i32x4_add(wasm_i32x4_add(sum_l, sum_r), k32);
  out[1] = wasm_i32x4_add(wasm_i32x4_add(del_l, del_r), k32);
  out[2] = wasm_i32x4_add(wasm_i32x4_sub(del_l, del_r), k32);
  out[3] = wasm_i32x4_add(wasm_i32x4_sub(sum_l, sum_r), k32);
  for (int i = 0; i < 4; i++) {
    const v128_t p = wasm_u32x4_extend_low_u16x8(
        wasm_u16x8_extend_low_u8x16(wasm_v128_load32_zero(pred + i * pred_stride)));
    const v128_t r = wasm_i32x4_add(p, wasm_i32x4_shr(out[i], 6));
    /* Saturating i32 -> i16 -> u8 narrowing is WelsClip1 (clamp to 0..255). */
    const v128_t w = wasm_u8x16_narrow_i16x8(wasm_i16x8_narrow_i32x4(r, r), r);
    const uint32_t bytes = (uint32_t)wasm_i32x4_extract_lane(w, 0);
    memcpy(rec + i * stride, &bytes, 4);
  }
}

static inline void idct_pair_rec(uint8_t* rec, int32_t stride, const uint8_t* pred, int32_t ps,
                                 const int16_t* da, const int16_t* db);

/* Blocks 0 and 1 (top left, top right), then 2 and 3, two at a time (idct_pair_rec, below). */
void rtse_idct_four_t4_rec(uint8_t* rec, int32_t stride, uint8_t* pred, int32_t pred_stride,
                           int16_t* dct) {
  idct_pair_rec(rec, stride, pred, pred_stride, dct, dct + 16);
  idct_pair_rec(rec + 4 * stride, stride, pred + 4 * pred_stride, pred_stride, dct + 32, dct + 48);
}

/* ---- quantisation ----
 * C: q = ((ff + |x|) * mf) >> 16 in int32, then the sign of x put back. With OpenH264's tables
 * (ff, mf >= 0, (ff + |x|) * mf < 2^31) the product is the unsigned 16x16 -> 32 product and the
 * result is its high half. */

static inline v128_t quant_magnitude(v128_t x, v128_t ff, v128_t mf) {
  const v128_t t = wasm_i16x8_add(wasm_i16x8_abs(x), ff); /* |x| as u16, plus ff: < 2^16 */
  const v128_t lo = wasm_u32x4_extmul_low_u16x8(t, mf);
  const v128_t hi = wasm_u32x4_extmul_high_u16x8(t, mf);
  return wasm_i16x8_shuffle(lo, hi, 1, 3, 5, 7, 9, 11, 13, 15);
}

static inline v128_t with_sign(v128_t q, v128_t x) {
  const v128_t s = wasm_i16x8_shr(x, 15);
  return wasm_i16x8_sub(wasm_v128_xor(q, s), s);
}

static inline void quant8(int16_t* dct, v128_t ff, v128_t mf) {
  const v128_t x = wasm_v128_load(dct);
  wasm_v128_store(dct, with_sign(quant_magnitude(x, ff, mf), x));
}

void rtse_quant4x4(int16_t* dct, const int16_t* ff, const int16_t* mf) {
  const v128_t f = wasm_v128_load(ff);
  const v128_t m = wasm_v128_load(mf);
  quant8(dct, f, m);
  quant8(dct + 8, f, m);
}

void rtse_quant_four4x4(int16_t* dct, const int16_t* ff, const int16_t* mf) {
  const v128_t f = wasm_v128_load(ff);
  const v128_t m = wasm_v128_load(mf);
  for (int i = 0; i < 64; i += 8) quant8(dct + i, f, m);
}

void rtse_quant_four4x4_max(int16_t* dct, const int16_t* ff, const int16_t* mf, int16_t* max) {
  const v128_t f = wasm_v128_load(ff);
  const v128_t m = wasm_v128_load(mf);
  v128_t mx[4];
  for (int k = 0; k < 4; k++, dct += 16) {
    const v128_t x0 = wasm_v128_load(dct);
    const v128_t x1 = wasm_v128_load(dct + 8);
    const v128_t q0 = quant_magnitude(x0, f, m);
    const v128_t q1 = quant_magnitude(x1, f, m);
    wasm_v128_store(dct, with_sign(q0, x0));
    wasm_v128_store(dct + 8, with_sign(q1, x1));
    mx[k] = wasm_i16x8_max(q0, q1);
  }
  /* The four blocks' maxima reduced together: 8 lanes each -> 4 -> 2 -> 1. Magnitudes are below
   * 2^15, so a signed max is exact; C's running max starts at 0. */
  const v128_t a = wasm_i16x8_max(wasm_i16x8_shuffle(mx[0], mx[1], 0, 1, 2, 3, 8, 9, 10, 11),
                                  wasm_i16x8_shuffle(mx[0], mx[1], 4, 5, 6, 7, 12, 13, 14, 15));
  const v128_t b = wasm_i16x8_max(wasm_i16x8_shuffle(mx[2], mx[3], 0, 1, 2, 3, 8, 9, 10, 11),
                                  wasm_i16x8_shuffle(mx[2], mx[3], 4, 5, 6, 7, 12, 13, 14, 15));
  const v128_t c = wasm_i16x8_max(wasm_i16x8_shuffle(a, b, 0, 1, 4, 5, 8, 9, 12, 13),
                                  wasm_i16x8_shuffle(a, b, 2, 3, 6, 7, 10, 11, 14, 15));
  const v128_t d = wasm_i16x8_max(wasm_i16x8_shuffle(c, c, 0, 2, 4, 6, 0, 2, 4, 6),
                                  wasm_i16x8_shuffle(c, c, 1, 3, 5, 7, 1, 3, 5, 7));
  wasm_v128_store64_lane(max, wasm_i16x8_max(d, wasm_i16x8_splat(0)), 0);
}

/* ---- copy ---- */

void rtse_copy16x16(uint8_t* dst, int32_t stride_dst, uint8_t* src, int32_t stride_src) {
  for (int i = 0; i < 16; i++) {
    wasm_v128_store(dst + i * stride_dst, wasm_v128_load(src + i * stride_src));
  }
}

/* ---- background-detection statistics ---- */

/* Sums of the u32x4 lanes 0+1 (left 8 bytes of the rows) and 2+3 (right 8 bytes). */
static inline void half_sums(v128_t acc16, int32_t* left, int32_t* right) {
  const v128_t s = wasm_u32x4_extadd_pairwise_u16x8(acc16);
  *left = wasm_i32x4_extract_lane(s, 0) + wasm_i32x4_extract_lane(s, 1);
  *right = wasm_i32x4_extract_lane(s, 2) + wasm_i32x4_extract_lane(s, 3);
}

/* One 16x8 strip: blocks `index` (left) and `index + 1` (right). */
static inline int32_t vaa_strip(const uint8_t* cur, const uint8_t* ref, int32_t stride,
                                int32_t index, int32_t* sad8x8, int32_t* sd8x8, uint8_t* mad8x8) {
  v128_t sum_cur = wasm_i16x8_splat(0), sum_ref = sum_cur, sum_ad = sum_cur, max_ad = sum_cur;
  for (int k = 0; k < 8; k++) { /* u16 lanes: at most 8 rows x 2 x 255 */
    const v128_t c = wasm_v128_load(cur + k * stride);
    const v128_t r = wasm_v128_load(ref + k * stride);
    const v128_t d = absdiff_u8(c, r);
    sum_cur = wasm_i16x8_add(sum_cur, wasm_u16x8_extadd_pairwise_u8x16(c));
    sum_ref = wasm_i16x8_add(sum_ref, wasm_u16x8_extadd_pairwise_u8x16(r));
    sum_ad = wasm_i16x8_add(sum_ad, wasm_u16x8_extadd_pairwise_u8x16(d));
    max_ad = wasm_u8x16_max(max_ad, d);
  }
  int32_t sad_l, sad_r, cur_l, cur_r, ref_l, ref_r;
  half_sums(sum_ad, &sad_l, &sad_r);
  half_sums(sum_cur, &cur_l, &cur_r);
  half_sums(sum_ref, &ref_l, &ref_r);
  /* Max within each 8-byte half. */
  max_ad = wasm_u8x16_max(max_ad, wasm_i8x16_shuffle(max_ad, max_ad, 4, 5, 6, 7, 0, 1, 2, 3, 12,
                                                     13, 14, 15, 8, 9, 10, 11));
  max_ad = wasm_u8x16_max(max_ad, wasm_i8x16_shuffle(max_ad, max_ad, 2, 3, 0, 1, 6, 7, 4, 5, 10,
                                                     11, 8, 9, 14, 15, 12, 13));
  max_ad = wasm_u8x16_max(max_ad, wasm_i8x16_shuffle(max_ad, max_ad, 1, 0, 3, 2, 5, 4, 7, 6, 9, 8,
                                                     11, 10, 13, 12, 15, 14));
  sad8x8[index] = sad_l;
  sad8x8[index + 1] = sad_r;
  sd8x8[index] = cur_l - ref_l; /* the sum of differences is the difference of the sums */
  sd8x8[index + 1] = cur_r - ref_r;
  mad8x8[index] = (uint8_t)wasm_u8x16_extract_lane(max_ad, 0);
  mad8x8[index + 1] = (uint8_t)wasm_u8x16_extract_lane(max_ad, 8);
  return sad_l + sad_r;
}

void rtse_vaa_calc_sad_bgd(const uint8_t* cur, const uint8_t* ref, int32_t width, int32_t height,
                           int32_t stride, int32_t* frame_sad, int32_t* sad8x8, int32_t* sd8x8,
                           uint8_t* mad8x8) {
  const int32_t mb_width = width >> 4;
  const int32_t mb_height = height >> 4;
  int32_t total = 0;
  int32_t mb = 0;
  for (int32_t i = 0; i < mb_height; i++) {
    const uint8_t* c = cur + (size_t)i * 16 * stride;
    const uint8_t* r = ref + (size_t)i * 16 * stride;
    for (int32_t j = 0; j < mb_width; j++, mb++, c += 16, r += 16) {
      total += vaa_strip(c, r, stride, mb * 4, sad8x8, sd8x8, mad8x8);
      total += vaa_strip(c + 8 * stride, r + 8 * stride, stride, mb * 4 + 2, sad8x8, sd8x8, mad8x8);
    }
  }
  *frame_sad = total;
}

/* ---- motion compensation ---- */

static inline uint8_t clip255(int32_t v) { return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v); }

/* McCopy_c's widths (16, 8, 4; 2 for chroma) without a call to memcpy per row. */
static inline void copy_block(const uint8_t* src, int32_t src_stride, uint8_t* dst,
                              int32_t dst_stride, int32_t width, int32_t height) {
  if (width == 16) {
    for (int32_t i = 0; i < height; i++) {
      wasm_v128_store(dst + i * dst_stride, wasm_v128_load(src + i * src_stride));
    }
  } else if (width == 8) {
    for (int32_t i = 0; i < height; i++) {
      wasm_v128_store64_lane(dst + i * dst_stride, wasm_v128_load64_zero(src + i * src_stride), 0);
    }
  } else if (width == 4) {
    for (int32_t i = 0; i < height; i++) memcpy(dst + i * dst_stride, src + i * src_stride, 4);
  } else {
    for (int32_t i = 0; i < height; i++) {
      memcpy(dst + i * dst_stride, src + i * src_stride, (size_t)width);
    }
  }
}

/* (a + b + 1) >> 1 per byte is exactly wasm's rounding average. */
void rtse_pixel_avg(uint8_t* dst, int32_t dst_stride, const uint8_t* a, int32_t a_stride,
                    const uint8_t* b, int32_t b_stride, int32_t width, int32_t height) {
  for (int32_t i = 0; i < height; i++) {
    int32_t j = 0;
    for (; j + 16 <= width; j += 16) {
      wasm_v128_store(dst + j, wasm_u8x16_avgr(wasm_v128_load(a + j), wasm_v128_load(b + j)));
    }
    if (j + 8 <= width) {
      const v128_t v = wasm_u8x16_avgr(wasm_v128_load64_zero(a + j), wasm_v128_load64_zero(b + j));
      wasm_v128_store64_lane(dst + j, v, 0);
      j += 8;
    }
    for (; j < width; j++) dst[j] = (uint8_t)((a[j] + b[j] + 1) >> 1);
    dst += dst_stride;
    a += a_stride;
    b += b_stride;
  }
}

/* H.264 chroma interpolation, eighth-sample weights (8-dx)(8-dy), dx(8-dy), (8-dx)dy, dx dy; the
 * weighted sum is at most 64 x 255 + 32, so u16 lanes hold it. */
void rtse_mc_chroma(const uint8_t* src, int32_t src_stride, uint8_t* dst, int32_t dst_stride,
                    int16_t mv_x, int16_t mv_y, int32_t width, int32_t height) {
  const int32_t dx = mv_x & 7, dy = mv_y & 7;
  if (dx == 0 && dy == 0) { /* McCopy_c */
    copy_block(src, src_stride, dst, dst_stride, width, height);
    return;
  }
  /* (8-dx)(8-dy) A + dx(8-dy) B + (8-dx)dy C + dx dy D = (8-dy) H(row) + dy H(next row), with
   * H = (8-dx) A + dx B: each row's horizontal sum is computed once and used for two output rows
   * (at most 8 x 8 x 255 + 32, so u16 lanes hold it). */
  const v128_t ha = wasm_i16x8_splat((int16_t)(8 - dx)), hb = wasm_i16x8_splat((int16_t)dx);
  const v128_t va = wasm_i16x8_splat((int16_t)(8 - dy)), vb = wasm_i16x8_splat((int16_t)dy);
  const v128_t k32 = wasm_i16x8_splat(32);
  int32_t j = 0;
  for (; j + 8 <= width; j += 8) {
    const uint8_t* s = src + j;
    v128_t h0 = wasm_i16x8_add(wasm_i16x8_mul(ha, wasm_u16x8_load8x8(s)),
                               wasm_i16x8_mul(hb, wasm_u16x8_load8x8(s + 1)));
    for (int32_t i = 0; i < height; i++) {
      s += src_stride;
      const v128_t h1 = wasm_i16x8_add(wasm_i16x8_mul(ha, wasm_u16x8_load8x8(s)),
                                       wasm_i16x8_mul(hb, wasm_u16x8_load8x8(s + 1)));
      v128_t sum = wasm_i16x8_add(wasm_i16x8_mul(va, h0), wasm_i16x8_mul(vb, h1));
      sum = wasm_u16x8_shr(wasm_i16x8_add(sum, k32), 6);
      wasm_v128_store64_lane(dst + i * dst_stride + j, wasm_u8x16_narrow_i16x8(sum, sum), 0);
      h0 = h1;
    }
  }
  if (j + 4 <= width && (height & 1) == 0) { /* 4 columns: two rows per vector */
    const uint8_t* s = src + j;
    uint8_t* d = dst + j;
    v128_t h0 = wasm_i16x8_add(wasm_i16x8_mul(ha, wasm_u16x8_extend_low_u8x16(wasm_v128_load32_zero(s))),
                               wasm_i16x8_mul(hb, wasm_u16x8_extend_low_u8x16(wasm_v128_load32_zero(s + 1))));
    for (int32_t i = 0; i < height; i += 2) {
      const uint8_t* s1 = s + (i + 1) * src_stride;
      const uint8_t* s2 = s1 + src_stride;
      const v128_t h1 = wasm_i16x8_add(
          wasm_i16x8_mul(ha, wasm_u16x8_extend_low_u8x16(wasm_v128_load32_zero(s1))),
          wasm_i16x8_mul(hb, wasm_u16x8_extend_low_u8x16(wasm_v128_load32_zero(s1 + 1))));
      const v128_t h2 = wasm_i16x8_add(
          wasm_i16x8_mul(ha, wasm_u16x8_extend_low_u8x16(wasm_v128_load32_zero(s2))),
          wasm_i16x8_mul(hb, wasm_u16x8_extend_low_u8x16(wasm_v128_load32_zero(s2 + 1))));
      v128_t sum = wasm_i16x8_add(wasm_i16x8_mul(va, wasm_i64x2_shuffle(h0, h1, 0, 2)),
                                  wasm_i16x8_mul(vb, wasm_i64x2_shuffle(h1, h2, 0, 2)));
      sum = wasm_u16x8_shr(wasm_i16x8_add(sum, k32), 6);
      const v128_t b = wasm_u8x16_narrow_i16x8(sum, sum);
      wasm_v128_store32_lane(d + i * dst_stride, b, 0);
      wasm_v128_store32_lane(d + (i + 1) * dst_stride, b, 1);
      h0 = h2;
    }
    j += 4;
  }
  if (j < width) {
    const int32_t wa = (8 - dx) * (8 - dy), wb = dx * (8 - dy), wc = (8 - dx) * dy, wd = dx * dy;
    for (int32_t i = 0; i < height; i++) {
      const uint8_t* s0 = src + i * src_stride;
      const uint8_t* s1 = s0 + src_stride;
      uint8_t* d = dst + i * dst_stride;
      for (int32_t k = j; k < width; k++) {
        d[k] = (uint8_t)((wa * s0[k] + wb * s0[k + 1] + wc * s1[k] + wd * s1[k + 1] + 32) >> 6);
      }
    }
  }
}

/* The 6-tap half-sample filter (1, -5, 20, 20, -5, 1) on eight u8 columns: -2550..10710, fits i16. */
static inline v128_t tap6_u8(const uint8_t* p, int32_t step) {
  const v128_t p05 = wasm_i16x8_add(wasm_u16x8_load8x8(p - 2 * step), wasm_u16x8_load8x8(p + 3 * step));
  const v128_t p14 = wasm_i16x8_add(wasm_u16x8_load8x8(p - step), wasm_u16x8_load8x8(p + 2 * step));
  const v128_t p23 = wasm_i16x8_add(wasm_u16x8_load8x8(p), wasm_u16x8_load8x8(p + step));
  return wasm_i16x8_add(wasm_i16x8_sub(p05, wasm_i16x8_mul(p14, wasm_i16x8_splat(5))),
                        wasm_i16x8_mul(p23, wasm_i16x8_splat(20)));
}

static inline int32_t tap6_scalar(const uint8_t* p, int32_t step) {
  return (p[-2 * step] + p[3 * step]) - 5 * (p[-step] + p[2 * step]) + 20 * (p[0] + p[step]);
}

/* (x + 16) >> 5, clipped to 0..255 by the saturating narrow; stores eight bytes. */
static inline void store_round5(uint8_t* d, v128_t x) {
  const v128_t r = wasm_i16x8_shr(wasm_i16x8_add(x, wasm_i16x8_splat(16)), 5);
  wasm_v128_store64_lane(d, wasm_u8x16_narrow_i16x8(r, r), 0);
}

static void halfpel_1d(const uint8_t* src, int32_t src_stride, uint8_t* dst, int32_t dst_stride,
                       int32_t width, int32_t height, int32_t step) {
  for (int32_t i = 0; i < height; i++) {
    int32_t j = 0;
    for (; j + 8 <= width; j += 8) store_round5(dst + j, tap6_u8(src + j, step));
    if (j < width && width >= 8) { /* the last 8 columns again (ME's widths 9 and 17) */
      store_round5(dst + width - 8, tap6_u8(src + width - 8, step));
    } else {
      for (; j < width; j++) dst[j] = clip255((tap6_scalar(src + j, step) + 16) >> 5);
    }
    src += src_stride;
    dst += dst_stride;
  }
}

void rtse_halfpel_hor(const uint8_t* src, int32_t src_stride, uint8_t* dst, int32_t dst_stride,
                      int32_t width, int32_t height) {
  halfpel_1d(src, src_stride, dst, dst_stride, width, height, 1);
}

void rtse_halfpel_ver(const uint8_t* src, int32_t src_stride, uint8_t* dst, int32_t dst_stride,
                      int32_t width, int32_t height) {
  halfpel_1d(src, src_stride, dst, dst_stride, width, height, src_stride);
}

/* Vertical filter into int16 (as C's iTmp[]), then the horizontal filter in int32, + 512 >> 10.
 * The horizontal taps go through i32x4.dot_i16x8_s on neighbouring pairs: (t0, t1) . (1, -5) +
 * (t2, t3) . (20, 20) + (t4, t5) . (-5, 1), the same exact integer sum as C's. */
void rtse_halfpel_cen(const uint8_t* src, int32_t src_stride, uint8_t* dst, int32_t dst_stride,
                      int32_t width, int32_t height) {
  int16_t tmp[64 + 16] = {0}; /* lanes past width + 5 are read but never used */
  if (width > 64) { /* wider than any caller; keep the buffer bounded */
    rtse_halfpel_cen(src, src_stride, dst, dst_stride, 64, height);
    rtse_halfpel_cen(src + 64, src_stride, dst + 64, dst_stride, width - 64, height);
    return;
  }
  const v128_t c01 = wasm_i16x8_make(1, -5, 1, -5, 1, -5, 1, -5);
  const v128_t c23 = wasm_i16x8_splat(20);
  const v128_t c45 = wasm_i16x8_make(-5, 1, -5, 1, -5, 1, -5, 1);
  const v128_t k512 = wasm_i32x4_splat(512);
  for (int32_t i = 0; i < height; i++) {
    const int32_t n = width + 5;
    int32_t j = 0;
    for (; j + 8 <= n; j += 8) wasm_v128_store(tmp + j, tap6_u8(src - 2 + j, src_stride));
    if (j < n && n >= 8) { /* the last 8 columns again (widths 5, 9, 17) */
      wasm_v128_store(tmp + n - 8, tap6_u8(src - 2 + n - 8, src_stride));
    } else {
      for (; j < n; j++) tmp[j] = (int16_t)tap6_scalar(src - 2 + j, src_stride);
    }
    int32_t k = 0;
    for (;;) {
      if (k + 4 > width) {
        if (k == width || width < 4) break;
        k = width - 4; /* the last 4 outputs again (widths 5, 9, 17) */
      }
      const v128_t v0 = wasm_v128_load(tmp + k), v1 = wasm_v128_load(tmp + k + 8);
      v128_t x = wasm_i32x4_dot_i16x8(wasm_i16x8_shuffle(v0, v0, 0, 1, 1, 2, 2, 3, 3, 4), c01);
      x = wasm_i32x4_add(x, wasm_i32x4_dot_i16x8(wasm_i16x8_shuffle(v0, v0, 2, 3, 3, 4, 4, 5, 5, 6), c23));
      x = wasm_i32x4_add(x, wasm_i32x4_dot_i16x8(wasm_i16x8_shuffle(v0, v1, 4, 5, 5, 6, 6, 7, 7, 8), c45));
      x = wasm_i32x4_shr(wasm_i32x4_add(x, k512), 10);
      const v128_t h = wasm_i16x8_narrow_i32x4(x, x);
      wasm_v128_store32_lane(dst + k, wasm_u8x16_narrow_i16x8(h, h), 0);
      k += 4;
    }
    for (; k < width; k++) { /* widths below 4 */
      const int32_t x = (tmp[k] + tmp[k + 5]) - 5 * (tmp[k + 1] + tmp[k + 4]) +
                        20 * (tmp[k + 2] + tmp[k + 3]);
      dst[k] = clip255((x + 512) >> 10);
    }
    src += src_stride;
    dst += dst_stride;
  }
}

/* ---- luma deblocking ----
 * The 16 pixels along the edge are the lanes: v[0..7] = p3 p2 p1 p0 q0 q1 q2 q3, computed in i16
 * halves (8 lanes each). For vertical edges (H) the 16x8 block around the edge is transposed in
 * and out; p3 and q3 are written back unchanged. */

typedef struct {
  v128_t v[8];
} Edge;

static inline Edge load_edge_v(const uint8_t* pix, int32_t stride) {
  Edge e;
  for (int k = 0; k < 8; k++) e.v[k] = wasm_v128_load(pix + (k - 4) * stride);
  return e;
}

static inline void store_edge_v(uint8_t* pix, int32_t stride, const Edge* e) {
  for (int k = 1; k < 7; k++) wasm_v128_store(pix + (k - 4) * stride, e->v[k]);
}

/* 16 rows of 8 bytes at pix - 4 -> 8 vectors of 16 (column k of every row). */
static inline Edge load_edge_h(const uint8_t* pix, int32_t stride) {
  v128_t a[8], b[8], c[8];
  const uint8_t* p = pix - 4;
  for (int k = 0; k < 8; k++) { /* bytes of rows 2k, 2k+1 interleaved: column-major pairs */
    a[k] = wasm_i8x16_shuffle(wasm_v128_load64_zero(p + 2 * k * stride),
                              wasm_v128_load64_zero(p + (2 * k + 1) * stride), 0, 16, 1, 17, 2,
                              18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  }
  for (int m = 0; m < 4; m++) { /* 4 rows per column: columns 0-3 (b[2m]) and 4-7 (b[2m+1]) */
    b[2 * m] = wasm_i16x8_shuffle(a[2 * m], a[2 * m + 1], 0, 8, 1, 9, 2, 10, 3, 11);
    b[2 * m + 1] = wasm_i16x8_shuffle(a[2 * m], a[2 * m + 1], 4, 12, 5, 13, 6, 14, 7, 15);
  }
  for (int h = 0; h < 2; h++) { /* 8 rows per column: rows 0-7 (c[0..3]) and 8-15 (c[4..7]) */
    const v128_t lo0 = b[4 * h], hi0 = b[4 * h + 1], lo1 = b[4 * h + 2], hi1 = b[4 * h + 3];
    c[4 * h + 0] = wasm_i32x4_shuffle(lo0, lo1, 0, 4, 1, 5); /* columns 0, 1 */
    c[4 * h + 1] = wasm_i32x4_shuffle(lo0, lo1, 2, 6, 3, 7); /* columns 2, 3 */
    c[4 * h + 2] = wasm_i32x4_shuffle(hi0, hi1, 0, 4, 1, 5); /* columns 4, 5 */
    c[4 * h + 3] = wasm_i32x4_shuffle(hi0, hi1, 2, 6, 3, 7); /* columns 6, 7 */
  }
  Edge e;
  for (int q = 0; q < 4; q++) {
    e.v[2 * q] = wasm_i64x2_shuffle(c[q], c[4 + q], 0, 2);
    e.v[2 * q + 1] = wasm_i64x2_shuffle(c[q], c[4 + q], 1, 3);
  }
  return e;
}

static inline void store_edge_h(uint8_t* pix, int32_t stride, const Edge* e) {
  v128_t a[8], b[8];
  for (int k = 0; k < 4; k++) { /* columns 2k, 2k+1 interleaved: rows 0-7 (a[2k]), 8-15 */
    a[2 * k] = wasm_i8x16_shuffle(e->v[2 * k], e->v[2 * k + 1], 0, 16, 1, 17, 2, 18, 3, 19, 4,
                                  20, 5, 21, 6, 22, 7, 23);
    a[2 * k + 1] = wasm_i8x16_shuffle(e->v[2 * k], e->v[2 * k + 1], 8, 24, 9, 25, 10, 26, 11, 27,
                                      12, 28, 13, 29, 14, 30, 15, 31);
  }
  for (int h = 0; h < 2; h++) { /* columns 0-3 of rows 8h..8h+3 and 8h+4..8h+7; same for 4-7 */
    b[4 * h + 0] = wasm_i16x8_shuffle(a[h], a[2 + h], 0, 8, 1, 9, 2, 10, 3, 11);
    b[4 * h + 1] = wasm_i16x8_shuffle(a[h], a[2 + h], 4, 12, 5, 13, 6, 14, 7, 15);
    b[4 * h + 2] = wasm_i16x8_shuffle(a[4 + h], a[6 + h], 0, 8, 1, 9, 2, 10, 3, 11);
    b[4 * h + 3] = wasm_i16x8_shuffle(a[4 + h], a[6 + h], 4, 12, 5, 13, 6, 14, 7, 15);
  }
  uint8_t* p = pix - 4;
  for (int h = 0; h < 2; h++) {
    for (int g = 0; g < 2; g++) { /* rows 8h + 4g .. +3 */
      const v128_t lo = b[4 * h + g], hi = b[4 * h + 2 + g];
      const v128_t r01 = wasm_i32x4_shuffle(lo, hi, 0, 4, 1, 5);
      const v128_t r23 = wasm_i32x4_shuffle(lo, hi, 2, 6, 3, 7);
      uint8_t* row = p + (8 * h + 4 * g) * stride;
      wasm_v128_store64_lane(row, r01, 0);
      wasm_v128_store64_lane(row + stride, r01, 1);
      wasm_v128_store64_lane(row + 2 * stride, r23, 0);
      wasm_v128_store64_lane(row + 3 * stride, r23, 1);
    }
  }
}

static inline v128_t lo16(v128_t v) { return wasm_u16x8_extend_low_u8x16(v); }
static inline v128_t hi16(v128_t v) { return wasm_u16x8_extend_high_u8x16(v); }
static inline v128_t absd16(v128_t a, v128_t b) { return wasm_i16x8_abs(wasm_i16x8_sub(a, b)); }
static inline v128_t clip3_16(v128_t x, v128_t lo, v128_t hi) {
  return wasm_i16x8_min(wasm_i16x8_max(x, lo), hi);
}

/* bS < 4 on eight lanes (i16 values); tc0 per lane. Writes p1 p0 q0 q1 back into x[]. */
static inline void lt4_half(v128_t x[8], v128_t tc0, v128_t alpha, v128_t beta) {
  const v128_t p2 = x[1], p1 = x[2], p0 = x[3], q0 = x[4], q1 = x[5], q2 = x[6];
  const v128_t mask = wasm_v128_and(
      wasm_v128_and(wasm_i16x8_ge(tc0, wasm_i16x8_splat(0)), wasm_i16x8_lt(absd16(p0, q0), alpha)),
      wasm_v128_and(wasm_i16x8_lt(absd16(p1, p0), beta), wasm_i16x8_lt(absd16(q1, q0), beta)));
  const v128_t ap = wasm_v128_and(mask, wasm_i16x8_lt(absd16(p2, p0), beta));
  const v128_t aq = wasm_v128_and(mask, wasm_i16x8_lt(absd16(q2, q0), beta));
  const v128_t ntc0 = wasm_i16x8_neg(tc0);
  const v128_t avg = wasm_i16x8_shr(wasm_i16x8_add(wasm_i16x8_add(p0, q0), wasm_i16x8_splat(1)), 1);
  const v128_t dp1 = clip3_16(
      wasm_i16x8_shr(wasm_i16x8_sub(wasm_i16x8_add(p2, avg), wasm_i16x8_shl(p1, 1)), 1), ntc0, tc0);
  const v128_t dq1 = clip3_16(
      wasm_i16x8_shr(wasm_i16x8_sub(wasm_i16x8_add(q2, avg), wasm_i16x8_shl(q1, 1)), 1), ntc0, tc0);
  const v128_t tc = wasm_i16x8_sub(wasm_i16x8_sub(tc0, ap), aq); /* masks are -1: tc0 + ap + aq */
  const v128_t d0 = wasm_i16x8_add(wasm_i16x8_shl(wasm_i16x8_sub(q0, p0), 2), wasm_i16x8_sub(p1, q1));
  const v128_t delta = clip3_16(wasm_i16x8_shr(wasm_i16x8_add(d0, wasm_i16x8_splat(4)), 3),
                                wasm_i16x8_neg(tc), tc);
  x[2] = wasm_v128_bitselect(wasm_i16x8_add(p1, dp1), p1, ap);
  x[5] = wasm_v128_bitselect(wasm_i16x8_add(q1, dq1), q1, aq);
  /* p0 + delta, q0 - delta are clipped to 0..255 by the saturating narrow afterwards. */
  x[3] = wasm_v128_bitselect(wasm_i16x8_add(p0, delta), p0, mask);
  x[4] = wasm_v128_bitselect(wasm_i16x8_sub(q0, delta), q0, mask);
}

/* bS 4 on eight lanes. Writes p2..q2 back into x[]. */
static inline void eq4_half(v128_t x[8], v128_t alpha, v128_t beta) {
  const v128_t p3 = x[0], p2 = x[1], p1 = x[2], p0 = x[3], q0 = x[4], q1 = x[5], q2 = x[6],
               q3 = x[7];
  const v128_t d = absd16(p0, q0);
  const v128_t mask = wasm_v128_and(
      wasm_i16x8_lt(d, alpha),
      wasm_v128_and(wasm_i16x8_lt(absd16(p1, p0), beta), wasm_i16x8_lt(absd16(q1, q0), beta)));
  const v128_t strong = wasm_v128_and(
      mask, wasm_i16x8_lt(d, wasm_i16x8_add(wasm_i16x8_shr(alpha, 2), wasm_i16x8_splat(2))));
  const v128_t ap = wasm_v128_and(strong, wasm_i16x8_lt(absd16(p2, p0), beta));
  const v128_t aq = wasm_v128_and(strong, wasm_i16x8_lt(absd16(q2, q0), beta));
  const v128_t k2 = wasm_i16x8_splat(2), k4 = wasm_i16x8_splat(4);
  const v128_t p0q0 = wasm_i16x8_add(p0, q0);
  /* strong p side */
  const v128_t sp0 = wasm_i16x8_shr(
      wasm_i16x8_add(wasm_i16x8_add(wasm_i16x8_add(p2, wasm_i16x8_shl(wasm_i16x8_add(p1, p0q0), 1)),
                                    q1),
                     k4),
      3);
  const v128_t sp1 = wasm_i16x8_shr(wasm_i16x8_add(wasm_i16x8_add(wasm_i16x8_add(p2, p1), p0q0), k2), 2);
  const v128_t sp2 = wasm_i16x8_shr(
      wasm_i16x8_add(wasm_i16x8_add(wasm_i16x8_add(wasm_i16x8_shl(p3, 1), wasm_i16x8_mul(p2, wasm_i16x8_splat(3))),
                                    wasm_i16x8_add(p1, p0q0)),
                     k4),
      3);
  const v128_t wp0 =
      wasm_i16x8_shr(wasm_i16x8_add(wasm_i16x8_add(wasm_i16x8_shl(p1, 1), p0), wasm_i16x8_add(q1, k2)), 2);
  /* strong q side */
  const v128_t sq0 = wasm_i16x8_shr(
      wasm_i16x8_add(wasm_i16x8_add(wasm_i16x8_add(p1, wasm_i16x8_shl(wasm_i16x8_add(q1, p0q0), 1)),
                                    q2),
                     k4),
      3);
  const v128_t sq1 = wasm_i16x8_shr(wasm_i16x8_add(wasm_i16x8_add(wasm_i16x8_add(q2, q1), p0q0), k2), 2);
  const v128_t sq2 = wasm_i16x8_shr(
      wasm_i16x8_add(wasm_i16x8_add(wasm_i16x8_add(wasm_i16x8_shl(q3, 1), wasm_i16x8_mul(q2, wasm_i16x8_splat(3))),
                                    wasm_i16x8_add(q1, p0q0)),
                     k4),
      3);
  const v128_t wq0 =
      wasm_i16x8_shr(wasm_i16x8_add(wasm_i16x8_add(wasm_i16x8_shl(q1, 1), q0), wasm_i16x8_add(p1, k2)), 2);
  x[1] = wasm_v128_bitselect(sp2, p2, ap);
  x[2] = wasm_v128_bitselect(sp1, p1, ap);
  x[3] = wasm_v128_bitselect(wasm_v128_bitselect(sp0, wp0, ap), p0, mask);
  x[4] = wasm_v128_bitselect(wasm_v128_bitselect(sq0, wq0, aq), q0, mask);
  x[5] = wasm_v128_bitselect(sq1, q1, aq);
  x[6] = wasm_v128_bitselect(sq2, q2, aq);
}

static inline void filter_edge(Edge* e, int32_t alpha, int32_t beta, const int8_t* tc) {
  v128_t lo[8], hi[8];
  for (int k = 0; k < 8; k++) {
    lo[k] = lo16(e->v[k]);
    hi[k] = hi16(e->v[k]);
  }
  const v128_t va = wasm_i16x8_splat((int16_t)alpha), vb = wasm_i16x8_splat((int16_t)beta);
  if (tc != NULL) { /* tc[i >> 2] for lane i */
    lt4_half(lo, wasm_i16x8_make(tc[0], tc[0], tc[0], tc[0], tc[1], tc[1], tc[1], tc[1]), va, vb);
    lt4_half(hi, wasm_i16x8_make(tc[2], tc[2], tc[2], tc[2], tc[3], tc[3], tc[3], tc[3]), va, vb);
  } else {
    eq4_half(lo, va, vb);
    eq4_half(hi, va, vb);
  }
  for (int k = 1; k < 7; k++) e->v[k] = wasm_u8x16_narrow_i16x8(lo[k], hi[k]);
}

void rtse_deblock_luma_lt4_v(uint8_t* pix, int32_t stride, int32_t alpha, int32_t beta, int8_t* tc) {
  Edge e = load_edge_v(pix, stride);
  filter_edge(&e, alpha, beta, tc);
  store_edge_v(pix, stride, &e);
}

void rtse_deblock_luma_lt4_h(uint8_t* pix, int32_t stride, int32_t alpha, int32_t beta, int8_t* tc) {
  Edge e = load_edge_h(pix, stride);
  filter_edge(&e, alpha, beta, tc);
  store_edge_h(pix, stride, &e);
}

void rtse_deblock_luma_eq4_v(uint8_t* pix, int32_t stride, int32_t alpha, int32_t beta) {
  Edge e = load_edge_v(pix, stride);
  filter_edge(&e, alpha, beta, NULL);
  store_edge_v(pix, stride, &e);
}

void rtse_deblock_luma_eq4_h(uint8_t* pix, int32_t stride, int32_t alpha, int32_t beta) {
  Edge e = load_edge_h(pix, stride);
  filter_edge(&e, alpha, beta, NULL);
  store_edge_h(pix, stride, &e);
}

static inline v128_t diff8(const uint8_t* a, const uint8_t* b) {
  return wasm_i16x8_sub(wasm_u16x8_load8x8(a), wasm_u16x8_load8x8(b));
}

/* ---- forward transform of two 4x4 blocks side by side in i16 ---- */

/* Transposes the two 4x4 blocks held in r[0..3] (lanes 0-3 block A, 4-7 block B). */
static inline void transpose_pair4(v128_t r[4]) {
  const v128_t t0 = wasm_i16x8_shuffle(r[0], r[1], 0, 8, 1, 9, 2, 10, 3, 11);
  const v128_t t1 = wasm_i16x8_shuffle(r[0], r[1], 4, 12, 5, 13, 6, 14, 7, 15);
  const v128_t t2 = wasm_i16x8_shuffle(r[2], r[3], 0, 8, 1, 9, 2, 10, 3, 11);
  const v128_t t3 = wasm_i16x8_shuffle(r[2], r[3], 4, 12, 5, 13, 6, 14, 7, 15);
  const v128_t u0 = wasm_i32x4_shuffle(t0, t2, 0, 4, 1, 5);
  const v128_t u1 = wasm_i32x4_shuffle(t0, t2, 2, 6, 3, 7);
  const v128_t u2 = wasm_i32x4_shuffle(t1, t3, 0, 4, 1, 5);
  const v128_t u3 = wasm_i32x4_shuffle(t1, t3, 2, 6, 3, 7);
  r[0] = wasm_i64x2_shuffle(u0, u2, 0, 2);
  r[1] = wasm_i64x2_shuffle(u0, u2, 1, 3);
  r[2] = wasm_i64x2_shuffle(u1, u3, 0, 2);
  r[3] = wasm_i64x2_shuffle(u1, u3, 1, 3);
}

static inline void core4_i16(v128_t r[4]) {
  const v128_t s0 = wasm_i16x8_add(r[0], r[3]);
  const v128_t s3 = wasm_i16x8_sub(r[0], r[3]);
  const v128_t s1 = wasm_i16x8_add(r[1], r[2]);
  const v128_t s2 = wasm_i16x8_sub(r[1], r[2]);
  r[0] = wasm_i16x8_add(s0, s1);
  r[1] = wasm_i16x8_add(wasm_i16x8_shl(s3, 1), s2);
  r[2] = wasm_i16x8_sub(s0, s1);
  r[3] = wasm_i16x8_sub(s3, wasm_i16x8_shl(s2, 1));
}

/* ---- SATD of whole 4x4 blocks, two side by side per i16 vector ----
 * The 2-D Hadamard transform is linear and exact in i16 here (|coefficient| <= 16 x 255): the
 * vertical butterflies across the row vectors, a transpose, the first horizontal stage, and the
 * last one replaced by the identity |x + y| + |x - y| = 2 max(|x|, |y|). Each block's sum of
 * absolute coefficients is then even, so C's (sum + 1) >> 1 is exactly the sum of those maxima,
 * and blocks can be summed without rounding each. */
static inline v128_t satd_pair(v128_t d0, v128_t d1, v128_t d2, v128_t d3) {
  const v128_t e0 = wasm_i16x8_add(d0, d1), e1 = wasm_i16x8_sub(d0, d1);
  const v128_t e2 = wasm_i16x8_add(d2, d3), e3 = wasm_i16x8_sub(d2, d3);
  v128_t f[4] = {wasm_i16x8_add(e0, e2), wasm_i16x8_add(e1, e3), wasm_i16x8_sub(e0, e2),
                 wasm_i16x8_sub(e1, e3)};
  transpose_pair4(f); /* f[k]: column k, lanes = vertical frequency of block A, then B */
  const v128_t u0 = wasm_i16x8_add(f[0], f[1]), u1 = wasm_i16x8_sub(f[0], f[1]);
  const v128_t u2 = wasm_i16x8_add(f[2], f[3]), u3 = wasm_i16x8_sub(f[2], f[3]);
  return wasm_i16x8_add(wasm_i16x8_max(wasm_i16x8_abs(u0), wasm_i16x8_abs(u2)),
                        wasm_i16x8_max(wasm_i16x8_abs(u1), wasm_i16x8_abs(u3)));
}

/* Each lane adds at most 2 x 2040 per 4-row strip of 8 columns; 16x16 sums 8 of them: < 2^15. */
static inline int32_t satd_wide(const uint8_t* a, int32_t sa, const uint8_t* b, int32_t sb, int w,
                                int h) {
  v128_t acc = wasm_i16x8_splat(0);
  for (int y = 0; y < h; y += 4) {
    for (int x = 0; x < w; x += 8) {
      const uint8_t* p = a + y * sa + x;
      const uint8_t* q = b + y * sb + x;
      acc = wasm_i16x8_add(acc, satd_pair(diff8(p, q), diff8(p + sa, q + sb),
                                          diff8(p + 2 * sa, q + 2 * sb), diff8(p + 3 * sa, q + 3 * sb)));
    }
  }
  return hsum_u16(acc);
}

/* Two blocks: rows 0-3 of columns 0-7 of the difference; block A to dct[0..15], B to dct[16..31].
 * Exact in i16 (|coefficient| <= 36 x 255), so doing the passes in the other order than C gives the
 * same values; the transposes put them where C does. */
static inline void dct_pair(int16_t* dct, const uint8_t* a, int32_t sa, const uint8_t* b, int32_t sb) {
  v128_t r[4];
  for (int i = 0; i < 4; i++) r[i] = diff8(a + i * sa, b + i * sb);
  core4_i16(r);        /* vertical: r[k] = frequency k down the columns */
  transpose_pair4(r);  /* r[k] = column k of each block, lanes = vertical frequency */
  core4_i16(r);        /* horizontal */
  transpose_pair4(r);  /* back to rows of each block */
  wasm_v128_store(dct, wasm_i64x2_shuffle(r[0], r[1], 0, 2));
  wasm_v128_store(dct + 8, wasm_i64x2_shuffle(r[2], r[3], 0, 2));
  wasm_v128_store(dct + 16, wasm_i64x2_shuffle(r[0], r[1], 1, 3));
  wasm_v128_store(dct + 24, wasm_i64x2_shuffle(r[2], r[3], 1, 3));
}

/* ---- intra prediction (into a packed 16x16 or 8x8 block) ---- */

static inline void fill16(uint8_t* pred, v128_t v) {
  for (int i = 0; i < 16; i++) wasm_v128_store(pred + 16 * i, v);
}

void rtse_i16_pred_v(uint8_t* pred, uint8_t* ref, const int32_t stride) {
  fill16(pred, wasm_v128_load(ref - stride));
}

void rtse_i16_pred_h(uint8_t* pred, uint8_t* ref, const int32_t stride) {
  for (int i = 0; i < 16; i++) wasm_v128_store(pred + 16 * i, wasm_i8x16_splat((int8_t)ref[i * stride - 1]));
}

static inline int32_t sum_left(const uint8_t* ref, int32_t stride, int n) {
  int32_t s = 0;
  for (int i = 0; i < n; i++) s += ref[i * stride - 1];
  return s;
}

static inline int32_t sum_bytes16(v128_t v) {
  return hsum_u16(wasm_u16x8_extadd_pairwise_u8x16(v));
}

void rtse_i16_pred_dc(uint8_t* pred, uint8_t* ref, const int32_t stride) {
  const int32_t s = sum_left(ref, stride, 16) + sum_bytes16(wasm_v128_load(ref - stride));
  fill16(pred, wasm_i8x16_splat((int8_t)((16 + s) >> 5)));
}

void rtse_i16_pred_dc_left(uint8_t* pred, uint8_t* ref, const int32_t stride) {
  fill16(pred, wasm_i8x16_splat((int8_t)((8 + sum_left(ref, stride, 16)) >> 4)));
}

void rtse_i16_pred_dc_top(uint8_t* pred, uint8_t* ref, const int32_t stride) {
  fill16(pred, wasm_i8x16_splat((int8_t)((8 + sum_bytes16(wasm_v128_load(ref - stride))) >> 4)));
}

void rtse_i16_pred_dc_128(uint8_t* pred, uint8_t* ref, const int32_t stride) {
  (void)ref;
  (void)stride;
  fill16(pred, wasm_i8x16_splat((int8_t)0x80));
}

/* (lt + t x (j - c) + l x (i - c) + 16) >> 5 clipped: at most 8160 + 16 + 2 x 8 x 717 in
 * magnitude for 16x16 (8160 + 16 + 2 x 4 x 1355 for 8x8 chroma), so i16 lanes hold it exactly. */
void rtse_i16_pred_plane(uint8_t* pred, uint8_t* ref, const int32_t stride) {
  const uint8_t* top = ref - stride;
  const uint8_t* left = ref - 1;
  int32_t ts = 0, ls = 0;
  for (int i = 0; i < 8; i++) {
    ts += (i + 1) * (top[8 + i] - top[6 - i]);
    ls += (i + 1) * (left[(8 + i) * stride] - left[(6 - i) * stride]);
  }
  const int32_t lt = (left[15 * stride] + top[15]) << 4;
  const int32_t t = (5 * ts + 32) >> 6, l = (5 * ls + 32) >> 6;
  const v128_t vt = wasm_i16x8_splat((int16_t)t), vl = wasm_i16x8_splat((int16_t)l);
  v128_t lo = wasm_i16x8_add(wasm_i16x8_splat((int16_t)(lt + 16 - 7 * l)),
                             wasm_i16x8_mul(vt, wasm_i16x8_make(-7, -6, -5, -4, -3, -2, -1, 0)));
  v128_t hi = wasm_i16x8_add(lo, wasm_i16x8_shl(vt, 3));
  for (int i = 0; i < 16; i++) {
    wasm_v128_store(pred + 16 * i,
                    wasm_u8x16_narrow_i16x8(wasm_i16x8_shr(lo, 5), wasm_i16x8_shr(hi, 5)));
    lo = wasm_i16x8_add(lo, vl);
    hi = wasm_i16x8_add(hi, vl);
  }
}

static inline void fill8x8(uint8_t* pred, v128_t two_rows) {
  for (int i = 0; i < 4; i++) wasm_v128_store(pred + 16 * i, two_rows);
}

void rtse_chroma_pred_v(uint8_t* pred, uint8_t* ref, const int32_t stride) {
  const v128_t t = wasm_v128_load64_splat(ref - stride);
  fill8x8(pred, t);
}

void rtse_chroma_pred_h(uint8_t* pred, uint8_t* ref, const int32_t stride) {
  for (int i = 0; i < 8; i += 2) {
    const v128_t a = wasm_i8x16_splat((int8_t)ref[i * stride - 1]);
    const v128_t b = wasm_i8x16_splat((int8_t)ref[(i + 1) * stride - 1]);
    wasm_v128_store(pred + 8 * i, wasm_i64x2_shuffle(a, b, 0, 3));
  }
}

static inline v128_t halves8(int32_t a, int32_t b) {
  return wasm_i8x16_make((int8_t)a, (int8_t)a, (int8_t)a, (int8_t)a, (int8_t)b, (int8_t)b, (int8_t)b,
                         (int8_t)b, (int8_t)a, (int8_t)a, (int8_t)a, (int8_t)a, (int8_t)b, (int8_t)b,
                         (int8_t)b, (int8_t)b);
}

void rtse_chroma_pred_dc(uint8_t* pred, uint8_t* ref, const int32_t stride) {
  const uint8_t* t = ref - stride;
  const int32_t t0 = t[0] + t[1] + t[2] + t[3], t1 = t[4] + t[5] + t[6] + t[7];
  const int32_t l0 = sum_left(ref, stride, 4), l1 = sum_left(ref + 4 * stride, stride, 4);
  const v128_t top = halves8((t0 + l0 + 4) >> 3, (t1 + 2) >> 2);
  const v128_t bottom = halves8((l1 + 2) >> 2, (t1 + l1 + 4) >> 3);
  wasm_v128_store(pred, top);
  wasm_v128_store(pred + 16, top);
  wasm_v128_store(pred + 32, bottom);
  wasm_v128_store(pred + 48, bottom);
}

void rtse_chroma_pred_dc_left(uint8_t* pred, uint8_t* ref, const int32_t stride) {
  const v128_t top = wasm_i8x16_splat((int8_t)((sum_left(ref, stride, 4) + 2) >> 2));
  const v128_t bottom = wasm_i8x16_splat((int8_t)((sum_left(ref + 4 * stride, stride, 4) + 2) >> 2));
  wasm_v128_store(pred, top);
  wasm_v128_store(pred + 16, top);
  wasm_v128_store(pred + 32, bottom);
  wasm_v128_store(pred + 48, bottom);
}

void rtse_chroma_pred_dc_top(uint8_t* pred, uint8_t* ref, const int32_t stride) {
  const uint8_t* t = ref - stride;
  fill8x8(pred, halves8((t[0] + t[1] + t[2] + t[3] + 2) >> 2, (t[4] + t[5] + t[6] + t[7] + 2) >> 2));
}

void rtse_chroma_pred_dc_128(uint8_t* pred, uint8_t* ref, const int32_t stride) {
  (void)ref;
  (void)stride;
  fill8x8(pred, wasm_i8x16_splat((int8_t)0x80));
}

void rtse_chroma_pred_plane(uint8_t* pred, uint8_t* ref, const int32_t stride) {
  const uint8_t* top = ref - stride;
  const uint8_t* left = ref - 1;
  int32_t ts = 0, ls = 0;
  for (int i = 0; i < 4; i++) {
    ts += (i + 1) * (top[4 + i] - top[2 - i]);
    ls += (i + 1) * (left[(4 + i) * stride] - left[(2 - i) * stride]);
  }
  const int32_t lt = (left[7 * stride] + top[7]) << 4;
  const int32_t t = (17 * ts + 16) >> 5, l = (17 * ls + 16) >> 5;
  const v128_t vt = wasm_i16x8_splat((int16_t)t), vl = wasm_i16x8_splat((int16_t)l);
  v128_t row0 = wasm_i16x8_add(wasm_i16x8_splat((int16_t)(lt + 16 - 3 * l)),
                               wasm_i16x8_mul(vt, wasm_i16x8_make(-3, -2, -1, 0, 1, 2, 3, 4)));
  v128_t row1 = wasm_i16x8_add(row0, vl);
  const v128_t step = wasm_i16x8_shl(vl, 1);
  for (int i = 0; i < 8; i += 2) {
    wasm_v128_store(pred + 8 * i,
                    wasm_u8x16_narrow_i16x8(wasm_i16x8_shr(row0, 5), wasm_i16x8_shr(row1, 5)));
    row0 = wasm_i16x8_add(row0, step);
    row1 = wasm_i16x8_add(row1, step);
  }
}

/* ---- intra 16x16 / chroma mode choice among V, H and DC by SAD (the Combined3 slots) ---- */

static inline int32_t sad_pred16(const uint8_t* pred, const uint8_t* enc, int32_t stride) {
  return sad16(pred, 16, enc, stride, 16);
}

/* WelsSampleSadIntra16x16Combined3_c: V, then H + 2 lambda, then DC + 2 lambda, the first lowest
 * wins; pDst is left holding the DC prediction, as C leaves it. */
int32_t rtse_intra16x16_combined3_sad(uint8_t* dec, int32_t dec_stride, uint8_t* enc,
                                      int32_t enc_stride, int32_t* best_mode, int32_t lambda,
                                      uint8_t* dst) {
  const v128_t top = wasm_v128_load(dec - dec_stride);
  v128_t acc_v = wasm_i16x8_splat(0), acc_h = acc_v;
  for (int i = 0; i < 16; i++) {
    const v128_t e = wasm_v128_load(enc + i * enc_stride);
    const uint8_t l = dec[i * dec_stride - 1];
    acc_v = wasm_i16x8_add(acc_v, wasm_u16x8_extadd_pairwise_u8x16(absdiff_u8(e, top)));
    acc_h = wasm_i16x8_add(acc_h, wasm_u16x8_extadd_pairwise_u8x16(
                                      absdiff_u8(e, wasm_i8x16_splat((int8_t)l))));
  }
  rtse_i16_pred_dc(dst, dec, dec_stride);
  const int32_t cost_v = hsum_u16(acc_v);
  const int32_t cost_h = hsum_u16(acc_h) + lambda * 2;
  const int32_t cost_dc = sad_pred16(dst, enc, enc_stride) + lambda * 2;
  int32_t mode = 0, best = cost_v;
  if (cost_h < best) {
    mode = 1;
    best = cost_h;
  }
  if (cost_dc < best) {
    mode = 2;
    best = cost_dc;
  }
  *best_mode = mode;
  return best;
}

static inline int32_t sad_pred8(const uint8_t* pred, const uint8_t* enc, int32_t stride) {
  return sad8(pred, 8, enc, stride, 8);
}

/* WelsSampleSadIntra8x8Combined3_c: Cb and Cr together; V + 2 lambda, H + 2 lambda, then DC; pDst
 * (Cb, then Cr 64 bytes on) is left holding the DC predictions. */
int32_t rtse_intra8x8_combined3_sad(uint8_t* dec_cb, int32_t dec_stride, uint8_t* enc_cb,
                                    int32_t enc_stride, int32_t* best_mode, int32_t lambda,
                                    uint8_t* dst, uint8_t* dec_cr, uint8_t* enc_cr) {
  v128_t acc_v = wasm_i16x8_splat(0), acc_h = acc_v;
  const v128_t top = wasm_i64x2_shuffle(wasm_v128_load64_zero(dec_cb - dec_stride),
                                        wasm_v128_load64_zero(dec_cr - dec_stride), 0, 2);
  for (int i = 0; i < 8; i++) {
    const v128_t e = wasm_i64x2_shuffle(wasm_v128_load64_zero(enc_cb + i * enc_stride),
                                        wasm_v128_load64_zero(enc_cr + i * enc_stride), 0, 2);
    const v128_t l = wasm_i64x2_shuffle(wasm_i8x16_splat((int8_t)dec_cb[i * dec_stride - 1]),
                                        wasm_i8x16_splat((int8_t)dec_cr[i * dec_stride - 1]), 0, 2);
    acc_v = wasm_i16x8_add(acc_v, wasm_u16x8_extadd_pairwise_u8x16(absdiff_u8(e, top)));
    acc_h = wasm_i16x8_add(acc_h, wasm_u16x8_extadd_pairwise_u8x16(absdiff_u8(e, l)));
  }
  rtse_chroma_pred_dc(dst, dec_cb, dec_stride);
  rtse_chroma_pred_dc(dst + 64, dec_cr, dec_stride);
  const int32_t cost_v = hsum_u16(acc_v) + lambda * 2;
  const int32_t cost_h = hsum_u16(acc_h) + lambda * 2;
  const int32_t cost_dc = sad_pred8(dst, enc_cb, enc_stride) + sad_pred8(dst + 64, enc_cr, enc_stride);
  int32_t mode = 2, best = cost_v;
  if (cost_h < best) {
    mode = 1;
    best = cost_h;
  }
  if (cost_dc < best) {
    mode = 0;
    best = cost_dc;
  }
  *best_mode = mode;
  return best;
}

/* ---- chroma deblocking: Cb in lanes 0-7, Cr in lanes 8-15 (i16 halves) ---- */

/* x[0..3] = p1 p0 q0 q1 (u8 x 16); filters p0 and q0 in place. tc: NULL for bS 4. */
static inline void chroma_filter(v128_t x[4], int32_t alpha, int32_t beta, const int8_t* tc) {
  const v128_t va = wasm_i16x8_splat((int16_t)alpha), vb = wasm_i16x8_splat((int16_t)beta);
  v128_t out_p0[2], out_q0[2];
  for (int h = 0; h < 2; h++) {
    const v128_t p1 = h ? hi16(x[0]) : lo16(x[0]), p0 = h ? hi16(x[1]) : lo16(x[1]);
    const v128_t q0 = h ? hi16(x[2]) : lo16(x[2]), q1 = h ? hi16(x[3]) : lo16(x[3]);
    v128_t mask = wasm_v128_and(
        wasm_i16x8_lt(absd16(p0, q0), va),
        wasm_v128_and(wasm_i16x8_lt(absd16(p1, p0), vb), wasm_i16x8_lt(absd16(q1, q0), vb)));
    v128_t np0, nq0;
    if (tc != NULL) { /* tc[i >> 1] for pixel i of each plane; only tc > 0 filters */
      const v128_t vtc = wasm_i16x8_make(tc[0], tc[0], tc[1], tc[1], tc[2], tc[2], tc[3], tc[3]);
      mask = wasm_v128_and(mask, wasm_i16x8_gt(vtc, wasm_i16x8_splat(0)));
      const v128_t d0 = wasm_i16x8_add(wasm_i16x8_shl(wasm_i16x8_sub(q0, p0), 2), wasm_i16x8_sub(p1, q1));
      const v128_t delta = clip3_16(wasm_i16x8_shr(wasm_i16x8_add(d0, wasm_i16x8_splat(4)), 3),
                                    wasm_i16x8_neg(vtc), vtc);
      np0 = wasm_i16x8_add(p0, delta); /* clipped to 0..255 by the narrow below */
      nq0 = wasm_i16x8_sub(q0, delta);
    } else {
      const v128_t k2 = wasm_i16x8_splat(2);
      np0 = wasm_i16x8_shr(wasm_i16x8_add(wasm_i16x8_add(wasm_i16x8_shl(p1, 1), p0), wasm_i16x8_add(q1, k2)), 2);
      nq0 = wasm_i16x8_shr(wasm_i16x8_add(wasm_i16x8_add(wasm_i16x8_shl(q1, 1), q0), wasm_i16x8_add(p1, k2)), 2);
    }
    out_p0[h] = wasm_v128_bitselect(np0, p0, mask);
    out_q0[h] = wasm_v128_bitselect(nq0, q0, mask);
  }
  x[1] = wasm_u8x16_narrow_i16x8(out_p0[0], out_p0[1]);
  x[2] = wasm_u8x16_narrow_i16x8(out_q0[0], out_q0[1]);
}

static inline v128_t load_cbcr_row(const uint8_t* cb, const uint8_t* cr) {
  return wasm_i64x2_shuffle(wasm_v128_load64_zero(cb), wasm_v128_load64_zero(cr), 0, 2);
}

static void chroma_edge_v(uint8_t* cb, uint8_t* cr, int32_t stride, int32_t alpha, int32_t beta,
                          const int8_t* tc) {
  v128_t x[4];
  for (int k = 0; k < 4; k++) x[k] = load_cbcr_row(cb + (k - 2) * stride, cr + (k - 2) * stride);
  chroma_filter(x, alpha, beta, tc);
  wasm_v128_store64_lane(cb - stride, x[1], 0);
  wasm_v128_store64_lane(cr - stride, x[1], 1);
  wasm_v128_store64_lane(cb, x[2], 0);
  wasm_v128_store64_lane(cr, x[2], 1);
}

/* Vertical edge: 4 bytes (p1 p0 q0 q1) of 8 rows of Cb and 8 of Cr, transposed to 4 vectors. */
static void chroma_edge_h(uint8_t* cb, uint8_t* cr, int32_t stride, int32_t alpha, int32_t beta,
                          const int8_t* tc) {
  v128_t g[4];
  for (int k = 0; k < 4; k++) { /* rows 4k..4k+3 (0-7 Cb, 8-15 Cr) */
    const uint8_t* p = (k < 2 ? cb + 4 * k * stride : cr + 4 * (k - 2) * stride) - 2;
    v128_t v = wasm_v128_load32_zero(p);
    v = wasm_v128_load32_lane(p + stride, v, 1);
    v = wasm_v128_load32_lane(p + 2 * stride, v, 2);
    v = wasm_v128_load32_lane(p + 3 * stride, v, 3);
    g[k] = wasm_i8x16_shuffle(v, v, 0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
  }
  /* g[k] lane group c = column c of rows 4k..4k+3: a 4x4 transpose of 32-bit groups. */
  Block4 m = {g[0], g[1], g[2], g[3]};
  m = transpose4(m);
  v128_t x[4] = {m.r0, m.r1, m.r2, m.r3};
  chroma_filter(x, alpha, beta, tc);
  m.r0 = x[0];
  m.r1 = x[1];
  m.r2 = x[2];
  m.r3 = x[3];
  m = transpose4(m);
  const v128_t back[4] = {m.r0, m.r1, m.r2, m.r3};
  for (int k = 0; k < 4; k++) {
    const v128_t v = wasm_i8x16_shuffle(back[k], back[k], 0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7,
                                        11, 15);
    uint8_t* p = (k < 2 ? cb + 4 * k * stride : cr + 4 * (k - 2) * stride) - 2;
    wasm_v128_store32_lane(p, v, 0);
    wasm_v128_store32_lane(p + stride, v, 1);
    wasm_v128_store32_lane(p + 2 * stride, v, 2);
    wasm_v128_store32_lane(p + 3 * stride, v, 3);
  }
}

void rtse_deblock_chroma_lt4_v(uint8_t* cb, uint8_t* cr, int32_t stride, int32_t alpha, int32_t beta,
                               int8_t* tc) {
  chroma_edge_v(cb, cr, stride, alpha, beta, tc);
}

void rtse_deblock_chroma_lt4_h(uint8_t* cb, uint8_t* cr, int32_t stride, int32_t alpha, int32_t beta,
                               int8_t* tc) {
  chroma_edge_h(cb, cr, stride, alpha, beta, tc);
}

void rtse_deblock_chroma_eq4_v(uint8_t* cb, uint8_t* cr, int32_t stride, int32_t alpha, int32_t beta) {
  chroma_edge_v(cb, cr, stride, alpha, beta, NULL);
}

void rtse_deblock_chroma_eq4_h(uint8_t* cb, uint8_t* cr, int32_t stride, int32_t alpha, int32_t beta) {
  chroma_edge_h(cb, cr, stride, alpha, beta, NULL);
}

/* ---- small helpers ---- */

int32_t rtse_get_nonzero_count(int16_t* level) {
  const v128_t z = wasm_i16x8_splat(0);
  const v128_t a = wasm_i16x8_eq(wasm_v128_load(level), z);
  const v128_t b = wasm_i16x8_eq(wasm_v128_load(level + 8), z);
  /* -1 per zero coefficient, narrowed to bytes: the bitmask has one bit per zero */
  const uint32_t zeros = (uint32_t)wasm_i8x16_bitmask(wasm_i8x16_narrow_i16x8(a, b));
  return 16 - __builtin_popcount(zeros);
}

void rtse_copy8x8(uint8_t* dst, int32_t stride_dst, uint8_t* src, int32_t stride_src) {
  for (int i = 0; i < 8; i++) {
    wasm_v128_store64_lane(dst + i * stride_dst, wasm_v128_load64_zero(src + i * stride_src), 0);
  }
}

/* ---- luma motion compensation at any quarter-sample position (McLuma_c) ----
 * Quarter positions are rounded averages of two of the full/half-sample planes, exactly as C
 * builds them (its temporaries have stride 16; width and height are at most 16). */
void rtse_mc_luma(const uint8_t* src, int32_t src_stride, uint8_t* dst, int32_t dst_stride,
                  int16_t mv_x, int16_t mv_y, int32_t width, int32_t height) {
  uint8_t t1[256], t2[256];
  const int32_t dx = mv_x & 3, dy = mv_y & 3;
  switch (dx * 4 + dy) {
    case 0: /* McCopy_c */
      copy_block(src, src_stride, dst, dst_stride, width, height);
      return;
    case 1: /* 01 */
      rtse_halfpel_ver(src, src_stride, t1, 16, width, height);
      rtse_pixel_avg(dst, dst_stride, src, src_stride, t1, 16, width, height);
      return;
    case 2:
      rtse_halfpel_ver(src, src_stride, dst, dst_stride, width, height);
      return;
    case 3: /* 03 */
      rtse_halfpel_ver(src, src_stride, t1, 16, width, height);
      rtse_pixel_avg(dst, dst_stride, src + src_stride, src_stride, t1, 16, width, height);
      return;
    case 4: /* 10 */
      rtse_halfpel_hor(src, src_stride, t1, 16, width, height);
      rtse_pixel_avg(dst, dst_stride, src, src_stride, t1, 16, width, height);
      return;
    case 5: /* 11 */
      rtse_halfpel_hor(src, src_stride, t1, 16, width, height);
      rtse_halfpel_ver(src, src_stride, t2, 16, width, height);
      break;
    case 6: /* 12 */
      rtse_halfpel_ver(src, src_stride, t1, 16, width, height);
      rtse_halfpel_cen(src, src_stride, t2, 16, width, height);
      break;
    case 7: /* 13 */
      rtse_halfpel_hor(src + src_stride, src_stride, t1, 16, width, height);
      rtse_halfpel_ver(src, src_stride, t2, 16, width, height);
      break;
    case 8:
      rtse_halfpel_hor(src, src_stride, dst, dst_stride, width, height);
      return;
    case 9: /* 21 */
      rtse_halfpel_hor(src, src_stride, t1, 16, width, height);
      rtse_halfpel_cen(src, src_stride, t2, 16, width, height);
      break;
    case 10:
      rtse_halfpel_cen(src, src_stride, dst, dst_stride, width, height);
      return;
    case 11: /* 23 */
      rtse_halfpel_hor(src + src_stride, src_stride, t1, 16, width, height);
      rtse_halfpel_cen(src, src_stride, t2, 16, width, height);
      break;
    case 12: /* 30 */
      rtse_halfpel_hor(src, src_stride, t1, 16, width, height);
      rtse_pixel_avg(dst, dst_stride, src + 1, src_stride, t1, 16, width, height);
      return;
    case 13: /* 31 */
      rtse_halfpel_hor(src, src_stride, t1, 16, width, height);
      rtse_halfpel_ver(src + 1, src_stride, t2, 16, width, height);
      break;
    case 14: /* 32 */
      rtse_halfpel_ver(src + 1, src_stride, t1, 16, width, height);
      rtse_halfpel_cen(src, src_stride, t2, 16, width, height);
      break;
    default: /* 33 */
      rtse_halfpel_hor(src + src_stride, src_stride, t1, 16, width, height);
      rtse_halfpel_ver(src + 1, src_stride, t2, 16, width, height);
      break;
  }
  rtse_pixel_avg(dst, dst_stride, t1, 16, t2, 16, width, height);
}

/* ---- inverse transform of two 4x4 blocks side by side ----
 * The horizontal pass in i16 lanes wraps exactly as C's int16 iTemp[] does; the vertical pass is
 * widened to i32 as in C. Blocks A and B are neighbours in rec/pred (B 4 columns right of A). */
static inline void idct_pair_rec(uint8_t* rec, int32_t stride, const uint8_t* pred, int32_t ps,
                                 const int16_t* da, const int16_t* db) {
  const v128_t a01 = wasm_v128_load(da), a23 = wasm_v128_load(da + 8);
  const v128_t b01 = wasm_v128_load(db), b23 = wasm_v128_load(db + 8);
  v128_t c[4] = {wasm_i64x2_shuffle(a01, b01, 0, 2), wasm_i64x2_shuffle(a01, b01, 1, 3),
                 wasm_i64x2_shuffle(a23, b23, 0, 2), wasm_i64x2_shuffle(a23, b23, 1, 3)};
  transpose_pair4(c); /* c[k]: coefficient k of each row */
  const v128_t sum_u = wasm_i16x8_add(c[0], c[2]);
  const v128_t del_u = wasm_i16x8_sub(c[0], c[2]);
  const v128_t sum_d = wasm_i16x8_add(c[1], wasm_i16x8_shr(c[3], 1));
  const v128_t del_d = wasm_i16x8_sub(wasm_i16x8_shr(c[1], 1), c[3]);
  v128_t t[4] = {wasm_i16x8_add(sum_u, sum_d), wasm_i16x8_add(del_u, del_d),
                 wasm_i16x8_sub(del_u, del_d), wasm_i16x8_sub(sum_u, sum_d)};
  transpose_pair4(t); /* t[i]: row i of iTemp, both blocks */
  const v128_t k32 = wasm_i32x4_splat(32);
  v128_t out[2][4];
  for (int h = 0; h < 2; h++) {
    v128_t x[4];
    for (int i = 0; i < 4; i++) {
      x[i] = h ? wasm_i32x4_extend_high_i16x8(t[i]) : wasm_i32x4_extend_low_i16x8(t[i]);
    }
    const v128_t sum_l = wasm_i32x4_add(x[0], x[2]);
    const v128_t del_l = wasm_i32x4_sub(x[0], x[2]);
    const v128_t del_r = wasm_i32x4_sub(wasm_i32x4_shr(x[1], 1), x[3]);
    const v128_t sum_r = wasm_i32x4_add(x[1], wasm_i32x4_shr(x[3], 1));
    out[h][0] = wasm_i32x4_shr(wasm_i32x4_add(wasm_i32x4_add(sum_l, sum_r), k32), 6);
    out[h][1] = wasm_i32x4_shr(wasm_i32x4_add(wasm_i32x4_add(del_l, del_r), k32), 6);
    out[h][2] = wasm_i32x4_shr(wasm_i32x4_add(wasm_i32x4_sub(del_l, del_r), k32), 6);
    out[h][3] = wasm_i32x4_shr(wasm_i32x4_add(wasm_i32x4_sub(sum_l, sum_r), k32), 6);
  }
  for (int i = 0; i < 4; i++) {
    const v128_t p = wasm_u16x8_load8x8(pred + i * ps);
    const v128_t lo = wasm_i32x4_add(wasm_u32x4_extend_low_u16x8(p), out[0][i]);
    const v128_t hi = wasm_i32x4_add(wasm_u32x4_extend_high_u16x8(p), out[1][i]);
    const v128_t w = wasm_i16x8_narrow_i32x4(lo, hi); /* then clip to 0..255 (WelsClip1) */
    wasm_v128_store64_lane(rec + i * stride, wasm_u8x16_narrow_i16x8(w, w), 0);
  }
}

static inline int32_t hsum_i32(v128_t v) {
  v = wasm_i32x4_add(v, wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
  return wasm_i32x4_extract_lane(wasm_i32x4_add(v, wasm_i32x4_shuffle(v, v, 1, 0, 3, 2)), 0);
}

/* ---- intra-MB texture measure (AnalysisVaaInfoIntra_c): variance of the 16 4x4-block means ---- */
int32_t rtse_vaa_intra_variance(uint8_t* y, const int32_t stride) {
  v128_t sum = wasm_i32x4_splat(0), sqr = sum;
  for (int j = 0; j < 4; j++) {
    v128_t acc = wasm_i16x8_splat(0);
    for (int r = 0; r < 4; r++) {
      acc = wasm_i16x8_add(acc, wasm_u16x8_extadd_pairwise_u8x16(wasm_v128_load(y + (4 * j + r) * stride)));
    }
    const v128_t avg = wasm_u32x4_shr(wasm_u32x4_extadd_pairwise_u16x8(acc), 4);
    sum = wasm_i32x4_add(sum, avg);
    sqr = wasm_i32x4_add(sqr, wasm_i32x4_mul(avg, avg));
  }
  const int32_t s = hsum_i32(sum), q = hsum_i32(sqr);
  return q - ((s * s) >> 4);
}

/* ---- coefficient helpers ---- */

/* Bit i set when c[i] != 0. */
static inline uint32_t nonzero_mask16(const int16_t* c) {
  const v128_t z = wasm_i16x8_splat(0);
  const v128_t n = wasm_i8x16_narrow_i16x8(wasm_i16x8_eq(wasm_v128_load(c), z),
                                           wasm_i16x8_eq(wasm_v128_load(c + 8), z));
  return ~(uint32_t)wasm_i8x16_bitmask(n) & 0xffffu;
}

/* WelsCalculateSingleCtr4x4_c: for each non-zero coefficient (from the last), the table entry of
 * the zeros before it down to the previous non-zero one (or to the start). */
int32_t rtse_calculate_single_ctr4x4(int16_t* dct) {
  static const int32_t kRunTable[16] = {3, 2, 2, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  uint32_t nz = nonzero_mask16(dct);
  int32_t ctr = 0;
  while (nz != 0) {
    const int32_t n = 31 - __builtin_clz(nz);
    nz &= ~(1u << n);
    const int32_t next = nz != 0 ? 31 - __builtin_clz(nz) : -1;
    ctr += kRunTable[n - next - 1];
  }
  return ctr;
}

/* WelsScan4x4DcAc_c: zig-zag order. */
void rtse_scan4x4(int16_t* level, int16_t* dct) {
  const v128_t a = wasm_v128_load(dct), b = wasm_v128_load(dct + 8);
  wasm_v128_store(level, wasm_i16x8_shuffle(a, b, 0, 1, 4, 8, 5, 2, 3, 6));
  wasm_v128_store(level + 8, wasm_i16x8_shuffle(a, b, 9, 12, 13, 10, 7, 11, 14, 15));
}

/* WelsDequant4x4_c / WelsDequantFour4x4_c: int16 x uint16 products kept to 16 bits, as C stores
 * them into int16. */
void rtse_dequant4x4(int16_t* res, const uint16_t* mf) {
  const v128_t m = wasm_v128_load(mf);
  wasm_v128_store(res, wasm_i16x8_mul(wasm_v128_load(res), m));
  wasm_v128_store(res + 8, wasm_i16x8_mul(wasm_v128_load(res + 8), m));
}

void rtse_dequant_four4x4(int16_t* res, const uint16_t* mf) {
  const v128_t m = wasm_v128_load(mf);
  for (int i = 0; i < 64; i += 8) wasm_v128_store(res + i, wasm_i16x8_mul(wasm_v128_load(res + i), m));
}

/* CavlcParamCal_c: from the last non-zero coefficient at or below last_index down, each level and
 * the run of zeros below it (to the next non-zero one or to the start); returns the total zeros.
 * The non-zero positions come from one compare; only as many coefficients as last_index covers
 * are read. */
int32_t rtse_cavlc_param_cal(int16_t* coeff, uint8_t* run, int16_t* level, int32_t* total_coeffs,
                             int32_t last_index) {
  if (last_index < 0) { /* no coefficient */
    *total_coeffs = 0;
    return 0;
  }
  if (last_index > 15) last_index = 15; /* callers pass 15, 14 or 3 */
  const v128_t z = wasm_i16x8_splat(0);
  v128_t lo, hi = z;
  if (last_index < 4) {
    lo = wasm_v128_load64_zero(coeff);
  } else {
    lo = wasm_v128_load(coeff);
    if (last_index >= 8) hi = wasm_v128_load(coeff + 8);
  }
  const uint32_t zero = (uint32_t)wasm_i8x16_bitmask(
      wasm_i8x16_narrow_i16x8(wasm_i16x8_eq(lo, z), wasm_i16x8_eq(hi, z)));
  uint32_t nz = ~zero & ((2u << last_index) - 1u);
  int32_t total = 0, zeros = 0;
  while (nz != 0) {
    const int32_t n = 31 - __builtin_clz(nz);
    nz &= ~(1u << n);
    const int32_t next = nz != 0 ? 31 - __builtin_clz(nz) : -1;
    level[total] = coeff[n];
    run[total++] = (uint8_t)(n - next - 1);
    zeros += n - next - 1;
  }
  *total_coeffs = total;
  return zeros;
}

/* WelsScan4x4Ac_c: zig-zag order without the DC, a zero last. */
void rtse_scan4x4_ac(int16_t* level, int16_t* dct) {
  const v128_t a = wasm_v128_load(dct), b = wasm_v128_load(dct + 8);
  wasm_v128_store(level, wasm_i16x8_shuffle(a, b, 1, 4, 8, 5, 2, 3, 6, 9));
  wasm_v128_store(level + 8, wasm_i16x8_replace_lane(wasm_i16x8_shuffle(a, b, 12, 13, 10, 7, 11, 14, 15, 0), 7, 0));
}

/* WelsNonZeroCount_c: the 24 counts of a macroblock to 0 or 1 (for the deblocking strengths). */
void rtse_set_nzc_zero(int8_t* nzc) {
  const v128_t z = wasm_i8x16_splat(0), one = wasm_i8x16_splat(1);
  const v128_t a = wasm_v128_load(nzc), b = wasm_v128_load64_zero(nzc + 16);
  wasm_v128_store(nzc, wasm_v128_andnot(one, wasm_i8x16_eq(a, z)));
  wasm_v128_store64_lane(nzc + 16, wasm_v128_andnot(one, wasm_i8x16_eq(b, z)), 0);
}

/* ---- memcpy and memset ----
 * Without the bulk-memory feature (the build does not enable it) emscripten's libc copies and fills
 * 4 bytes at a time; OpenH264 copies every input picture row by row (WelsMoveMemory_c) and clears
 * coefficient buffers with memset. These definitions take the place of libc's (a strong symbol
 * over its weak alias) and move 16 bytes at a time. no_builtin keeps clang from turning the loops
 * back into calls to themselves. */
__attribute__((no_builtin("memcpy"))) void* memcpy(void* restrict dst, const void* restrict src,
                                                   size_t n) {
  uint8_t* d = (uint8_t*)dst;
  const uint8_t* s = (const uint8_t*)src;
  for (; n >= 64; n -= 64, d += 64, s += 64) {
    const v128_t a = wasm_v128_load(s), b = wasm_v128_load(s + 16);
    const v128_t c = wasm_v128_load(s + 32), e = wasm_v128_load(s + 48);
    wasm_v128_store(d, a);
    wasm_v128_store(d + 16, b);
    wasm_v128_store(d + 32, c);
    wasm_v128_store(d + 48, e);
  }
  for (; n >= 16; n -= 16, d += 16, s += 16) wasm_v128_store(d, wasm_v128_load(s));
  if (n >= 8) {
    wasm_v128_store64_lane(d, wasm_v128_load64_zero(s), 0);
    n -= 8;
    d += 8;
    s += 8;
  }
  for (; n > 0; n--) *d++ = *s++;
  return dst;
}

__attribute__((no_builtin("memset"))) void* memset(void* dst, int c, size_t n) {
  uint8_t* d = (uint8_t*)dst;
  const v128_t v = wasm_i8x16_splat((int8_t)c);
  for (; n >= 64; n -= 64, d += 64) {
    wasm_v128_store(d, v);
    wasm_v128_store(d + 16, v);
    wasm_v128_store(d + 32, v);
    wasm_v128_store(d + 48, v);
  }
  for (; n >= 16; n -= 16, d += 16) wasm_v128_store(d, v);
  if (n >= 8) {
    wasm_v128_store64_lane(d, v, 0);
    n -= 8;
    d += 8;
  }
  for (; n > 0; n--) *d++ = (uint8_t)c;
  return dst;
}

/* ---- 4x4 intra prediction (WelsI4x4LumaPred*_c), into a packed 4x4 block ----
 * The filtered neighbours are computed for all positions at once on a vector of the edge pixels:
 * F2(a, b) = (a + b + 1) >> 1 is wasm's rounding average, and F3(a, b, c) = (a + 2b + c + 2) >> 2
 * equals avgr(b, (a + c) >> 1) exactly (when a + c is odd, 2b + a + c + 2 is odd too, so dropping
 * the half does not change the quotient by 4); (a + c) >> 1 = avgr(a, c) - ((a ^ c) & 1). Each mode
 * is then one byte shuffle. Only the pixels the C function reads are loaded. */

static inline v128_t avg_floor_u8(v128_t a, v128_t c) {
  return wasm_i8x16_sub(wasm_u8x16_avgr(a, c), wasm_v128_and(wasm_v128_xor(a, c), wasm_i8x16_splat(1)));
}

static inline v128_t f3_u8(v128_t a, v128_t b, v128_t c) { return wasm_u8x16_avgr(b, avg_floor_u8(a, c)); }

/* Edge vector e = L3 L2 L1 L0 LT T0 T1 T2 T3 (T3 repeated after); p = e one byte later (byte 0 keeps
 * L3), n = e one byte earlier: F2 of neighbours e[i], e[i+1] and F3 centred on e[i]. */
typedef struct {
  v128_t f2, f3;
} Edge4;

static inline Edge4 edge4_filters(v128_t e) {
  const v128_t p = wasm_i8x16_shuffle(e, e, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14);
  const v128_t n = wasm_i8x16_shuffle(e, e, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 15);
  Edge4 r;
  r.f2 = wasm_u8x16_avgr(e, n);
  r.f3 = f3_u8(p, e, n);
  return r;
}

static inline v128_t edge4_vector(const uint8_t* ref, int32_t stride, int left3, int top) {
  const uint8_t* t = ref - stride;
  const int8_t l3 = left3 ? (int8_t)ref[3 * stride - 1] : 0;
  const int8_t t3 = top ? (int8_t)t[3] : 0;
  return wasm_i8x16_make(l3, (int8_t)ref[2 * stride - 1], (int8_t)ref[stride - 1], (int8_t)ref[-1],
                         (int8_t)t[-1], top ? (int8_t)t[0] : 0, top ? (int8_t)t[1] : 0,
                         top ? (int8_t)t[2] : 0, t3, t3, t3, t3, t3, t3, t3, t3);
}

void rtse_i4_pred_v(uint8_t* pred, uint8_t* ref, const int32_t stride) {
  wasm_v128_store(pred, wasm_v128_load32_splat(ref - stride));
}

void rtse_i4_pred_h(uint8_t* pred, uint8_t* ref, const int32_t stride) {
  const int8_t a = (int8_t)ref[-1], b = (int8_t)ref[stride - 1];
  const int8_t c = (int8_t)ref[2 * stride - 1], d = (int8_t)ref[3 * stride - 1];
  wasm_v128_store(pred, wasm_i8x16_make(a, a, a, a, b, b, b, b, c, c, c, c, d, d, d, d));
}

static inline int32_t sum_top4(const uint8_t* ref, int32_t stride) {
  const uint8_t* t = ref - stride;
  return t[0] + t[1] + t[2] + t[3];
}

static inline int32_t sum_left4(const uint8_t* ref, int32_t stride) {
  return ref[-1] + ref[stride - 1] + ref[2 * stride - 1] + ref[3 * stride - 1];
}

void rtse_i4_pred_dc(uint8_t* pred, uint8_t* ref, const int32_t stride) {
  const int32_t dc = (sum_left4(ref, stride) + sum_top4(ref, stride) + 4) >> 3;
  wasm_v128_store(pred, wasm_i8x16_splat((int8_t)dc));
}

void rtse_i4_pred_dc_left(uint8_t* pred, uint8_t* ref, const int32_t stride) {
  wasm_v128_store(pred, wasm_i8x16_splat((int8_t)((sum_left4(ref, stride) + 2) >> 2)));
}

void rtse_i4_pred_dc_top(uint8_t* pred, uint8_t* ref, const int32_t stride) {
  wasm_v128_store(pred, wasm_i8x16_splat((int8_t)((sum_top4(ref, stride) + 2) >> 2)));
}

void rtse_i4_pred_dc_128(uint8_t* pred, uint8_t* ref, const int32_t stride) {
  (void)ref;
  (void)stride;
  wasm_v128_store(pred, wasm_i8x16_splat((int8_t)0x80));
}

/* Diagonal down left: pred[r][c] = F3(T(k), T(k+1), T(k+2)) with k = r + c, the top row past its
 * end repeating its last pixel (T7 for DDL, T3 for DDL_TOP). */
static inline v128_t ddl_from_top(v128_t top) {
  const v128_t t1 = wasm_i8x16_shuffle(top, top, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 15);
  const v128_t t2 = wasm_i8x16_shuffle(top, top, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 15, 15);
  const v128_t f = f3_u8(top, t1, t2);
  return wasm_i8x16_shuffle(f, f, 0, 1, 2, 3, 1, 2, 3, 4, 2, 3, 4, 5, 3, 4, 5, 6);
}

void rtse_i4_pred_ddl(uint8_t* pred, uint8_t* ref, const int32_t stride) {
  const v128_t t = wasm_v128_load64_zero(ref - stride); /* T0..T7 */
  wasm_v128_store(pred, ddl_from_top(wasm_i8x16_shuffle(t, t, 0, 1, 2, 3, 4, 5, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7)));
}

void rtse_i4_pred_ddl_top(uint8_t* pred, uint8_t* ref, const int32_t stride) {
  const v128_t t = wasm_v128_load32_zero(ref - stride); /* T0..T3 */
  wasm_v128_store(pred, ddl_from_top(wasm_i8x16_shuffle(t, t, 0, 1, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3)));
}

/* Vertical left: rows F2(T k, T k+1), F3(...), then both again one pixel on (k = 0..4). */
static inline v128_t vl_from_top(v128_t top) {
  const v128_t t1 = wasm_i8x16_shuffle(top, top, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 15);
  const v128_t t2 = wasm_i8x16_shuffle(top, top, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 15, 15);
  const v128_t f2 = wasm_u8x16_avgr(top, t1);
  const v128_t f3 = f3_u8(top, t1, t2);
  return wasm_i8x16_shuffle(f2, f3, 0, 1, 2, 3, 16, 17, 18, 19, 1, 2, 3, 4, 17, 18, 19, 20);
}

void rtse_i4_pred_vl(uint8_t* pred, uint8_t* ref, const int32_t stride) {
  const uint8_t* t = ref - stride; /* T0..T6 (C does not read T7) */
  const v128_t v = wasm_v128_load32_lane(t + 3, wasm_v128_load32_zero(t), 1); /* T0..T3 T3..T6 */
  wasm_v128_store(pred, vl_from_top(wasm_i8x16_shuffle(v, v, 0, 1, 2, 3, 5, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7)));
}

void rtse_i4_pred_vl_top(uint8_t* pred, uint8_t* ref, const int32_t stride) {
  const v128_t t = wasm_v128_load32_zero(ref - stride);
  wasm_v128_store(pred, vl_from_top(wasm_i8x16_shuffle(t, t, 0, 1, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3)));
}

/* With e = L3 L2 L1 L0 LT T0 T1 T2 T3: f2[i] = F2(e i, e i+1), f3[i] = F3 centred on e i. */
void rtse_i4_pred_ddr(uint8_t* pred, uint8_t* ref, const int32_t stride) {
  const Edge4 f = edge4_filters(edge4_vector(ref, stride, 1, 1));
  wasm_v128_store(pred, wasm_i8x16_shuffle(f.f3, f.f3, 4, 5, 6, 7, 3, 4, 5, 6, 2, 3, 4, 5, 1, 2, 3, 4));
}

void rtse_i4_pred_vr(uint8_t* pred, uint8_t* ref, const int32_t stride) { /* reads L0..L2 */
  const Edge4 f = edge4_filters(edge4_vector(ref, stride, 0, 1));
  wasm_v128_store(pred, wasm_i8x16_shuffle(f.f2, f.f3, 4, 5, 6, 7, 20, 21, 22, 23, 19, 4, 5, 6, 18, 20,
                                           21, 22));
}

void rtse_i4_pred_hd(uint8_t* pred, uint8_t* ref, const int32_t stride) { /* reads T0..T2 */
  const uint8_t* t = ref - stride;
  const v128_t e = wasm_i8x16_make((int8_t)ref[3 * stride - 1], (int8_t)ref[2 * stride - 1],
                                   (int8_t)ref[stride - 1], (int8_t)ref[-1], (int8_t)t[-1],
                                   (int8_t)t[0], (int8_t)t[1], (int8_t)t[2], 0, 0, 0, 0, 0, 0, 0, 0);
  const Edge4 f = edge4_filters(e);
  wasm_v128_store(pred, wasm_i8x16_shuffle(f.f2, f.f3, 3, 20, 21, 22, 2, 19, 3, 20, 1, 18, 2, 19, 0, 17,
                                           1, 18));
}

void rtse_i4_pred_hu(uint8_t* pred, uint8_t* ref, const int32_t stride) { /* reads L0..L3 */
  const int8_t l3 = (int8_t)ref[3 * stride - 1];
  const v128_t e = wasm_i8x16_make(l3, (int8_t)ref[2 * stride - 1], (int8_t)ref[stride - 1],
                                   (int8_t)ref[-1], 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  const Edge4 f = edge4_filters(e); /* f3[0] = F3(L3, L3, L2) = HU5 */
  const v128_t r = wasm_i8x16_shuffle(f.f2, f.f3, 2, 18, 1, 17, 1, 17, 0, 16, 0, 16, 0, 0, 0, 0, 0, 0);
  const v128_t last6 = wasm_i8x16_make(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, -1, -1, -1, -1);
  wasm_v128_store(pred, wasm_v128_bitselect(wasm_i8x16_splat(l3), r, last6));
}
