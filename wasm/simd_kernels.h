/*
 * rtsp-edge: WebAssembly SIMD (128-bit) versions of OpenH264's hottest encoder kernels.
 *
 * Each function has exactly the signature and the result, bit for bit, of the OpenH264 C
 * function named beside it; simd_install.cpp puts them into the encoder's function-pointer table
 * (SWelsFuncPtrList) the way OpenH264's own x86 init installs its assembly.
 */
#ifndef RTSE_SIMD_KERNELS_H
#define RTSE_SIMD_KERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Sum of absolute differences (WelsSampleSadWxH_c). */
int32_t rtse_sad16x16(uint8_t* a, int32_t stride_a, uint8_t* b, int32_t stride_b);
int32_t rtse_sad16x8(uint8_t* a, int32_t stride_a, uint8_t* b, int32_t stride_b);
int32_t rtse_sad8x16(uint8_t* a, int32_t stride_a, uint8_t* b, int32_t stride_b);
int32_t rtse_sad8x8(uint8_t* a, int32_t stride_a, uint8_t* b, int32_t stride_b);
int32_t rtse_sad4x4(uint8_t* a, int32_t stride_a, uint8_t* b, int32_t stride_b);
/* Hadamard SATD of a 4x4 difference, (sum + 1) >> 1 (WelsSampleSatd4x4_c). */
int32_t rtse_satd4x4(uint8_t* a, int32_t stride_a, uint8_t* b, int32_t stride_b);
/* Sums of 4x4 SATDs over larger blocks (WelsSampleSatdWxH_c). */
int32_t rtse_satd16x16(uint8_t* a, int32_t stride_a, uint8_t* b, int32_t stride_b);
int32_t rtse_satd16x8(uint8_t* a, int32_t stride_a, uint8_t* b, int32_t stride_b);
int32_t rtse_satd8x16(uint8_t* a, int32_t stride_a, uint8_t* b, int32_t stride_b);
int32_t rtse_satd8x8(uint8_t* a, int32_t stride_a, uint8_t* b, int32_t stride_b);
/* SADs against b moved one row up, down, one column left, right (WelsSampleSadFourWxH_c). */
void rtse_sad_four16x16(uint8_t* a, int32_t stride_a, uint8_t* b, int32_t stride_b, int32_t* sad);
void rtse_sad_four16x8(uint8_t* a, int32_t stride_a, uint8_t* b, int32_t stride_b, int32_t* sad);
void rtse_sad_four8x16(uint8_t* a, int32_t stride_a, uint8_t* b, int32_t stride_b, int32_t* sad);
void rtse_sad_four8x8(uint8_t* a, int32_t stride_a, uint8_t* b, int32_t stride_b, int32_t* sad);

/* Quantisation (WelsQuant4x4_c, WelsQuantFour4x4_c, WelsQuantFour4x4Max_c). */
void rtse_quant4x4(int16_t* dct, const int16_t* ff, const int16_t* mf);
void rtse_quant_four4x4(int16_t* dct, const int16_t* ff, const int16_t* mf);
void rtse_quant_four4x4_max(int16_t* dct, const int16_t* ff, const int16_t* mf, int16_t* max);

/* Forward 4x4 integer transform of a difference (WelsDctT4_c, WelsDctFourT4_c). */
void rtse_dct_t4(int16_t* dct, uint8_t* a, int32_t stride_a, uint8_t* b, int32_t stride_b);
void rtse_dct_four_t4(int16_t* dct, uint8_t* a, int32_t stride_a, uint8_t* b, int32_t stride_b);

/* Inverse 4x4 transform added to a prediction (WelsIDctT4Rec_c, WelsIDctFourT4Rec_c). */
void rtse_idct_t4_rec(uint8_t* rec, int32_t stride, uint8_t* pred, int32_t pred_stride,
                      int16_t* dct);
void rtse_idct_four_t4_rec(uint8_t* rec, int32_t stride, uint8_t* pred, int32_t pred_stride,
                           int16_t* dct);

/* 16x16 byte copy (WelsCopy16x16_c; also the NotAligned variant). */
void rtse_copy16x16(uint8_t* dst, int32_t stride_dst, uint8_t* src, int32_t stride_src);

/* Motion compensation (common/src/mc.cpp: PixelAvg_c, McChroma_c, McHorVer20_c, McHorVer02_c,
 * McHorVer22_c; any width and height, as the C). */
void rtse_pixel_avg(uint8_t* dst, int32_t dst_stride, const uint8_t* a, int32_t a_stride,
                    const uint8_t* b, int32_t b_stride, int32_t width, int32_t height);
