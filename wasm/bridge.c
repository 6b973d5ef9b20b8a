/*
 * rtsp-edge WebAssembly bridge to the OpenH264 encoder.
 *
 * A handful of flat exports (prefix rtse_) over OpenH264's ISVCEncoder, so the TypeScript side only
 * moves bytes in and out of linear memory: it fills the buffer from rtse_encoder_input(), calls
 * rtse_encoder_encode(), and reads rtse_encoder_output() (Annex B, start codes included).
 * Every argument is validated here; bad input returns a negative RTSE_ERR_* code, never traps.
 * The ABI (names, argument order, format values, error codes) is documented in wasm/README.md.
 */
#include <emscripten/emscripten.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec_api.h"
#include "convert.h"

/* simd_install.cpp (C++: it reaches OpenH264's encoder context). */
void rtse_simd_install(void* codec);
int32_t rtse_simd_installed(void* codec);
int32_t rtse_selftest_kernels_impl(uint32_t seed, int32_t iterations);

#define EXPORT EMSCRIPTEN_KEEPALIVE

/* Error codes (negative; part of the ABI). */
#define RTSE_ERR_SIZE (-1)      /* width/height odd, below 16 or above 4096 */
#define RTSE_ERR_FORMAT (-2)    /* unknown pixel format */
#define RTSE_ERR_PARAM (-3)     /* fps, bitrate, gop, rc_mode, QP range or timestamp out of range */
#define RTSE_ERR_HANDLE (-4)    /* no live encoder with that handle */
#define RTSE_ERR_NO_MEMORY (-5) /* malloc failed */
#define RTSE_ERR_LIMIT (-6)     /* RTSE_MAX_ENCODERS encoders are already live */
#define RTSE_ERR_NO_INPUT (-7)  /* encode before rtse_encoder_input() for that format */
#define RTSE_ERR_OPENH264 (-100) /* OpenH264 failed: the result is -100 - its return code */

#define RTSE_MAX_ENCODERS 64

/* Max bitrate = target * 5 / 4, set explicitly: OpenH264 warns that max == target makes the real
 * rate fall below target (encoder_ext.cpp, WelsBitRateVerification). What holds the rate is frame
 * skipping; on ffmpeg's testsrc2, 5/4, 2x and "unspecified" gave identical streams. */
#define MAX_BITRATE(target) ((int)((int64_t)(target) * 5 / 4))

typedef struct {
  ISVCEncoder* codec;
  int32_t width;
  int32_t height;
  int32_t bitrate;
  uint8_t* input; /* grow-only, holds one frame of the last requested format */
  int32_t input_capacity;
  uint8_t* i420; /* conversion target, allocated on first non-I420 encode */
  uint8_t* output; /* grow-only copy target when OpenH264's layers are not contiguous */
  int32_t output_capacity;
  const uint8_t* result; /* what rtse_encoder_output() returns */
  int32_t frame_type;
  bool simd; /* rtse_set_simd() at creation: use the WebAssembly SIMD kernels */
} Encoder;

static Encoder* encoders[RTSE_MAX_ENCODERS];

/* Applied to encoders created afterwards; on by default. Off gives OpenH264's plain C kernels,
 * which must produce the identical bitstream (test/encoder/simd_kernels_test.ts). */
static bool simd_enabled = true;

/* OpenH264's WelsThreadLib.cpp calls these two when it starts a worker thread; emscripten built
 * without -pthread does not provide them. The encoder never starts one here (iMultipleThreadIdc is
 * 1, and pthread_create fails with EAGAIN in such a build anyway), so they only satisfy the linker. */
int pthread_attr_setscope(pthread_attr_t* attr, int scope) {
  (void)attr;
  (void)scope;
  return ENOTSUP;
}

int pthread_attr_setschedpolicy(pthread_attr_t* attr, int policy) {
  (void)attr;
  (void)policy;
  return ENOTSUP;
}

