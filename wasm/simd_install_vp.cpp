/*
 * rtsp-edge: installs the SIMD background-detection statistics kernel into OpenH264's video
 * preprocessing object, and checks it against the C version.
 *
 * The preprocessing library (codec/processing) keeps its kernels in the VAA strategy's SVaaFuncs,
 * CVpFrameWork::m_pStgChain[METHOD_VAA_STATISTICS - 1]->m_sVaaFuncs (filled by
 * CVAACalculation::InitVaaFuncs by CPU flags). Both members are private; they are reached the same
 * way as in simd_install.cpp (an explicit template instantiation, where access checks do not
 * apply). A separate file from simd_install.cpp because the processing and encoder headers are
 * not meant to be included together.
 */
#include <stdint.h>
#include <string.h>

#include "WelsFrameWork.h"
#include "simd_kernels.h"
#include "vaacalculation.h"

namespace {

struct StrategiesTag {
  typedef WelsVP::IStrategy* (WelsVP::CVpFrameWork::*type)[MAX_STRATEGY_NUM];
  friend type member(StrategiesTag);
};

struct VaaFuncsTag {
  typedef WelsVP::SVaaFuncs WelsVP::CVAACalculation::*type;
  friend type member(VaaFuncsTag);
};

template <typename Tag, typename Tag::type Member>
struct Expose {
  friend typename Tag::type member(Tag) { return Member; }
};

template struct Expose<StrategiesTag, &WelsVP::CVpFrameWork::m_pStgChain>;
template struct Expose<VaaFuncsTag, &WelsVP::CVAACalculation::m_sVaaFuncs>;

}  // namespace

extern "C" {

/* `vp` is the encoder's IWelsVP (a CVpFrameWork, from WelsCreateVpInterface). */
void rtse_simd_install_vp(void* vp) {
  if (vp == NULL) return;
  WelsVP::CVpFrameWork* frame_work = static_cast<WelsVP::CVpFrameWork*>(static_cast<IWelsVP*>(vp));
  WelsVP::IStrategy* vaa = (frame_work->*member(StrategiesTag()))[METHOD_VAA_STATISTICS - 1];
  if (vaa == NULL || vaa->m_eMethod != METHOD_VAA_STATISTICS) return;
  WelsVP::CVAACalculation* calc = static_cast<WelsVP::CVAACalculation*>(vaa);
  (calc->*member(VaaFuncsTag())).pfVAACalcSadBgd = rtse_vaa_calc_sad_bgd;
}

/* 1 when `vp`'s table holds the SIMD kernel. */
int32_t rtse_simd_vp_installed(void* vp) {
  if (vp == NULL) return 0;
  WelsVP::CVpFrameWork* frame_work = static_cast<WelsVP::CVpFrameWork*>(static_cast<IWelsVP*>(vp));
  WelsVP::IStrategy* vaa = (frame_work->*member(StrategiesTag()))[METHOD_VAA_STATISTICS - 1];
  if (vaa == NULL || vaa->m_eMethod != METHOD_VAA_STATISTICS) return 0;
  WelsVP::CVAACalculation* calc = static_cast<WelsVP::CVAACalculation*>(vaa);
  return (calc->*member(VaaFuncsTag())).pfVAACalcSadBgd == rtse_vaa_calc_sad_bgd;
}

/* VAACalcSadBgd_c against the SIMD version on random pictures (seeded); returns mismatches. */
int32_t rtse_selftest_vaa(uint32_t seed, int32_t iterations) {
  enum { kWidth = 64, kHeight = 48, kStride = 80, kMbs = (kWidth / 16) * (kHeight / 16) };
  static uint8_t cur[kStride * kHeight], ref[kStride * kHeight];
  static int32_t sad1[kMbs * 4], sad2[kMbs * 4], sd1[kMbs * 4], sd2[kMbs * 4];
  static uint8_t mad1[kMbs * 4], mad2[kMbs * 4];
  uint32_t rng = seed != 0 ? seed : 0x9e3779b9u;
  int32_t mismatches = 0;
  for (int32_t it = 0; it < iterations; it++) {
    const uint32_t kind = it % 3;
    for (int i = 0; i < kStride * kHeight; i++) {
      rng ^= rng << 13;
      rng ^= rng >> 17;
      rng ^= rng << 5;
      cur[i] = (uint8_t)rng;
      ref[i] = kind == 0 ? (uint8_t)(rng >> 8)
               : kind == 1 ? (uint8_t)(cur[i] + (int)((rng >> 8) % 9) - 4)
                           : (uint8_t)(((rng >> 8) & 1) ? 255 - cur[i] : cur[i]);
    }
    int32_t frame1 = -1, frame2 = -2;
    WelsVP::VAACalcSadBgd_c(cur, ref, kWidth, kHeight, kStride, &frame1, sad1, sd1, mad1);
    rtse_vaa_calc_sad_bgd(cur, ref, kWidth, kHeight, kStride, &frame2, sad2, sd2, mad2);
    mismatches += frame1 != frame2 || memcmp(sad1, sad2, sizeof sad1) != 0 ||
                  memcmp(sd1, sd2, sizeof sd1) != 0 || memcmp(mad1, mad2, sizeof mad1) != 0;
  }
  return mismatches;
}

}  // extern "C"
