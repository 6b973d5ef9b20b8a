/*
 * rtsp-edge: installs the WebAssembly SIMD kernels of simd_kernels.c into an OpenH264 encoder,
 * and checks them against OpenH264's C versions.
 *
 * OpenH264 picks its kernels through function pointers in the encoder context's SWelsFuncPtrList
 * (filled by InitFunctionPointers() in encoder.cpp, where the x86 build installs its assembly by
 * CPU flags). We overwrite the same slots after initialisation. The context lives in
 * CWelsH264SVCEncoder::m_pEncContext, a private member; it is reached with the standard C++ rule
 * that access checking does not apply to the names in an explicit template instantiation
 * ([temp.explicit]: "The usual access checking rules do not apply to names used to specify
 * explicit instantiations"), so no OpenH264 header or source is changed and nothing is
 * #define'd. Compiled with OpenH264's own C++ flags and include paths (scripts/build_wasm.ts).
 */
#include <stdint.h>
#include <string.h>

#include "deblocking_common.h"
#include "decode_mb_aux.h"
#include "mc.h"
#include "encode_mb_aux.h"
#include "copy_mb.h"
#include "get_intra_predictor.h"
#include "intra_pred_common.h"
#include "sad_common.h"
#include "sample.h"
#include "set_mb_syn_cavlc.h"
#include "simd_kernels.h"
#include "welsEncoderExt.h"
#include "wels_preprocess.h"

namespace WelsEnc {
/* md.cpp defines it (and installs it in InitIntraAnalysisVaaInfo) but no header declares it. */
int32_t AnalysisVaaInfoIntra_c(uint8_t* pDataY, const int32_t kiLineSize);
}  // namespace WelsEnc

extern "C" {
/* simd_install_vp.cpp: the preprocessing side. */
void rtse_simd_install_vp(void* vp);
int32_t rtse_simd_vp_installed(void* vp);
int32_t rtse_selftest_vaa(uint32_t seed, int32_t iterations);
}

namespace {

/* Member-pointer "thief": the explicit instantiation below names the private member, and the
 * friend function defined by the instantiated class hands the member pointer out. */
struct EncContextTag {
  typedef WelsEnc::sWelsEncCtx* WelsEnc::CWelsH264SVCEncoder::*type;
  friend type member(EncContextTag);
};

template <typename Tag, typename Tag::type Member>
struct Expose {
  friend typename Tag::type member(Tag) { return Member; }
};

/* CWelsPreProcess::m_pInterfaceVp (protected): the preprocessing object, an IWelsVP. */
struct VpTag {
  typedef IWelsVP* WelsEnc::CWelsPreProcess::*type;
  friend type member(VpTag);
};

template struct Expose<EncContextTag, &WelsEnc::CWelsH264SVCEncoder::m_pEncContext>;
template struct Expose<VpTag, &WelsEnc::CWelsPreProcess::m_pInterfaceVp>;

WelsEnc::sWelsEncCtx* context_of(ISVCEncoder* encoder) {
  /* WelsCreateSVCEncoder() creates a CWelsH264SVCEncoder and hands it out as its ISVCEncoder. */
  WelsEnc::CWelsH264SVCEncoder* impl = static_cast<WelsEnc::CWelsH264SVCEncoder*>(encoder);
  return impl->*member(EncContextTag());
}

}  // namespace