static Encoder* lookup(int32_t handle) {
  if (handle < 1 || handle > RTSE_MAX_ENCODERS) return NULL;
  return encoders[handle - 1];
}

/* ISVCEncoderVtbl declares ForceIntraFrame(ISVCEncoder*, bool) but the C++ method behind it is
 * ForceIntraFrame(bool bIDR, int iLayerId = -1). Native ABIs forgive the missing argument;
 * WebAssembly's call_indirect checks the signature and traps, so call it with the real one. */
typedef int (*ForceIntraFrameFn)(ISVCEncoder*, bool, int);

static int32_t openh264_error(int rv) { return RTSE_ERR_OPENH264 - (rv < 0 ? -rv : rv); }

static void release(Encoder* e) {
  if (e->codec) {
    (*e->codec)->Uninitialize(e->codec);
    WelsDestroySVCEncoder(e->codec);
  }
  free(e->input);
  free(e->i420);
  free(e->output);
  free(e);
}

EXPORT void* rtse_malloc(int32_t size) { return size > 0 ? malloc((size_t)size) : NULL; }

EXPORT void rtse_free(void* p) { free(p); }

EXPORT int32_t rtse_set_simd(int32_t on) {
  const int32_t previous = simd_enabled ? 1 : 0;
  simd_enabled = on != 0;
  return previous;
}

EXPORT int32_t rtse_selftest_kernels(int32_t seed, int32_t iterations) {
  return rtse_selftest_kernels_impl((uint32_t)seed, iterations);
}

/* Test-only: 1 when that encoder runs the SIMD kernels (after its first encode), 0 when not. */
EXPORT int32_t rtse_encoder_simd(int32_t handle) {
  Encoder* e = lookup(handle);
  return e == NULL ? RTSE_ERR_HANDLE : rtse_simd_installed(e->codec);
}

EXPORT int32_t rtse_frame_size(int32_t format, int32_t width, int32_t height) {
  return rtse_format_frame_size(format, width, height);
}

EXPORT int32_t rtse_convert_to_i420(int32_t format, const uint8_t* src, int32_t width,
                                    int32_t height, uint8_t* dst) {
  if (format < 0 || format >= RTSE_FORMAT_COUNT) return RTSE_ERR_FORMAT;
  if (!rtse_valid_size(width, height)) return RTSE_ERR_SIZE;
  if (src == NULL || dst == NULL) return RTSE_ERR_PARAM;
  rtse_convert(format, src, width, height, dst);
  return 0;
}

