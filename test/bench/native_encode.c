/*
 * Native reference for the rtsp-edge encoder benchmark (bench/encoder.ts).
 *
 * Encodes raw I420 frames from a file with OpenH264's C API, configured exactly as wasm/bridge.c
 * configures the WebAssembly build (configure() below mirrors bridge.c's configure() line for line),
 * on one thread, and prints one JSON line:
 *
 *   {"frames":150,"seconds":1.23,"fps":121.9,"bytes":456789,"skipped":0,"idr":5,
 *    "fnv1a":"9f3c2a1b","cpu_seconds":1.22,"other_cores":0.01,"version":"2.3.1"}
 *
 * fnv1a is the 32-bit FNV-1a hash of every output byte in order, so runs of different engines can
 * be checked to have produced the same bitstream. other_cores (Linux) is how many cores other
 * processes kept busy during the loop: the machine's busy time from /proc/stat minus this process's
 * own CPU time, over the loop's wall time; above ~0.2 the run had company and its fps is low.
 *
 * Only the EncodeFrame() calls are timed (wall clock, CLOCK_MONOTONIC; cpu_seconds is this thread's
 * CPU time over the same calls); reading the file is not.
 *
 * Usage: native_encode FILE WIDTH HEIGHT FPS BITRATE GOP [FRAMES [RC_MODE QP_MIN QP_MAX]]
 *   FRAMES   0 (default) = every whole frame in FILE
 *   RC_MODE  0 = bitrate (default), 1 = quality; QP_MIN/QP_MAX default 10 and 40, like
 *            src/encoder/options.ts
 *
 * Build against Debian's libopenh264 (x86 assembly on, chosen at run time by cpuid; the library has
 * no public switch to turn it off):
 *   gcc -O2 -I/usr/include/wels test/bench/native_encode.c -lopenh264 -o native_encode
 * Build against OpenH264's C++ compiled without assembly (make USE_ASM=No; bench/encoder.ts does it):
 *   gcc -O2 -I$SRC/codec/api/wels test/bench/native_encode.c libencoder.a libprocessing.a \
 *       libcommon.a -lstdc++ -lpthread -lm -o native_encode_noasm
 */
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "codec_api.h"

/* The same cap as wasm/bridge.c: max bitrate = target * 5 / 4. */
#define MAX_BITRATE(target) ((int)((int64_t)(target) * 5 / 4))

/* A copy of wasm/bridge.c's configure(); keep the two identical so the comparison is fair. */
static void configure(SEncParamExt* p, int32_t width, int32_t height, float fps, int32_t bitrate,
                      int32_t gop, int32_t rc_mode, int32_t qp_min, int32_t qp_max) {
  const bool fixed_qp = rc_mode == 1 && qp_min == qp_max;
  p->iUsageType = CAMERA_VIDEO_REAL_TIME;
  p->iPicWidth = width;
  p->iPicHeight = height;
  p->iTargetBitrate = bitrate;
  p->iMaxBitrate = MAX_BITRATE(bitrate);
  p->iRCMode = rc_mode == 0 ? RC_BITRATE_MODE : fixed_qp ? RC_OFF_MODE : RC_QUALITY_MODE;
  p->bEnableFrameSkip = rc_mode == 0;
  p->iMinQp = qp_min;
  p->iMaxQp = qp_max;
  p->fMaxFrameRate = fps;
  p->iTemporalLayerNum = 1;
  p->iSpatialLayerNum = 1;
  p->iComplexityMode = LOW_COMPLEXITY;
  p->uiIntraPeriod = (unsigned int)gop;
  p->iNumRefFrame = 1;
  p->eSpsPpsIdStrategy = CONSTANT_ID;
  p->bPrefixNalAddingCtrl = false;
  p->bEnableSSEI = false;
  p->bSimulcastAVC = false;
  p->iPaddingFlag = 0;
  p->iEntropyCodingModeFlag = 0; /* CAVLC */
  p->uiMaxNalSize = 0;
  p->bEnableLongTermReference = false;
  p->iMultipleThreadIdc = 1; /* one thread, like the WASM module */
  p->bUseLoadBalancing = false;
  p->iLoopFilterDisableIdc = 0;
  p->bEnableDenoise = false;
  p->bEnableBackgroundDetection = true;
  p->bEnableAdaptiveQuant = true;
  p->bEnableFrameCroppingFlag = true;
  p->bEnableSceneChangeDetect = false; /* bridge.c: extra IDRs would break the GOP */
  p->bFixRCOverShoot = true;

  SSpatialLayerConfig* layer = &p->sSpatialLayers[0];
  layer->iVideoWidth = width;
  layer->iVideoHeight = height;
  layer->fFrameRate = fps;
  layer->iSpatialBitrate = bitrate;
  layer->iMaxSpatialBitrate = MAX_BITRATE(bitrate);
  layer->uiProfileIdc = PRO_BASELINE;
  layer->uiLevelIdc = LEVEL_UNKNOWN;
  layer->iDLayerQp = fixed_qp ? qp_min : 26;
  layer->sSliceArgument.uiSliceMode = SM_SINGLE_SLICE;
  layer->sSliceArgument.uiSliceNum = 1;
  layer->bVideoSignalTypePresent = true;
  layer->uiVideoFormat = VF_UNDEF;
  layer->bFullRange = false;
  layer->bColorDescriptionPresent = true;
  layer->uiColorPrimaries = CP_SMPTE170M;
  layer->uiTransferCharacteristics = TRC_SMPTE170M;
  layer->uiColorMatrix = CM_SMPTE170M;
}