void rtse_mc_chroma(const uint8_t* src, int32_t src_stride, uint8_t* dst, int32_t dst_stride,
                    int16_t mv_x, int16_t mv_y, int32_t width, int32_t height);
void rtse_halfpel_hor(const uint8_t* src, int32_t src_stride, uint8_t* dst, int32_t dst_stride,
                      int32_t width, int32_t height);
void rtse_halfpel_ver(const uint8_t* src, int32_t src_stride, uint8_t* dst, int32_t dst_stride,
                      int32_t width, int32_t height);
void rtse_halfpel_cen(const uint8_t* src, int32_t src_stride, uint8_t* dst, int32_t dst_stride,
                      int32_t width, int32_t height);

/* Luma deblocking of one 16-pixel edge (DeblockLumaLt4V_c/H_c for bS < 4, Eq4V_c/H_c for bS 4).
 * V filters across a horizontal edge (pixels above and below), H across a vertical one. */
void rtse_deblock_luma_lt4_v(uint8_t* pix, int32_t stride, int32_t alpha, int32_t beta, int8_t* tc);
void rtse_deblock_luma_lt4_h(uint8_t* pix, int32_t stride, int32_t alpha, int32_t beta, int8_t* tc);
void rtse_deblock_luma_eq4_v(uint8_t* pix, int32_t stride, int32_t alpha, int32_t beta);
void rtse_deblock_luma_eq4_h(uint8_t* pix, int32_t stride, int32_t alpha, int32_t beta);

/* Per 8x8 block of each macroblock: SAD, sum of differences and max |difference|, plus the frame
 * SAD (VAACalcSadBgd_c, OpenH264's preprocessing for background detection). */
void rtse_vaa_calc_sad_bgd(const uint8_t* cur, const uint8_t* ref, int32_t width, int32_t height,
                           int32_t stride, int32_t* frame_sad, int32_t* sad8x8, int32_t* sd8x8,
                           uint8_t* mad8x8);

/* Intra prediction into a packed block (16x16: WelsI16x16LumaPred{V,H,Dc,DcLeft,DcTop,DcNA,Plane}_c;
 * 8x8 chroma: WelsIChromaPred{V,H,Dc,DcLeft,DcTop,DcNA,Plane}_c). ref points at the block in the
 * reconstructed picture (its top row and left column are read). */
void rtse_i16_pred_v(uint8_t* pred, uint8_t* ref, const int32_t stride);
void rtse_i16_pred_h(uint8_t* pred, uint8_t* ref, const int32_t stride);
void rtse_i16_pred_dc(uint8_t* pred, uint8_t* ref, const int32_t stride);
void rtse_i16_pred_dc_left(uint8_t* pred, uint8_t* ref, const int32_t stride);
void rtse_i16_pred_dc_top(uint8_t* pred, uint8_t* ref, const int32_t stride);
void rtse_i16_pred_dc_128(uint8_t* pred, uint8_t* ref, const int32_t stride);
void rtse_i16_pred_plane(uint8_t* pred, uint8_t* ref, const int32_t stride);
void rtse_chroma_pred_v(uint8_t* pred, uint8_t* ref, const int32_t stride);
void rtse_chroma_pred_h(uint8_t* pred, uint8_t* ref, const int32_t stride);
void rtse_chroma_pred_dc(uint8_t* pred, uint8_t* ref, const int32_t stride);
void rtse_chroma_pred_dc_left(uint8_t* pred, uint8_t* ref, const int32_t stride);
void rtse_chroma_pred_dc_top(uint8_t* pred, uint8_t* ref, const int32_t stride);
void rtse_chroma_pred_dc_128(uint8_t* pred, uint8_t* ref, const int32_t stride);
void rtse_chroma_pred_plane(uint8_t* pred, uint8_t* ref, const int32_t stride);

/* Best of the V, H and DC intra modes by SAD, with their mode-bit costs
 * (WelsSampleSadIntra16x16Combined3_c, WelsSampleSadIntra8x8Combined3_c). */
int32_t rtse_intra16x16_combined3_sad(uint8_t* dec, int32_t dec_stride, uint8_t* enc,
                                      int32_t enc_stride, int32_t* best_mode, int32_t lambda,
                                      uint8_t* dst);
int32_t rtse_intra8x8_combined3_sad(uint8_t* dec_cb, int32_t dec_stride, uint8_t* enc_cb,
                                    int32_t enc_stride, int32_t* best_mode, int32_t lambda,
                                    uint8_t* dst, uint8_t* dec_cr, uint8_t* enc_cr);