extern "C" {

/* Puts the SIMD kernels into the encoder's function table. Cheap (a few stores) and idempotent;
 * the bridge calls it before every EncodeFrame, so a re-initialisation of the context (new
 * parameters through SetOption, which may rebuild it and its table) cannot leave C kernels in. */
void rtse_simd_install(void* codec) {
  WelsEnc::sWelsEncCtx* ctx = context_of(reinterpret_cast<ISVCEncoder*>(codec));
  if (ctx == NULL || ctx->pFuncList == NULL) return;
  WelsEnc::SWelsFuncPtrList* f = ctx->pFuncList;
  WelsEnc::SSampleDealingFunc* s = &f->sSampleDealingFuncs;
  s->pfSampleSad[BLOCK_16x16] = rtse_sad16x16;
  s->pfSampleSad[BLOCK_16x8] = rtse_sad16x8;
  s->pfSampleSad[BLOCK_8x16] = rtse_sad8x16;
  s->pfSampleSad[BLOCK_8x8] = rtse_sad8x8;
  s->pfSampleSad[BLOCK_4x4] = rtse_sad4x4;
  s->pfSampleSatd[BLOCK_4x4] = rtse_satd4x4;
  s->pfSampleSatd[BLOCK_8x8] = rtse_satd8x8;
  s->pfSampleSatd[BLOCK_8x16] = rtse_satd8x16;
  s->pfSampleSatd[BLOCK_16x8] = rtse_satd16x8;
  s->pfSampleSatd[BLOCK_16x16] = rtse_satd16x16;
  s->pfSample4Sad[BLOCK_16x16] = rtse_sad_four16x16;
  s->pfSample4Sad[BLOCK_16x8] = rtse_sad_four16x8;
  s->pfSample4Sad[BLOCK_8x16] = rtse_sad_four8x16;
  s->pfSample4Sad[BLOCK_8x8] = rtse_sad_four8x8;
  f->pfQuantization4x4 = rtse_quant4x4;
  f->pfQuantizationFour4x4 = rtse_quant_four4x4;
  f->pfQuantizationFour4x4Max = rtse_quant_four4x4_max;
  f->pfDctT4 = rtse_dct_t4;
  f->pfDctFourT4 = rtse_dct_four_t4;
  f->pfIDctT4 = rtse_idct_t4_rec;
  f->pfIDctFourT4 = rtse_idct_four_t4_rec;
  f->pfCopy16x16Aligned = rtse_copy16x16;
  f->pfCopy16x16NotAligned = rtse_copy16x16;
  f->sMcFuncs.pfSampleAveraging = rtse_pixel_avg;
  f->sMcFuncs.pMcChromaFunc = rtse_mc_chroma;
  f->sMcFuncs.pfLumaHalfpelHor = rtse_halfpel_hor;
  f->sMcFuncs.pfLumaHalfpelVer = rtse_halfpel_ver;
  f->sMcFuncs.pfLumaHalfpelCen = rtse_halfpel_cen;
  f->pfDeblocking.pfLumaDeblockingLT4Ver = rtse_deblock_luma_lt4_v;
  f->pfDeblocking.pfLumaDeblockingLT4Hor = rtse_deblock_luma_lt4_h;
  f->pfDeblocking.pfLumaDeblockingEQ4Ver = rtse_deblock_luma_eq4_v;
  f->pfDeblocking.pfLumaDeblockingEQ4Hor = rtse_deblock_luma_eq4_h;
  f->pfDeblocking.pfChromaDeblockingLT4Ver = rtse_deblock_chroma_lt4_v;
  f->pfDeblocking.pfChromaDeblockingLT4Hor = rtse_deblock_chroma_lt4_h;
  f->pfDeblocking.pfChromaDeblockingEQ4Ver = rtse_deblock_chroma_eq4_v;
  f->pfDeblocking.pfChromaDeblockingEQ4Hor = rtse_deblock_chroma_eq4_h;
  f->pfGetLumaI16x16Pred[I16_PRED_V] = rtse_i16_pred_v;
  f->pfGetLumaI16x16Pred[I16_PRED_H] = rtse_i16_pred_h;
  f->pfGetLumaI16x16Pred[I16_PRED_DC] = rtse_i16_pred_dc;
  f->pfGetLumaI16x16Pred[I16_PRED_P] = rtse_i16_pred_plane;
  f->pfGetLumaI16x16Pred[I16_PRED_DC_L] = rtse_i16_pred_dc_left;
  f->pfGetLumaI16x16Pred[I16_PRED_DC_T] = rtse_i16_pred_dc_top;
  f->pfGetLumaI16x16Pred[I16_PRED_DC_128] = rtse_i16_pred_dc_128;
  f->pfGetChromaPred[C_PRED_DC] = rtse_chroma_pred_dc;
  f->pfGetChromaPred[C_PRED_H] = rtse_chroma_pred_h;
  f->pfGetChromaPred[C_PRED_V] = rtse_chroma_pred_v;
  f->pfGetChromaPred[C_PRED_P] = rtse_chroma_pred_plane;
  f->pfGetChromaPred[C_PRED_DC_L] = rtse_chroma_pred_dc_left;
  f->pfGetChromaPred[C_PRED_DC_T] = rtse_chroma_pred_dc_top;
  f->pfGetChromaPred[C_PRED_DC_128] = rtse_chroma_pred_dc_128;
  /* Empty in a C build. PreprocessSliceCoding copies the Sad slots into pfIntra16x16Combined3 /
   * pfIntra8x8Combined3 in the low-complexity mode the bridge uses; the mode decision then takes
   * V, H and DC in one call and plane after it, with the same costs and order as its loop. */
  s->pfIntra16x16Combined3Sad = rtse_intra16x16_combined3_sad;
  s->pfIntra8x8Combined3Sad = rtse_intra8x8_combined3_sad;
  f->pfGetNoneZeroCount = rtse_get_nonzero_count;
  f->pfCopy8x8Aligned = rtse_copy8x8;
  f->sMcFuncs.pMcLumaFunc = rtse_mc_luma;
  f->pfGetVarianceFromIntraVaa = rtse_vaa_intra_variance;
  f->pfCalculateSingleCtr4x4 = rtse_calculate_single_ctr4x4;
  f->pfScan4x4 = rtse_scan4x4;
  f->pfDequantization4x4 = rtse_dequant4x4;
  f->pfDequantizationFour4x4 = rtse_dequant_four4x4;
  f->pfCavlcParamCal = rtse_cavlc_param_cal;
  f->pfScan4x4Ac = rtse_scan4x4_ac;
  f->pfGetLumaI4x4Pred[I4_PRED_V] = rtse_i4_pred_v;
  f->pfGetLumaI4x4Pred[I4_PRED_H] = rtse_i4_pred_h;
  f->pfGetLumaI4x4Pred[I4_PRED_DC] = rtse_i4_pred_dc;
  f->pfGetLumaI4x4Pred[I4_PRED_DC_L] = rtse_i4_pred_dc_left;
  f->pfGetLumaI4x4Pred[I4_PRED_DC_T] = rtse_i4_pred_dc_top;
  f->pfGetLumaI4x4Pred[I4_PRED_DC_128] = rtse_i4_pred_dc_128;
  f->pfGetLumaI4x4Pred[I4_PRED_DDL] = rtse_i4_pred_ddl;
  f->pfGetLumaI4x4Pred[I4_PRED_DDL_TOP] = rtse_i4_pred_ddl_top;
  f->pfGetLumaI4x4Pred[I4_PRED_DDR] = rtse_i4_pred_ddr;
  f->pfGetLumaI4x4Pred[I4_PRED_VL] = rtse_i4_pred_vl;
  f->pfGetLumaI4x4Pred[I4_PRED_VL_TOP] = rtse_i4_pred_vl_top;
  f->pfGetLumaI4x4Pred[I4_PRED_VR] = rtse_i4_pred_vr;
  f->pfGetLumaI4x4Pred[I4_PRED_HU] = rtse_i4_pred_hu;
  f->pfGetLumaI4x4Pred[I4_PRED_HD] = rtse_i4_pred_hd;
  f->pfSetNZCZero = rtse_set_nzc_zero;
  if (ctx->pVpp != NULL) rtse_simd_install_vp(ctx->pVpp->*member(VpTag()));
}

/* 1 when the encoder's tables hold the SIMD kernels (checked on a few representative slots). */
int32_t rtse_simd_installed(void* codec) {
  WelsEnc::sWelsEncCtx* ctx = context_of(reinterpret_cast<ISVCEncoder*>(codec));
  if (ctx == NULL || ctx->pFuncList == NULL || ctx->pVpp == NULL) return 0;
  const WelsEnc::SWelsFuncPtrList* f = ctx->pFuncList;
  return f->sSampleDealingFuncs.pfSampleSad[BLOCK_16x16] == rtse_sad16x16 &&
         f->pfQuantizationFour4x4Max == rtse_quant_four4x4_max && f->pfDctFourT4 == rtse_dct_four_t4 &&
         f->pfGetLumaI16x16Pred[I16_PRED_P] == rtse_i16_pred_plane &&
         f->sSampleDealingFuncs.pfIntra16x16Combined3Sad == rtse_intra16x16_combined3_sad &&
         rtse_simd_vp_installed(ctx->pVpp->*member(VpTag()));
}

}  // extern "C"