static void configure(SEncParamExt* p, int32_t width, int32_t height, float fps, int32_t bitrate,
                      int32_t gop, int32_t rc_mode, int32_t qp_min, int32_t qp_max) {
  const bool fixed_qp = rc_mode == 1 && qp_min == qp_max;
  p->iUsageType = CAMERA_VIDEO_REAL_TIME;
  p->iPicWidth = width;
  p->iPicHeight = height;
  p->iTargetBitrate = bitrate;
  p->iMaxBitrate = MAX_BITRATE(bitrate);
  /* rc_mode 0: bitrate; 1: quality-first RC within [qp_min, qp_max], or a fixed QP when equal. */
  p->iRCMode = rc_mode == 0 ? RC_BITRATE_MODE : fixed_qp ? RC_OFF_MODE : RC_QUALITY_MODE;
  p->bEnableFrameSkip = rc_mode == 0; /* skipping is what keeps the bitrate under the cap */
  p->iMinQp = qp_min;
  p->iMaxQp = qp_max;
  p->fMaxFrameRate = fps;
  p->iTemporalLayerNum = 1;
  p->iSpatialLayerNum = 1;
  p->iComplexityMode = LOW_COMPLEXITY;
  p->uiIntraPeriod = (unsigned int)gop;
  p->iNumRefFrame = 1;
  p->eSpsPpsIdStrategy = CONSTANT_ID; /* SPS/PPS ids stay 0, so clients may cache them */
  p->bPrefixNalAddingCtrl = false;
  p->bEnableSSEI = false;
  p->bSimulcastAVC = false;
  p->iPaddingFlag = 0;
  p->iEntropyCodingModeFlag = 0; /* CAVLC: Constrained Baseline, decodable by every client */
  p->uiMaxNalSize = 0;
  p->bEnableLongTermReference = false;
  p->iMultipleThreadIdc = 1; /* no threads in this module: one slice, encoded on the caller */
  p->bUseLoadBalancing = false;
  p->iLoopFilterDisableIdc = 0;
  p->bEnableDenoise = false;
  p->bEnableBackgroundDetection = true; /* cheap, and saves bits on static camera scenes */
  p->bEnableAdaptiveQuant = true;
  p->bEnableFrameCroppingFlag = true; /* sizes that are not multiples of 16 */
  /* Off: a detected scene change inserts an extra IDR, so GOPs would no longer follow `gop`, and
   * synthetic or fast-moving pictures trigger it often (every 17 frames on a scrolling pattern). */
  p->bEnableSceneChangeDetect = false;
  p->bFixRCOverShoot = true;

  SSpatialLayerConfig* layer = &p->sSpatialLayers[0];
  layer->iVideoWidth = width;
  layer->iVideoHeight = height;
  layer->fFrameRate = fps;
  layer->iSpatialBitrate = bitrate;
  layer->iMaxSpatialBitrate = MAX_BITRATE(bitrate);
  layer->uiProfileIdc = PRO_BASELINE;
  layer->uiLevelIdc = LEVEL_UNKNOWN; /* OpenH264 picks the level from size, rate and bitrate */
  layer->iDLayerQp = fixed_qp ? qp_min : 26;
  layer->sSliceArgument.uiSliceMode = SM_SINGLE_SLICE;
  layer->sSliceArgument.uiSliceNum = 1;
  /* VUI: say what the converters produce, BT.601 limited range, so decoders need not guess. */
  layer->bVideoSignalTypePresent = true;
  layer->uiVideoFormat = VF_UNDEF;
  layer->bFullRange = false;
  layer->bColorDescriptionPresent = true;
  layer->uiColorPrimaries = CP_SMPTE170M;
  layer->uiTransferCharacteristics = TRC_SMPTE170M;
  layer->uiColorMatrix = CM_SMPTE170M;
}

EXPORT int32_t rtse_encoder_create(int32_t width, int32_t height, float fps, int32_t bitrate_bps,
                                   int32_t gop, int32_t rc_mode, int32_t qp_min, int32_t qp_max) {
  if (!rtse_valid_size(width, height)) return RTSE_ERR_SIZE;
  if (!(fps > 0.0f && fps <= 1000.0f) || bitrate_bps <= 0 || gop < 0 || rc_mode < 0 ||
      rc_mode > 1 || qp_min < 0 || qp_max > 51 || qp_min > qp_max) {
    return RTSE_ERR_PARAM;
  }
  int32_t slot = 0;
  while (slot < RTSE_MAX_ENCODERS && encoders[slot] != NULL) slot++;
  if (slot == RTSE_MAX_ENCODERS) return RTSE_ERR_LIMIT;

  Encoder* e = calloc(1, sizeof(Encoder));
  if (e == NULL) return RTSE_ERR_NO_MEMORY;
  e->width = width;
  e->height = height;
  e->bitrate = bitrate_bps;
  e->frame_type = videoFrameTypeInvalid;
  e->simd = simd_enabled;
  if (WelsCreateSVCEncoder(&e->codec) != 0 || e->codec == NULL) {
    e->codec = NULL;
    release(e);
    return RTSE_ERR_NO_MEMORY;
  }
  /* OpenH264 logs to stderr by default (WASI fd_write); keep the module silent. */
  int trace_level = WELS_LOG_QUIET;
  (*e->codec)->SetOption(e->codec, ENCODER_OPTION_TRACE_LEVEL, &trace_level);

  SEncParamExt params;
  (*e->codec)->GetDefaultParams(e->codec, &params);
  configure(&params, width, height, fps, bitrate_bps, gop, rc_mode, qp_min, qp_max);
  const int rv = (*e->codec)->InitializeExt(e->codec, &params);
  if (rv != cmResultSuccess) {
    release(e);
    return openh264_error(rv);
  }
  int data_format = videoFormatI420;
  (*e->codec)->SetOption(e->codec, ENCODER_OPTION_DATAFORMAT, &data_format);
  encoders[slot] = e;
  return slot + 1;
}