static double seconds_of(clockid_t clock) {
  struct timespec t;
  clock_gettime(clock, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Busy jiffies (all but idle and iowait) of the whole machine, or -1 without /proc/stat. */
static double machine_busy_seconds(void) {
  FILE* f = fopen("/proc/stat", "r");
  if (f == NULL) return -1;
  unsigned long long v[8] = {0};
  const int n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
                       &v[4], &v[5], &v[6], &v[7]);
  fclose(f);
  if (n != 8) return -1;
  const unsigned long long busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
  return (double)busy / (double)sysconf(_SC_CLK_TCK);
}

static long arg_long(const char* text, const char* name, long min, long max) {
  char* end = NULL;
  const long v = strtol(text, &end, 10);
  if (end == text || *end != '\0' || v < min || v > max) {
    fprintf(stderr, "native_encode: %s must be an integer from %ld to %ld, got \"%s\"\n", name, min,
            max, text);
    exit(2);
  }
  return v;
}

int main(int argc, char** argv) {
  if (argc != 7 && argc != 8 && argc != 11) {
    fprintf(stderr,
            "usage: native_encode FILE WIDTH HEIGHT FPS BITRATE GOP [FRAMES [RC_MODE QP_MIN "
            "QP_MAX]]\n");
    return 2;
  }
  const char* path = argv[1];
  const int32_t width = (int32_t)arg_long(argv[2], "WIDTH", 16, 4096);
  const int32_t height = (int32_t)arg_long(argv[3], "HEIGHT", 16, 4096);
  const float fps = (float)arg_long(argv[4], "FPS", 1, 240);
  const int32_t bitrate = (int32_t)arg_long(argv[5], "BITRATE", 10000, 100000000);
  const int32_t gop = (int32_t)arg_long(argv[6], "GOP", 1, 1000);
  const long max_frames = argc >= 8 ? arg_long(argv[7], "FRAMES", 0, 1000000) : 0;
  const int32_t rc_mode = argc == 11 ? (int32_t)arg_long(argv[8], "RC_MODE", 0, 1) : 0;
  const int32_t qp_min = argc == 11 ? (int32_t)arg_long(argv[9], "QP_MIN", 0, 51) : 10;
  const int32_t qp_max = argc == 11 ? (int32_t)arg_long(argv[10], "QP_MAX", 0, 51) : 40;
  if (width % 2 != 0 || height % 2 != 0 || qp_min > qp_max) {
    fprintf(stderr, "native_encode: odd size or QP_MIN above QP_MAX\n");
    return 2;
  }

  FILE* in = fopen(path, "rb");
  if (in == NULL) {
    perror(path);
    return 1;
  }
  const size_t luma = (size_t)width * (size_t)height;
  const size_t frame_size = luma + luma / 2;
  uint8_t* frame = malloc(frame_size);
  if (frame == NULL) return 1;

  ISVCEncoder* codec = NULL;
  if (WelsCreateSVCEncoder(&codec) != 0 || codec == NULL) {
    fprintf(stderr, "native_encode: WelsCreateSVCEncoder failed\n");
    return 1;
  }
  int trace_level = WELS_LOG_QUIET;
  (*codec)->SetOption(codec, ENCODER_OPTION_TRACE_LEVEL, &trace_level);
  SEncParamExt params;
  (*codec)->GetDefaultParams(codec, &params);
  configure(&params, width, height, fps, bitrate, gop, rc_mode, qp_min, qp_max);
  int rv = (*codec)->InitializeExt(codec, &params);
  if (rv != cmResultSuccess) {
    fprintf(stderr, "native_encode: InitializeExt failed (%d)\n", rv);
    return 1;
  }
  int data_format = videoFormatI420;
  (*codec)->SetOption(codec, ENCODER_OPTION_DATAFORMAT, &data_format);

  SSourcePicture source;
  memset(&source, 0, sizeof source);
  source.iColorFormat = videoFormatI420;
  source.iPicWidth = width;
  source.iPicHeight = height;
  source.iStride[0] = width;
  source.iStride[1] = width / 2;
  source.iStride[2] = width / 2;
  source.pData[0] = frame;
  source.pData[1] = frame + luma;
  source.pData[2] = frame + luma + luma / 4;

  long frames = 0, skipped = 0, idr = 0;
  long long bytes = 0;
  uint32_t fnv = 2166136261u;
  double wall = 0, cpu = 0;
  const double loop_wall0 = seconds_of(CLOCK_MONOTONIC);
  const double loop_cpu0 = seconds_of(CLOCK_PROCESS_CPUTIME_ID);
  const double machine0 = machine_busy_seconds();
  while ((max_frames == 0 || frames < max_frames) && fread(frame, 1, frame_size, in) == frame_size) {
    /* The bridge gets microseconds / 1000 from TypeScript and truncates to whole milliseconds. */
    source.uiTimeStamp = (long long)((double)frames * 1000.0 / fps);
    SFrameBSInfo info;
    memset(&info, 0, sizeof info);
    const double w0 = seconds_of(CLOCK_MONOTONIC);
    const double c0 = seconds_of(CLOCK_THREAD_CPUTIME_ID);
    rv = (*codec)->EncodeFrame(codec, &source, &info);
    cpu += seconds_of(CLOCK_THREAD_CPUTIME_ID) - c0;
    wall += seconds_of(CLOCK_MONOTONIC) - w0;
    if (rv != cmResultSuccess) {
      fprintf(stderr, "native_encode: EncodeFrame failed on frame %ld (%d)\n", frames, rv);
      return 1;
    }
    frames++;
    if (info.eFrameType == videoFrameTypeSkip) skipped++;
    if (info.eFrameType == videoFrameTypeIDR) idr++;
    for (int l = 0; l < info.iLayerNum; l++) {
      const uint8_t* p = info.sLayerInfo[l].pBsBuf;
      for (int n = 0; n < info.sLayerInfo[l].iNalCount; n++) {
        const int len = info.sLayerInfo[l].pNalLengthInByte[n];
        for (int i = 0; i < len; i++) fnv = (fnv ^ p[i]) * 16777619u;
        p += len;
        bytes += len;
      }
    }
  }
  const double loop_wall = seconds_of(CLOCK_MONOTONIC) - loop_wall0;
  const double loop_cpu = seconds_of(CLOCK_PROCESS_CPUTIME_ID) - loop_cpu0;
  const double machine1 = machine_busy_seconds();
  double other_cores = -1;
  if (machine0 >= 0 && machine1 >= 0 && loop_wall > 0) {
    other_cores = (machine1 - machine0 - loop_cpu) / loop_wall;
    if (other_cores < 0) other_cores = 0;
  }
  fclose(in);
  (*codec)->Uninitialize(codec);
  WelsDestroySVCEncoder(codec);
  free(frame);
  if (frames == 0) {
    fprintf(stderr, "native_encode: %s holds no whole %dx%d I420 frame\n", path, width, height);
    return 1;
  }
  const OpenH264Version v = WelsGetCodecVersion();
  printf("{\"frames\":%ld,\"seconds\":%.6f,\"fps\":%.3f,\"bytes\":%lld,\"skipped\":%ld,\"idr\":%ld,"
         "\"fnv1a\":\"%08x\",\"cpu_seconds\":%.6f,\"other_cores\":%.3f,"
         "\"version\":\"%u.%u.%u\"}\n",
         frames, wall, (double)frames / wall, bytes, skipped, idr, (unsigned)fnv, cpu, other_cores,
         v.uMajor, v.uMinor, v.uRevision);
  return 0;
}