/* ---- self-test: each kernel against OpenH264's C function on random blocks ---- */

namespace {

uint32_t g_rng;

uint32_t next_random() { /* xorshift32: deterministic from the seed */
  g_rng ^= g_rng << 13;
  g_rng ^= g_rng >> 17;
  g_rng ^= g_rng << 5;
  return g_rng;
}

/* Mostly-similar pictures, as in motion search, with a share of fully random bytes. */
void fill_pair(uint8_t* a, uint8_t* b, int n) {
  const bool wild = (next_random() & 3) == 0;
  for (int i = 0; i < n; i++) {
    a[i] = (uint8_t)next_random();
    b[i] = wild ? (uint8_t)next_random() : (uint8_t)(a[i] + (int)(next_random() % 31) - 15);
  }
  if ((next_random() & 7) == 0) { /* extremes: 0 against 255 */
    for (int i = 0; i < n; i++) {
      a[i] = (next_random() & 1) ? 255 : 0;
      b[i] = 255 - a[i];
    }
  }
}

void fill_coefficients(int16_t* c, int n) {
  const uint32_t kind = next_random() % 3;
  for (int i = 0; i < n; i++) {
    const uint32_t r = next_random();
    c[i] = kind == 0 ? (int16_t)r : kind == 1 ? (int16_t)((int)(r % 4097) - 2048)
                                              : (int16_t)((int)(r % 65) - 32);
  }
}

/* A smooth picture (gradient, slight noise) with a step across the edge at row 5 (vertical) or
 * column 8 (horizontal), so the deblocking filters' conditions go both ways. */
void fill_smooth(uint8_t* p, int n, int stride, bool vertical) {
  const int base = (int)(next_random() % 256), gx = (int)(next_random() % 7) - 3;
  const int gy = (int)(next_random() % 7) - 3, step = (int)(next_random() % 41) - 20;
  const int noise = 1 + (int)(next_random() % 6);
  for (int i = 0; i < n; i++) {
    const int x = i % stride, y = i / stride;
    const bool beyond = vertical ? y >= 5 : x >= 8;
    const int v = base + gx * (x - 8) + gy * (y - 5) + (beyond ? step : 0) +
                  (int)(next_random() % (uint32_t)noise);
    p[i] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
  }
}

const int kStride = 48; /* room for a 16x16 block at offsets 0..31 */
const int kArea = kStride * 26; /* and rows for the 6-tap filters around a 17x17 block */

typedef int32_t (*CostFn)(uint8_t*, int32_t, uint8_t*, int32_t);
typedef void (*Cost4Fn)(uint8_t*, int32_t, uint8_t*, int32_t, int32_t*);

/* b is offset by one row and column at least: the four SADs look one pixel around it. */
int check_cost4(Cost4Fn ref, Cost4Fn simd, uint8_t* a, uint8_t* b) {
  const int oa = (int)(next_random() % 32), ob = kStride + 1 + (int)(next_random() % 30);
  const int sa = kStride - (int)(next_random() % 16), sb = kStride - (int)(next_random() % 16);
  int32_t r1[4], r2[4];
  ref(a + oa, sa, b + ob, sb, r1);
  simd(a + oa, sa, b + ob, sb, r2);
  return memcmp(r1, r2, sizeof r1) != 0;
}

int check_cost(CostFn ref, CostFn simd, uint8_t* a, uint8_t* b) {
  const int oa = (int)(next_random() % 32), ob = (int)(next_random() % 32);
  const int sa = kStride - (int)(next_random() % 16), sb = kStride - (int)(next_random() % 16);
  return ref(a + oa, sa, b + ob, sb) != simd(a + oa, sa, b + ob, sb);
}

}  // namespace