EXPORT uint8_t* rtse_encoder_input(int32_t handle, int32_t format) {
  Encoder* e = lookup(handle);
  if (e == NULL) return NULL;
  const int32_t size = rtse_format_frame_size(format, e->width, e->height);
  if (size < 0) return NULL;
  if (size > e->input_capacity) {
    /* Contents are not kept: the caller writes a whole frame after asking for the buffer. */
    free(e->input);
    e->input = malloc((size_t)size);
    e->input_capacity = e->input ? size : 0;
  }
  return e->input;
}

/* Gathers every NAL of every layer (start codes included, in order). OpenH264 writes the layers
 * back to back in one buffer, so the result is usually a view of it; otherwise it is copied. */
static int32_t collect(Encoder* e, const SFrameBSInfo* info) {
  int32_t total = 0;
  bool contiguous = true;
  const uint8_t* expected = NULL;
  for (int layer = 0; layer < info->iLayerNum; layer++) {
    const SLayerBSInfo* l = &info->sLayerInfo[layer];
    int32_t size = 0;
    for (int nal = 0; nal < l->iNalCount; nal++) size += l->pNalLengthInByte[nal];
    if (size == 0) continue;
    if (expected != NULL && l->pBsBuf != expected) contiguous = false;
    if (expected == NULL) e->result = l->pBsBuf;
    expected = l->pBsBuf + size;
    total += size;
  }
  if (total == 0 || contiguous) return total;
  if (total > e->output_capacity) {
    free(e->output);
    e->output = malloc((size_t)total);
    e->output_capacity = e->output ? total : 0;
    if (e->output == NULL) return RTSE_ERR_NO_MEMORY;
  }
  int32_t offset = 0;
  for (int layer = 0; layer < info->iLayerNum; layer++) {
    const SLayerBSInfo* l = &info->sLayerInfo[layer];
    int32_t size = 0;
    for (int nal = 0; nal < l->iNalCount; nal++) size += l->pNalLengthInByte[nal];
    memcpy(e->output + offset, l->pBsBuf, (size_t)size);
    offset += size;
  }
  e->result = e->output;
  return total;
}

EXPORT int32_t rtse_encoder_encode(int32_t handle, int32_t format, double timestamp_ms) {
  Encoder* e = lookup(handle);
  if (e == NULL) return RTSE_ERR_HANDLE;
  const int32_t size = rtse_format_frame_size(format, e->width, e->height);
  if (size < 0) return RTSE_ERR_FORMAT;
  if (e->input == NULL || e->input_capacity < size) return RTSE_ERR_NO_INPUT;
  if (!(timestamp_ms >= 0.0 && timestamp_ms < 9.0e15)) return RTSE_ERR_PARAM;

  const int32_t luma_size = e->width * e->height;
  uint8_t* picture = e->input; /* I420 is encoded in place */
  if (format != RTSE_FORMAT_I420) {
    if (e->i420 == NULL) {
      e->i420 = malloc((size_t)(luma_size + luma_size / 2));
      if (e->i420 == NULL) return RTSE_ERR_NO_MEMORY;
    }
    rtse_convert(format, e->input, e->width, e->height, e->i420);
    picture = e->i420;
  }

  SSourcePicture source;
  memset(&source, 0, sizeof source);
  source.iColorFormat = videoFormatI420;
  source.iPicWidth = e->width;
  source.iPicHeight = e->height;
  source.iStride[0] = e->width;
  source.iStride[1] = e->width / 2;
  source.iStride[2] = e->width / 2;
  source.pData[0] = picture;
  source.pData[1] = picture + luma_size;
  source.pData[2] = picture + luma_size + luma_size / 4;
  source.uiTimeStamp = (long long)timestamp_ms;

  SFrameBSInfo info;
  memset(&info, 0, sizeof info);
  e->result = NULL;
  /* Every frame: SetOption may have rebuilt the context and its function table with C kernels. */
  if (e->simd) rtse_simd_install(e->codec);
  const int rv = (*e->codec)->EncodeFrame(e->codec, &source, &info);
  /* Again after: OpenH264 creates its preprocessing object (VAA tables) in the first EncodeFrame. */
  if (e->simd) rtse_simd_install(e->codec);
  if (rv != cmResultSuccess) {
    e->frame_type = videoFrameTypeInvalid;
    return openh264_error(rv);
  }
  e->frame_type = info.eFrameType;
  if (info.eFrameType == videoFrameTypeSkip) return 0;
  return collect(e, &info);
}

