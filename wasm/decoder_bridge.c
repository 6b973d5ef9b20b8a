/*
 * rtsp-edge WebAssembly bridge to the OpenH264 decoder.
 *
 * A few flat exports (prefix rdec_) over OpenH264's ISVCDecoder: the TypeScript side writes one
 * Annex B access unit into rdec_input(), calls rdec_decode(), and when it returns 1 reads a tightly
 * packed I420 picture from rdec_output() (sizes in rdec_result()). Its own module, not part of the
 * encoder's, so the encoder does not carry the decoder's weight. The ABI is in wasm/README.md.
 * Every argument is validated here; bad input returns a negative RDEC_ERR_* code, never traps.
 *
 * Copyright (c) 2026 The rtsp-edge authors. MIT licence (see LICENSE).
 */
#include <emscripten/emscripten.h>
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec_api.h"

#define EXPORT EMSCRIPTEN_KEEPALIVE

/* Error codes (negative; part of the ABI). */
#define RDEC_ERR_HANDLE (-1)     /* no live decoder with that handle */
#define RDEC_ERR_PARAM (-2)      /* length out of range */
#define RDEC_ERR_NO_MEMORY (-3)  /* malloc failed */
#define RDEC_ERR_LIMIT (-4)      /* RDEC_MAX_DECODERS decoders are already live */
#define RDEC_ERR_TOO_LARGE (-5)  /* the stream's picture is larger than RDEC_MAX_SAMPLES */
#define RDEC_ERR_OPENH264 (-100) /* OpenH264 failed to start: -100 - its return code */
/* rdec_decode with a bitstream error returns -1000 - OpenH264's DECODING_STATE bits (> 0). */
#define RDEC_ERR_STREAM (-1000)

#define RDEC_MAX_DECODERS 16
/* 4096 x 2304 luma samples (H.264 level 5.1's frame size): bounds what a stream can make us copy. */
#define RDEC_MAX_SAMPLES (4096 * 2304)

typedef struct {
  ISVCDecoder* codec;
  uint8_t* input; /* grow-only */
  int32_t input_capacity;
  uint8_t* output; /* grow-only, tightly packed I420 of the last picture */
  int32_t output_capacity;
  /* width, height, the decode's DECODING_STATE, pictures output so far (0 also when the last
   * picture was lost); the last picture stays in `output` until the next one. */
  int32_t result[4];
} Decoder;

static Decoder* decoders[RDEC_MAX_DECODERS];

/* OpenH264's WelsThreadLib.cpp references these two when it starts a thread, and the decoder's
 * wels_decoder_thread.cpp references sem_timedwait for its thread pool; emscripten without -pthread
 * lacks all three. The decoder never starts a thread (no DECODER_OPTION_NUM_OF_THREADS, and
 * pthread_create fails with EAGAIN in such a build anyway): they only satisfy the linker. */
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

int sem_timedwait(sem_t* sem, const struct timespec* timeout) {
  (void)sem;
  (void)timeout;
  errno = ENOTSUP;
  return -1;
}

static Decoder* lookup(int32_t handle) {
  if (handle < 1 || handle > RDEC_MAX_DECODERS) return NULL;
  return decoders[handle - 1];
}

/* Grow-only buffer: the contents are not kept when it grows. */
static uint8_t* reserve(uint8_t** buffer, int32_t* capacity, int32_t size) {
  if (size > *capacity) {
    free(*buffer);
    *buffer = malloc((size_t)size);
    *capacity = *buffer ? size : 0;
  }
  return *buffer;
}

EXPORT int32_t rdec_create(void) {
  int slot = 0;
  while (slot < RDEC_MAX_DECODERS && decoders[slot] != NULL) slot++;
  if (slot == RDEC_MAX_DECODERS) return RDEC_ERR_LIMIT;
  Decoder* d = calloc(1, sizeof(Decoder));
  if (d == NULL) return RDEC_ERR_NO_MEMORY;
  if (WelsCreateDecoder(&d->codec) != 0 || d->codec == NULL) {
    free(d);
    return RDEC_ERR_NO_MEMORY;
  }
  /* Quiet before Initialize, which logs at INFO otherwise (to stderr, discarded by the binding). */
  int level = WELS_LOG_QUIET;
  (*d->codec)->SetOption(d->codec, DECODER_OPTION_TRACE_LEVEL, &level);
  SDecodingParam param;
  memset(&param, 0, sizeof(param));
  param.sVideoProperty.eVideoBsType = VIDEO_BITSTREAM_AVC;
  /* No concealment: a picture with a lost reference is an error, not a smeared guess. A snapshot
   * would rather show the last clean picture; the caller restarts at the next keyframe. */
  param.eEcActiveIdc = ERROR_CON_DISABLE;
  long rc = (*d->codec)->Initialize(d->codec, &param);
  if (rc != 0) {
    WelsDestroyDecoder(d->codec);
    free(d);
    return RDEC_ERR_OPENH264 - (int32_t)rc;
  }
  decoders[slot] = d;
  return slot + 1;
}