/* Chroma deblocking of one 8-pixel edge in Cb and in Cr (DeblockChromaLt4V_c/H_c, Eq4V_c/H_c). */
void rtse_deblock_chroma_lt4_v(uint8_t* cb, uint8_t* cr, int32_t stride, int32_t alpha, int32_t beta,
                               int8_t* tc);
void rtse_deblock_chroma_lt4_h(uint8_t* cb, uint8_t* cr, int32_t stride, int32_t alpha, int32_t beta,
                               int8_t* tc);
void rtse_deblock_chroma_eq4_v(uint8_t* cb, uint8_t* cr, int32_t stride, int32_t alpha, int32_t beta);
void rtse_deblock_chroma_eq4_h(uint8_t* cb, uint8_t* cr, int32_t stride, int32_t alpha, int32_t beta);

/* Non-zero coefficients of a 4x4 block (WelsGetNoneZeroCount_c). */
int32_t rtse_get_nonzero_count(int16_t* level);

/* 8x8 byte copy (WelsCopy8x8_c). */
void rtse_copy8x8(uint8_t* dst, int32_t stride_dst, uint8_t* src, int32_t stride_src);

/* Luma motion compensation at any quarter-sample position (McLuma_c; width and height 4, 8, 16). */
void rtse_mc_luma(const uint8_t* src, int32_t src_stride, uint8_t* dst, int32_t dst_stride,
                  int16_t mv_x, int16_t mv_y, int32_t width, int32_t height);

/* Variance of the 16 4x4-block means of a macroblock (AnalysisVaaInfoIntra_c). */
int32_t rtse_vaa_intra_variance(uint8_t* y, const int32_t stride);

/* Coefficient helpers: WelsCalculateSingleCtr4x4_c, WelsScan4x4DcAc_c (zig-zag),
 * WelsDequant4x4_c, WelsDequantFour4x4_c. */
int32_t rtse_calculate_single_ctr4x4(int16_t* dct);
void rtse_scan4x4(int16_t* level, int16_t* dct);
void rtse_dequant4x4(int16_t* res, const uint16_t* mf);
void rtse_dequant_four4x4(int16_t* res, const uint16_t* mf);

/* Levels and zero runs of a block for CAVLC (CavlcParamCal_c). */
int32_t rtse_cavlc_param_cal(int16_t* coeff, uint8_t* run, int16_t* level, int32_t* total_coeffs,
                             int32_t last_index);

/* Zig-zag scan of the AC coefficients (WelsScan4x4Ac_c); non-zero counts to 0/1
 * (WelsNonZeroCount_c, the 24 counts of a macroblock). */
void rtse_scan4x4_ac(int16_t* level, int16_t* dct);
void rtse_set_nzc_zero(int8_t* nzc);

/* 4x4 intra prediction into a packed 4x4 block (WelsI4x4LumaPred{V,H,Dc,DcLeft,DcTop,DcNA,DDL,
 * DDLTop,DDR,VL,VLTop,VR,HU,HD}_c). */
void rtse_i4_pred_v(uint8_t* pred, uint8_t* ref, const int32_t stride);
void rtse_i4_pred_h(uint8_t* pred, uint8_t* ref, const int32_t stride);
void rtse_i4_pred_dc(uint8_t* pred, uint8_t* ref, const int32_t stride);
void rtse_i4_pred_dc_left(uint8_t* pred, uint8_t* ref, const int32_t stride);
void rtse_i4_pred_dc_top(uint8_t* pred, uint8_t* ref, const int32_t stride);
void rtse_i4_pred_dc_128(uint8_t* pred, uint8_t* ref, const int32_t stride);
void rtse_i4_pred_ddl(uint8_t* pred, uint8_t* ref, const int32_t stride);
void rtse_i4_pred_ddl_top(uint8_t* pred, uint8_t* ref, const int32_t stride);
void rtse_i4_pred_ddr(uint8_t* pred, uint8_t* ref, const int32_t stride);
void rtse_i4_pred_vl(uint8_t* pred, uint8_t* ref, const int32_t stride);
void rtse_i4_pred_vl_top(uint8_t* pred, uint8_t* ref, const int32_t stride);
void rtse_i4_pred_vr(uint8_t* pred, uint8_t* ref, const int32_t stride);
void rtse_i4_pred_hu(uint8_t* pred, uint8_t* ref, const int32_t stride);
void rtse_i4_pred_hd(uint8_t* pred, uint8_t* ref, const int32_t stride);

#ifdef __cplusplus
}
#endif

#endif