EXPORT uint8_t* rtse_encoder_output(int32_t handle) {
  Encoder* e = lookup(handle);
  return e == NULL ? NULL : (uint8_t*)e->result;
}

EXPORT int32_t rtse_encoder_frame_type(int32_t handle) {
  Encoder* e = lookup(handle);
  return e == NULL ? RTSE_ERR_HANDLE : e->frame_type;
}

EXPORT int32_t rtse_encoder_force_keyframe(int32_t handle) {
  Encoder* e = lookup(handle);
  if (e == NULL) return RTSE_ERR_HANDLE;
  const ForceIntraFrameFn force = (ForceIntraFrameFn)(*e->codec)->ForceIntraFrame;
  const int rv = force(e->codec, true, -1);
  return rv == 0 ? 0 : openh264_error(rv);
}

static int set_rate(Encoder* e, ENCODER_OPTION option, int bitrate) {
  SBitrateInfo info;
  info.iLayer = SPATIAL_LAYER_0;
  info.iBitrate = bitrate;
  return (*e->codec)->SetOption(e->codec, option, &info);
}

EXPORT int32_t rtse_encoder_set_bitrate(int32_t handle, int32_t bitrate_bps) {
  Encoder* e = lookup(handle);
  if (e == NULL) return RTSE_ERR_HANDLE;
  if (bitrate_bps <= 0) return RTSE_ERR_PARAM;
  /* OpenH264 rejects a target above the current max, so raise the cap first when going up and
   * lower it last when going down. SPATIAL_LAYER_0 is the layer the rate control reads. */
  int rv;
  if (bitrate_bps >= e->bitrate) {
    rv = set_rate(e, ENCODER_OPTION_MAX_BITRATE, MAX_BITRATE(bitrate_bps));
    if (rv == 0) rv = set_rate(e, ENCODER_OPTION_BITRATE, bitrate_bps);
  } else {
    rv = set_rate(e, ENCODER_OPTION_BITRATE, bitrate_bps);
    if (rv == 0) rv = set_rate(e, ENCODER_OPTION_MAX_BITRATE, MAX_BITRATE(bitrate_bps));
  }
  if (rv != 0) return openh264_error(rv);
  e->bitrate = bitrate_bps;
  return 0;
}

EXPORT int32_t rtse_encoder_set_framerate(int32_t handle, float fps) {
  Encoder* e = lookup(handle);
  if (e == NULL) return RTSE_ERR_HANDLE;
  if (!(fps > 0.0f && fps <= 1000.0f)) return RTSE_ERR_PARAM;
  const int rv = (*e->codec)->SetOption(e->codec, ENCODER_OPTION_FRAME_RATE, &fps);
  return rv == 0 ? 0 : openh264_error(rv);
}

EXPORT void rtse_encoder_destroy(int32_t handle) {
  Encoder* e = lookup(handle);
  if (e == NULL) return;
  encoders[handle - 1] = NULL;
  release(e);
}