extern "C" {

/* Runs every kernel `iterations` times on random input (seeded) next to OpenH264's C version and
 * returns the number of differing results (0 = bit-exact), or -1 for bad arguments. */
int32_t rtse_selftest_kernels_impl(uint32_t seed, int32_t iterations) {
  if (iterations < 0) return -1;
  g_rng = seed != 0 ? seed : 0x9e3779b9u;
  static uint8_t a[kArea], b[kArea], rec1[kArea], rec2[kArea];
  static int16_t c1[64], c2[64], ff[8], mf[8], max1[4], max2[4];
  int mismatches = 0;
  SMcFunc mc; /* OpenH264's C motion compensation (no CPU flags: the plain C functions) */
  memset(&mc, 0, sizeof mc);
  WelsCommon::InitMcFunc(&mc, 0);
  static const int32_t kMcWidths[] = {2, 4, 8, 16, 5, 9, 17};
  for (int it = 0; it < iterations; it++) {
    fill_pair(a, b, kArea);
    mismatches += check_cost(WelsSampleSad16x16_c, rtse_sad16x16, a, b);
    mismatches += check_cost(WelsSampleSad16x8_c, rtse_sad16x8, a, b);
    mismatches += check_cost(WelsSampleSad8x16_c, rtse_sad8x16, a, b);
    mismatches += check_cost(WelsSampleSad8x8_c, rtse_sad8x8, a, b);
    mismatches += check_cost(WelsSampleSad4x4_c, rtse_sad4x4, a, b);
    mismatches += check_cost(WelsEnc::WelsSampleSatd4x4_c, rtse_satd4x4, a, b);
    mismatches += check_cost(WelsEnc::WelsSampleSatd8x8_c, rtse_satd8x8, a, b);
    mismatches += check_cost(WelsEnc::WelsSampleSatd8x16_c, rtse_satd8x16, a, b);
    mismatches += check_cost(WelsEnc::WelsSampleSatd16x8_c, rtse_satd16x8, a, b);
    mismatches += check_cost(WelsEnc::WelsSampleSatd16x16_c, rtse_satd16x16, a, b);
    mismatches += check_cost4(WelsSampleSadFour16x16_c, rtse_sad_four16x16, a, b);
    mismatches += check_cost4(WelsSampleSadFour16x8_c, rtse_sad_four16x8, a, b);
    mismatches += check_cost4(WelsSampleSadFour8x16_c, rtse_sad_four8x16, a, b);
    mismatches += check_cost4(WelsSampleSadFour8x8_c, rtse_sad_four8x8, a, b);

    const int oa = (int)(next_random() % 24), ob = (int)(next_random() % 24);
    WelsEnc::WelsDctT4_c(c1, a + oa, kStride, b + ob, 16);
    rtse_dct_t4(c2, a + oa, kStride, b + ob, 16);
    mismatches += memcmp(c1, c2, 32) != 0;
    WelsEnc::WelsDctFourT4_c(c1, a + oa, kStride, b + ob, 16);
    rtse_dct_four_t4(c2, a + oa, kStride, b + ob, 16);
    mismatches += memcmp(c1, c2, 128) != 0;

    /* Quantisation with OpenH264's own tables (intra or inter rounding, any QP). */
    const int qp = (int)(next_random() % 52);
    const int16_t* ffs = (next_random() & 1) ? WelsEnc::g_kiQuantInterFF[qp]
                                             : WelsEnc::g_kiQuantInterFF[qp + 6]; /* g_iQuantIntraFF */
    memcpy(ff, ffs, sizeof ff);
    memcpy(mf, WelsEnc::g_kiQuantMF[qp], sizeof mf);
    fill_coefficients(c1, 64);
    memcpy(c2, c1, sizeof c1);
    WelsEnc::WelsQuant4x4_c(c1, ff, mf);
    rtse_quant4x4(c2, ff, mf);
    mismatches += memcmp(c1, c2, sizeof c1) != 0;
    fill_coefficients(c1, 64);
    memcpy(c2, c1, sizeof c1);
    WelsEnc::WelsQuantFour4x4_c(c1, ff, mf);
    rtse_quant_four4x4(c2, ff, mf);
    mismatches += memcmp(c1, c2, sizeof c1) != 0;
    fill_coefficients(c1, 64);
    memcpy(c2, c1, sizeof c1);
    WelsEnc::WelsQuantFour4x4Max_c(c1, ff, mf, max1);
    rtse_quant_four4x4_max(c2, ff, mf, max2);
    mismatches += memcmp(c1, c2, sizeof c1) != 0 || memcmp(max1, max2, sizeof max1) != 0;

    /* Inverse transform on arbitrary coefficients (the C wraps and clips; so must we). */
    fill_coefficients(c1, 64);
    memcpy(rec1, b, kArea);
    memcpy(rec2, b, kArea);
    WelsEnc::WelsIDctT4Rec_c(rec1 + ob, kStride, a + oa, 16, c1);
    rtse_idct_t4_rec(rec2 + ob, kStride, a + oa, 16, c1);
    mismatches += memcmp(rec1, rec2, kArea) != 0;
    WelsEnc::WelsIDctFourT4Rec_c(rec1 + ob, kStride, a + oa, 16, c1);
    rtse_idct_four_t4_rec(rec2 + ob, kStride, a + oa, 16, c1);
    mismatches += memcmp(rec1, rec2, kArea) != 0;

    /* Motion compensation: sources at least 2 rows/columns inside (the filters reach -2..+3). */
    const int32_t w = kMcWidths[next_random() % 7], h = kMcWidths[next_random() % 7];
    const int32_t avg_w = w < 5 ? w : (w & ~1) == 16 ? 16 : 8;
    const uint8_t* src = a + 2 * kStride + 2 + (int)(next_random() % 8);
    memset(rec1, 0, kArea);
    memset(rec2, 0, kArea);
    mc.pfSampleAveraging(rec1, kStride, a + oa, kStride, b + ob, 16, avg_w, h);
    rtse_pixel_avg(rec2, kStride, a + oa, kStride, b + ob, 16, avg_w, h);
    mismatches += memcmp(rec1, rec2, kArea) != 0;
    const int16_t mvx = (int16_t)(next_random() % 64) - 32, mvy = (int16_t)(next_random() % 64) - 32;
    const int32_t cw = 2 << (next_random() % 3), ch = 2 << (next_random() % 3);
    mc.pMcChromaFunc(src, kStride, rec1, kStride, mvx, mvy, cw, ch);
    rtse_mc_chroma(src, kStride, rec2, kStride, mvx, mvy, cw, ch);
    mismatches += memcmp(rec1, rec2, kArea) != 0;
    mc.pfLumaHalfpelHor(src, kStride, rec1, kStride, w, h);
    rtse_halfpel_hor(src, kStride, rec2, kStride, w, h);
    mismatches += memcmp(rec1, rec2, kArea) != 0;
    mc.pfLumaHalfpelVer(src, kStride, rec1, kStride, w, h);
    rtse_halfpel_ver(src, kStride, rec2, kStride, w, h);
    mismatches += memcmp(rec1, rec2, kArea) != 0;
    mc.pfLumaHalfpelCen(src, kStride, rec1, kStride, w, h);
    rtse_halfpel_cen(src, kStride, rec2, kStride, w, h);
    mismatches += memcmp(rec1, rec2, kArea) != 0;

    /* Deblocking: smooth-ish pictures (b near a) so the filters' conditions go both ways. */
    const int32_t alpha = (int32_t)(next_random() % 64), beta = (int32_t)(next_random() % 19);
    int8_t tc[4];
    for (int i = 0; i < 4; i++) tc[i] = (int8_t)((int)(next_random() % 27) - 1);
    fill_smooth(rec1, kArea, kStride, true);
    memcpy(rec2, rec1, kArea);
    uint8_t* edge1 = rec1 + 5 * kStride + 8;
    uint8_t* edge2 = rec2 + 5 * kStride + 8;
    DeblockLumaLt4V_c(edge1, kStride, alpha, beta, tc);
    rtse_deblock_luma_lt4_v(edge2, kStride, alpha, beta, tc);
    mismatches += memcmp(rec1, rec2, kArea) != 0;
    fill_smooth(rec1, kArea, kStride, false);
    memcpy(rec2, rec1, kArea);
    DeblockLumaLt4H_c(edge1, kStride, alpha, beta, tc);
    rtse_deblock_luma_lt4_h(edge2, kStride, alpha, beta, tc);
    mismatches += memcmp(rec1, rec2, kArea) != 0;
    fill_smooth(rec1, kArea, kStride, true);
    memcpy(rec2, rec1, kArea);
    DeblockLumaEq4V_c(edge1, kStride, alpha, beta);
    rtse_deblock_luma_eq4_v(edge2, kStride, alpha, beta);
    mismatches += memcmp(rec1, rec2, kArea) != 0;
    fill_smooth(rec1, kArea, kStride, false);
    memcpy(rec2, rec1, kArea);
    DeblockLumaEq4H_c(edge1, kStride, alpha, beta);
    rtse_deblock_luma_eq4_h(edge2, kStride, alpha, beta);
    mismatches += memcmp(rec1, rec2, kArea) != 0;

    WelsCopy16x16_c(rec1 + ob, kStride, a + oa, 17);
    rtse_copy16x16(rec2 + ob, kStride, a + oa, 17);
    mismatches += memcmp(rec1, rec2, kArea) != 0;
    WelsCopy8x8_c(rec1 + ob, kStride, a + oa, 13);
    rtse_copy8x8(rec2 + ob, kStride, a + oa, 13);
    mismatches += memcmp(rec1, rec2, kArea) != 0;

    /* Chroma deblocking: Cb and Cr are two smooth pictures side by side in rec (columns 0-23
     * and 24-47), the edge at row 5 (V) or column 8 of each (H). */
    for (int kind = 0; kind < 4; kind++) {
      const bool vertical = (kind & 1) == 0;
      fill_smooth(rec1, kArea, kStride, vertical);
      if ((next_random() & 3) == 0) fill_pair(rec1, rec2, kArea); /* and rough ones */
      memcpy(rec2, rec1, kArea);
      uint8_t* cb1 = rec1 + 5 * kStride + 8;
      uint8_t* cb2 = rec2 + 5 * kStride + 8;
      if (kind == 0) {
        DeblockChromaLt4V_c(cb1, cb1 + 24, kStride, alpha, beta, tc);
        rtse_deblock_chroma_lt4_v(cb2, cb2 + 24, kStride, alpha, beta, tc);
      } else if (kind == 1) {
        DeblockChromaLt4H_c(cb1, cb1 + 24, kStride, alpha, beta, tc);
        rtse_deblock_chroma_lt4_h(cb2, cb2 + 24, kStride, alpha, beta, tc);
      } else if (kind == 2) {
        DeblockChromaEq4V_c(cb1, cb1 + 24, kStride, alpha, beta);
        rtse_deblock_chroma_eq4_v(cb2, cb2 + 24, kStride, alpha, beta);
      } else {
        DeblockChromaEq4H_c(cb1, cb1 + 24, kStride, alpha, beta);
        rtse_deblock_chroma_eq4_h(cb2, cb2 + 24, kStride, alpha, beta);
      }
      mismatches += memcmp(rec1, rec2, kArea) != 0;
    }

    /* Intra prediction: the reference block at row 1+, column 1+ of a (its top row and left
     * column are read); a smooth picture half of the time, so the plane stays inside 0..255. */
    if (next_random() & 1) fill_smooth(a, kArea, kStride, (next_random() & 1) != 0);
    {
      static uint8_t p1[256], p2[256];
      uint8_t* ref = a + (1 + (int)(next_random() % 8)) * kStride + 1 + (int)(next_random() % 16);
      const PGetIntraPredFunc c16[7] = {WelsI16x16LumaPredV_c, WelsI16x16LumaPredH_c,
                                        WelsEnc::WelsI16x16LumaPredDc_c, WelsEnc::WelsI16x16LumaPredPlane_c,
                                        WelsEnc::WelsI16x16LumaPredDcLeft_c,
                                        WelsEnc::WelsI16x16LumaPredDcTop_c,
                                        WelsEnc::WelsI16x16LumaPredDcNA_c};
      const PGetIntraPredFunc s16[7] = {rtse_i16_pred_v, rtse_i16_pred_h, rtse_i16_pred_dc,
                                        rtse_i16_pred_plane, rtse_i16_pred_dc_left,
                                        rtse_i16_pred_dc_top, rtse_i16_pred_dc_128};
      const PGetIntraPredFunc c8[7] = {WelsEnc::WelsIChromaPredDc_c, WelsEnc::WelsIChromaPredH_c,
                                       WelsEnc::WelsIChromaPredV_c, WelsEnc::WelsIChromaPredPlane_c,
                                       WelsEnc::WelsIChromaPredDcLeft_c,
                                       WelsEnc::WelsIChromaPredDcTop_c,
                                       WelsEnc::WelsIChromaPredDcNA_c};
      const PGetIntraPredFunc s8[7] = {rtse_chroma_pred_dc, rtse_chroma_pred_h, rtse_chroma_pred_v,
                                       rtse_chroma_pred_plane, rtse_chroma_pred_dc_left,
                                       rtse_chroma_pred_dc_top, rtse_chroma_pred_dc_128};
      for (int m = 0; m < 7; m++) {
        memset(p1, 1, sizeof p1);
        memset(p2, 2, sizeof p2);
        c16[m](p1, ref, kStride);
        s16[m](p2, ref, kStride);
        mismatches += memcmp(p1, p2, 256) != 0;
        memset(p1, 1, sizeof p1);
        memset(p2, 1, sizeof p2);
        c8[m](p1, ref, kStride);
        s8[m](p2, ref, kStride);
        mismatches += memcmp(p1, p2, 256) != 0;
      }
      const PGetIntraPredFunc c4[14] = {
          WelsEnc::WelsI4x4LumaPredV_c,      WelsEnc::WelsI4x4LumaPredH_c,
          WelsEnc::WelsI4x4LumaPredDc_c,     WelsEnc::WelsI4x4LumaPredDcLeft_c,
          WelsEnc::WelsI4x4LumaPredDcTop_c,  WelsEnc::WelsI4x4LumaPredDcNA_c,
          WelsEnc::WelsI4x4LumaPredDDL_c,    WelsEnc::WelsI4x4LumaPredDDLTop_c,
          WelsEnc::WelsI4x4LumaPredDDR_c,    WelsEnc::WelsI4x4LumaPredVL_c,
          WelsEnc::WelsI4x4LumaPredVLTop_c,  WelsEnc::WelsI4x4LumaPredVR_c,
          WelsEnc::WelsI4x4LumaPredHU_c,     WelsEnc::WelsI4x4LumaPredHD_c};
      const PGetIntraPredFunc s4[14] = {
          rtse_i4_pred_v,   rtse_i4_pred_h,       rtse_i4_pred_dc,  rtse_i4_pred_dc_left,
          rtse_i4_pred_dc_top, rtse_i4_pred_dc_128, rtse_i4_pred_ddl, rtse_i4_pred_ddl_top,
          rtse_i4_pred_ddr, rtse_i4_pred_vl,      rtse_i4_pred_vl_top, rtse_i4_pred_vr,
          rtse_i4_pred_hu,  rtse_i4_pred_hd};
      for (int m = 0; m < 14; m++) {
        memset(p1, 1, sizeof p1);
        memset(p2, 2, sizeof p2);
        c4[m](p1, ref, kStride);
        s4[m](p2, ref, kStride);
        mismatches += memcmp(p1, p2, 16) != 0;
      }
      /* Mode choice: the encoded block is b (random, or near a prediction). */
      int32_t mode1 = -9, mode2 = -8;
      const int32_t lambda = (int32_t)(next_random() % 200);
      uint8_t* enc = b + (int)(next_random() % 8) * kStride + (int)(next_random() % 24);
      if (next_random() & 1) { /* near one of the predictions, so the modes compete */
        s16[next_random() % 3](p1, ref, kStride);
        for (int y = 0; y < 16; y++) {
          for (int x = 0; x < 16; x++) enc[y * kStride + x] = (uint8_t)(p1[y * 16 + x] + next_random() % 3);
        }
      }
      memset(p1, 1, sizeof p1);
      memset(p2, 2, sizeof p2);
      const int32_t cost1 = WelsEnc::WelsSampleSadIntra16x16Combined3_c(ref, kStride, enc, kStride,
                                                                       &mode1, lambda, p1);
      const int32_t cost2 = rtse_intra16x16_combined3_sad(ref, kStride, enc, kStride, &mode2, lambda, p2);
      mismatches += cost1 != cost2 || mode1 != mode2 || memcmp(p1, p2, 256) != 0;
      uint8_t* ref_cr = ref + 20;
      uint8_t* enc_cr = enc + 9;
      memset(p1, 1, sizeof p1);
      memset(p2, 2, sizeof p2);
      const int32_t ccost1 = WelsEnc::WelsSampleSadIntra8x8Combined3_c(
          ref, kStride, enc, kStride, &mode1, lambda, p1, ref_cr, enc_cr);
      const int32_t ccost2 = rtse_intra8x8_combined3_sad(ref, kStride, enc, kStride, &mode2, lambda,
                                                         p2, ref_cr, enc_cr);
      mismatches += ccost1 != ccost2 || mode1 != mode2 || memcmp(p1, p2, 128) != 0;
    }

    /* Coefficient helpers on sparse coefficients (none, some or all zero). */
    {
      const uint32_t density = next_random() % 5; /* a nonzero coefficient in `density` of 4 */
      for (int i = 0; i < 64; i++) {
        c1[i] = (next_random() & 3) < density ? (int16_t)((int)(next_random() % 7) - 3) : 0;
        if ((next_random() & 15) == 0) c1[i] = (int16_t)next_random();
      }
      mismatches += WelsEnc::WelsGetNoneZeroCount_c(c1) != rtse_get_nonzero_count(c1);
      mismatches += WelsEnc::WelsCalculateSingleCtr4x4_c(c1) != rtse_calculate_single_ctr4x4(c1);
      mismatches += WelsEnc::WelsCalculateSingleCtr4x4_c(c1 + 16) != rtse_calculate_single_ctr4x4(c1 + 16);
      int16_t s1[16], s2[16];
      WelsEnc::WelsScan4x4DcAc_c(s1, c1);
      rtse_scan4x4(s2, c1);
      mismatches += memcmp(s1, s2, sizeof s1) != 0;
      memset(s1, 0x77, sizeof s1);
      memset(s2, 0x66, sizeof s2);
      WelsEnc::WelsScan4x4Ac_c(s1, c1 + 16);
      rtse_scan4x4_ac(s2, c1 + 16);
      mismatches += memcmp(s1, s2, sizeof s1) != 0;
      int8_t n1[32], n2[32];
      for (int i = 0; i < 32; i++) n1[i] = (next_random() & 1) ? 0 : (int8_t)next_random();
      memcpy(n2, n1, sizeof n1);
      WelsNonZeroCount_c(n1);
      rtse_set_nzc_zero(n2);
      mismatches += memcmp(n1, n2, sizeof n1) != 0;
      static const int32_t kLastIndex[4] = {-1, 3, 14, 15};
      for (const int32_t last : kLastIndex) {
        uint8_t run1[16], run2[16];
        int16_t lev1[16], lev2[16];
        int32_t n1 = -1, n2 = -2;
        memset(run1, 0xee, sizeof run1);
        memcpy(run2, run1, sizeof run1);
        memset(lev1, 0x5a, sizeof lev1);
        memcpy(lev2, lev1, sizeof lev1);
        const int32_t z1 = WelsEnc::CavlcParamCal_c(c1, run1, lev1, &n1, last);
        const int32_t z2 = rtse_cavlc_param_cal(c1, run2, lev2, &n2, last);
        mismatches += z1 != z2 || n1 != n2 || memcmp(run1, run2, sizeof run1) != 0 ||
                      memcmp(lev1, lev2, sizeof lev1) != 0;
      }
      const uint16_t* dq = g_kuiDequantCoeff[next_random() % 52];
      memcpy(c2, c1, sizeof c1);
      WelsEnc::WelsDequant4x4_c(c1, dq);
      rtse_dequant4x4(c2, dq);
      mismatches += memcmp(c1, c2, sizeof c1) != 0;
      fill_coefficients(c1, 64);
      memcpy(c2, c1, sizeof c1);
      WelsEnc::WelsDequantFour4x4_c(c1, dq);
      rtse_dequant_four4x4(c2, dq);
      mismatches += memcmp(c1, c2, sizeof c1) != 0;
    }
    {
      uint8_t* y = a + (int)(next_random() % 8) * kStride + (int)(next_random() % 32);
      mismatches += WelsEnc::AnalysisVaaInfoIntra_c(y, kStride) != rtse_vaa_intra_variance(y, kStride);
    }

    /* memcpy and memset (simd_kernels.c replaces libc's): any length and alignment, nothing
     * outside the range touched. Checked byte by byte against the source and a saved copy. */
    {
      const int n = (int)(next_random() % 200), od = (int)(next_random() % 40);
      const int os = (int)(next_random() % 40);
      fill_pair(rec1, rec2, kArea);
      memcpy(b, rec1, kArea); /* the copy before */
      memcpy(rec1 + od, rec2 + os, (size_t)n);
      int bad = 0;
      for (int i = 0; i < kArea; i++) {
        const uint8_t want = i >= od && i < od + n ? rec2[os + i - od] : b[i];
        bad |= rec1[i] != want;
      }
      const int value = (int)(next_random() % 256);
      memcpy(b, rec1, kArea);
      memset(rec1 + os, value, (size_t)n);
      for (int i = 0; i < kArea; i++) {
        const uint8_t want = i >= os && i < os + n ? (uint8_t)value : b[i];
        bad |= rec1[i] != want;
      }
      mismatches += bad;
    }

    /* Luma motion compensation at every quarter position (widths and heights 4, 8, 16). */
    {
      static const int32_t kSizes[3] = {4, 8, 16};
      const int32_t lw = kSizes[next_random() % 3], lh = kSizes[next_random() % 3];
      const int16_t lmx = (int16_t)(next_random() % 64) - 32, lmy = (int16_t)(next_random() % 64) - 32;
      memset(rec1, 0, kArea);
      memset(rec2, 0, kArea);
      mc.pMcLumaFunc(src, kStride, rec1 + 1, kStride, lmx, lmy, lw, lh);
      rtse_mc_luma(src, kStride, rec2 + 1, kStride, lmx, lmy, lw, lh);
      mismatches += memcmp(rec1, rec2, kArea) != 0;
    }
  }
  return mismatches + rtse_selftest_vaa(seed ^ 0x5bd1e995u, iterations / 8 + 1);
}

}  // extern "C"