EXPORT void rdec_destroy(int32_t handle) {
  Decoder* d = lookup(handle);
  if (d == NULL) return;
  (*d->codec)->Uninitialize(d->codec);
  WelsDestroyDecoder(d->codec);
  free(d->input);
  free(d->output);
  free(d);
  decoders[handle - 1] = NULL;
}

/* The input buffer for an access unit of `length` bytes (plus 4 zero bytes of padding after it,
 * which OpenH264's bit reader may touch), or NULL. */
EXPORT uint8_t* rdec_input(int32_t handle, int32_t length) {
  Decoder* d = lookup(handle);
  if (d == NULL || length <= 0 || length > INT32_MAX - 16) return NULL;
  return reserve(&d->input, &d->input_capacity, length + 16);
}

EXPORT uint8_t* rdec_output(int32_t handle) {
  Decoder* d = lookup(handle);
  return d == NULL ? NULL : d->output;
}

EXPORT int32_t* rdec_result(int32_t handle) {
  Decoder* d = lookup(handle);
  return d == NULL ? NULL : d->result;
}

/* Copies `rows` rows of `width` bytes from a strided plane into a packed one. */
static void copy_plane(uint8_t* dst, const uint8_t* src, int32_t width, int32_t rows,
                       int32_t stride) {
  for (int32_t y = 0; y < rows; y++) memcpy(dst + y * width, src + y * stride, (size_t)width);
}

/*
 * Decodes the `length` bytes at rdec_input(): one access unit in Annex B (SPS/PPS NAL units may
 * come with it or alone). Returns 1 when a picture is ready at rdec_output() (I420, Y width x
 * height, then U and V of ((width + 1) / 2) x ((height + 1) / 2) each), 0 when the data gave no
 * picture (parameter sets only), or a negative code.
 */
EXPORT int32_t rdec_decode(int32_t handle, int32_t length) {
  Decoder* d = lookup(handle);
  if (d == NULL) return RDEC_ERR_HANDLE;
  if (length <= 0 || length + 16 > d->input_capacity) return RDEC_ERR_PARAM;
  memset(d->input + length, 0, 16);
  uint8_t* planes[3] = {NULL, NULL, NULL};
  SBufferInfo info;
  memset(&info, 0, sizeof(info));
  DECODING_STATE state =
      (*d->codec)->DecodeFrameNoDelay(d->codec, d->input, length, planes, &info);
  d->result[2] = (int32_t)state;
  if (state != dsErrorFree) return RDEC_ERR_STREAM - (int32_t)state;
  if (info.iBufferStatus != 1) return 0;
  int32_t w = info.UsrData.sSystemBuffer.iWidth, h = info.UsrData.sSystemBuffer.iHeight;
  int32_t ys = info.UsrData.sSystemBuffer.iStride[0], cs = info.UsrData.sSystemBuffer.iStride[1];
  if (w <= 0 || h <= 0 || planes[0] == NULL || planes[1] == NULL || planes[2] == NULL) return 0;
  if ((int64_t)w * h > RDEC_MAX_SAMPLES) return RDEC_ERR_TOO_LARGE;
  int32_t cw = (w + 1) / 2, ch = (h + 1) / 2;
  uint8_t* out = reserve(&d->output, &d->output_capacity, w * h + cw * ch * 2);
  if (out == NULL) {
    d->result[3] = 0; /* the last picture went with the old buffer */
    return RDEC_ERR_NO_MEMORY;
  }
  copy_plane(out, planes[0], w, h, ys);
  copy_plane(out + w * h, planes[1], cw, ch, cs);
  copy_plane(out + w * h + cw * ch, planes[2], cw, ch, cs);
  d->result[0] = w;
  d->result[1] = h;
  d->result[3]++;
  return 1;
}

EXPORT void* rdec_malloc(int32_t size) { return size > 0 ? malloc((size_t)size) : NULL; }

EXPORT void rdec_free(void* p) { free(p); }
