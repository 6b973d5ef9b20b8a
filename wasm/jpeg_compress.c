/*
 * rtsp-edge: the JPEG encoder bridge over libjpeg-turbo's compressor (same module as the decoder
 * in jpeg_bridge.c). One planar I420 picture in WebAssembly memory becomes one baseline JFIF JPEG
 * (4:2:0, ISLOW DCT) at a quality, optionally scaled down first with an area-average (box) filter.
 * The samples go in through jpeg_write_raw_data: no colour conversion and no downsampling inside
 * libjpeg, since I420 already is JPEG's YCbCr 4:2:0 (only the range differs, mapped here).
 * The ABI is in wasm/README.md.
 *
 * Errors never trap: libjpeg's error_exit longjmp's back here (as in jpeg_bridge.c).
 *
 * Copyright (c) 2026 The rtsp-edge authors. MIT licence (see LICENSE).
 */

#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jerror.h"
#include "jpeglib.h"

#define RJPG_OK 0
#define RJPG_ERR_HANDLE -1    /* no live encoder with that handle */
#define RJPG_ERR_PARAM -2     /* size, quality, flags or length out of range */
#define RJPG_ERR_NO_MEMORY -3 /* WebAssembly memory cannot grow */
#define RJPG_ERR_LIMIT -4     /* RJPG_MAX_ENCODERS already live */
#define RJPG_ERR_JPEG -5      /* libjpeg failed (rjpg_encoder_message says why) */

#define RJPG_ENC_FLAG_FULL_RANGE 1 /* the input is already full range (JFIF): do not expand it */

#define RJPG_MAX_ENCODERS 16
#define RJPG_MAX_SIDE 8192

typedef struct {
  /* First member: libjpeg hands callbacks the cinfo pointer, which is then the encoder's. */
  struct jpeg_compress_struct cinfo;
  struct jpeg_error_mgr err;
  jmp_buf jump;
  uint8_t *input; /* packed I420 at the source size */
  int32_t input_capacity;
  uint8_t *scaled; /* packed I420 at the output size, when scaling */
  int32_t scaled_capacity;
  uint8_t *strips; /* one iMCU row of each component, padded to whole blocks */
  int32_t strips_capacity;
  uint8_t *sums; /* per-column uint32_t sums of the box filter */
  int32_t sums_capacity;
  uint8_t *output; /* the JPEG */
  int32_t output_capacity;
  char message[JMSG_LENGTH_MAX];
} Encoder;

extern const char *const jpeg_std_message_table[];

static Encoder *encoders[RJPG_MAX_ENCODERS];
static uint8_t y_expand[256], c_expand[256], identity[256];
static int luts_ready;

/* I420 from H.264 is BT.601 limited range (Y 16..235, Cb/Cr 16..240); JFIF stores full range.
 * The inverse of jpeg_bridge.c's mapping, rounded and clamped. */
static void init_luts(void) {
  if (luts_ready) return;
  for (int v = 0; v < 256; v++) {
    int y = ((v - 16) * 255 * 2 + 219) / (219 * 2);
    if (v < 16) y = 0;
    y_expand[v] = (uint8_t)(y > 255 ? 255 : y);
    int c = (v - 128) * 255 * 2;
    c = c >= 0 ? (c + 224) / 448 : -((-c + 224) / 448);
    c += 128;
    c_expand[v] = (uint8_t)(c < 0 ? 0 : c > 255 ? 255 : c);
    identity[v] = (uint8_t)v;
  }
  luts_ready = 1;
}

static Encoder *lookup(int32_t handle) {
  if (handle < 1 || handle > RJPG_MAX_ENCODERS) return NULL;
  return encoders[handle - 1];
}

static uint8_t *reserve(uint8_t **buffer, int32_t *capacity, int32_t size) {
  if (size > *capacity) {
    free(*buffer);
    *buffer = malloc((size_t)size);
    *capacity = *buffer ? size : 0;
  }
  return *buffer;
}

static void error_exit(j_common_ptr cinfo) {
  Encoder *e = (Encoder *)cinfo;
  (*cinfo->err->format_message)(cinfo, e->message);
  longjmp(e->jump, 1);
}

/* Warnings cannot change what we write (all input comes from us); they are dropped. */
static void emit_message(j_common_ptr cinfo, int level) {
  (void)cinfo;
  (void)level;
}

static void output_message(j_common_ptr cinfo) { (void)cinfo; }

static void reset_error_mgr(j_common_ptr cinfo) {
  cinfo->err->num_warnings = 0;
  cinfo->err->msg_code = 0;
}

/* jerror.c's format_message is static there; this is the same (see jpeg_bridge.c). */
static void format_message(j_common_ptr cinfo, char *buffer) {
  struct jpeg_error_mgr *err = cinfo->err;
  int code = err->msg_code;
  const char *text = NULL;
  if (code > 0 && code <= err->last_jpeg_message) text = err->jpeg_message_table[code];
  if (text == NULL) {
    err->msg_parm.i[0] = code;
    text = err->jpeg_message_table[0];
  }
  const char *p = strchr(text, '%');
  if (p != NULL && p[1] == 's') {
    snprintf(buffer, JMSG_LENGTH_MAX, text, err->msg_parm.s);
  } else {
    int *i = err->msg_parm.i;
    snprintf(buffer, JMSG_LENGTH_MAX, text, i[0], i[1], i[2], i[3], i[4], i[5], i[6], i[7]);
  }
}

int32_t rjpg_encoder_create(void) {
  init_luts();
  int slot = 0;
  while (slot < RJPG_MAX_ENCODERS && encoders[slot] != NULL) slot++;
  if (slot == RJPG_MAX_ENCODERS) return RJPG_ERR_LIMIT;
  Encoder *e = calloc(1, sizeof(Encoder));
  if (e == NULL) return RJPG_ERR_NO_MEMORY;
  e->err.error_exit = error_exit;
  e->err.emit_message = emit_message;
  e->err.output_message = output_message;
  e->err.format_message = format_message;
  e->err.reset_error_mgr = reset_error_mgr;
  e->err.jpeg_message_table = jpeg_std_message_table;
  e->err.last_jpeg_message = (int)JMSG_LASTMSGCODE - 1;
  e->cinfo.err = &e->err;
  if (setjmp(e->jump)) {
    free(e);
    return RJPG_ERR_NO_MEMORY;
  }
  jpeg_create_compress(&e->cinfo);
  encoders[slot] = e;
  return slot + 1;
}

void rjpg_encoder_destroy(int32_t handle) {
  Encoder *e = lookup(handle);
  if (e == NULL) return;
  jpeg_destroy_compress(&e->cinfo);
  free(e->input);
  free(e->scaled);
  free(e->strips);
  free(e->sums);
  free(e->output);
  free(e);
  encoders[handle - 1] = NULL;
}

/* The buffer for one packed I420 picture of `length` bytes (grow-only), or NULL. */
uint8_t *rjpg_encoder_input(int32_t handle, int32_t length) {
  Encoder *e = lookup(handle);
  if (e == NULL || length <= 0) return NULL;
  return reserve(&e->input, &e->input_capacity, length);
}

uint8_t *rjpg_encoder_output(int32_t handle) {
  Encoder *e = lookup(handle);
  return e == NULL ? NULL : e->output;
}

const char *rjpg_encoder_message(int32_t handle) {
  Encoder *e = lookup(handle);
  return e == NULL ? NULL : e->message;
}

static int32_t i420_size(int32_t w, int32_t h) {
  return w * h + ((w + 1) / 2) * ((h + 1) / 2) * 2;
}

/* Area average: output pixel (x, y) is the rounded mean of the source pixels in
 * [x * sw / dw, (x + 1) * sw / dw) x [y * sh / dh, (y + 1) * sh / dh), so every source pixel
 * counts exactly once (dw <= sw, dh <= sh: never up). Column sums per output row keep it one pass
 * over the source. */
static void box_scale(const uint8_t *src, int32_t sw, int32_t sh, uint8_t *dst, int32_t dw,
                      int32_t dh, uint32_t *sums) {
  for (int32_t y = 0; y < dh; y++) {
    int32_t y0 = (int32_t)((int64_t)y * sh / dh), y1 = (int32_t)((int64_t)(y + 1) * sh / dh);
    memset(sums, 0, (size_t)sw * sizeof(uint32_t));
    for (int32_t r = y0; r < y1; r++) {
      const uint8_t *row = src + (size_t)r * sw;
      for (int32_t x = 0; x < sw; x++) sums[x] += row[x];
    }
    for (int32_t x = 0; x < dw; x++) {
      int32_t x0 = (int32_t)((int64_t)x * sw / dw), x1 = (int32_t)((int64_t)(x + 1) * sw / dw);
      uint32_t total = 0;
      for (int32_t c = x0; c < x1; c++) total += sums[c];
      uint32_t n = (uint32_t)(x1 - x0) * (uint32_t)(y1 - y0);
      dst[(size_t)y * dw + x] = (uint8_t)((total + n / 2) / n);
    }
  }
}

/* Rows [y0, y0 + rows) of a plane into a strip `pad_w` wide, through `lut`; columns past `w` and
 * rows past `h` repeat the last ones (libjpeg reads whole 8x8 blocks). */
static void fill_strip(JSAMPROW *out, int32_t rows, const uint8_t *plane, int32_t w, int32_t h,
                       int32_t y0, int32_t pad_w, const uint8_t *lut) {
  for (int32_t r = 0; r < rows; r++) {
    int32_t sy = y0 + r < h ? y0 + r : h - 1;
    const uint8_t *src = plane + (size_t)sy * w;
    uint8_t *dst = out[r];
    for (int32_t x = 0; x < w; x++) dst[x] = lut[src[x]];
    for (int32_t x = w; x < pad_w; x++) dst[x] = dst[w - 1];
  }
}

/*
 * Encodes the packed I420 picture (`width` x `height`) at rjpg_encoder_input(): scaled to
 * `out_width` x `out_height` (each at most the source's; equal sizes mean no scaling) at `quality`
 * 1..100. Returns the JPEG's byte count (at rjpg_encoder_output(), valid until the next encode) or
 * a negative code.
 */
int32_t rjpg_encode(int32_t handle, int32_t width, int32_t height, int32_t out_width,
                    int32_t out_height, int32_t quality, int32_t flags) {
  Encoder *e = lookup(handle);
  if (e == NULL) return RJPG_ERR_HANDLE;
  e->message[0] = '\0';
  if (width < 1 || height < 1 || width > RJPG_MAX_SIDE || height > RJPG_MAX_SIDE ||
      out_width < 1 || out_height < 1 || out_width > width || out_height > height ||
      quality < 1 || quality > 100 || (flags & ~RJPG_ENC_FLAG_FULL_RANGE) != 0 ||
      i420_size(width, height) > e->input_capacity) {
    snprintf(e->message, JMSG_LENGTH_MAX, "bad parameters");
    return RJPG_ERR_PARAM;
  }
  const uint8_t *picture = e->input;
  int32_t w = out_width, h = out_height;
  if (w != width || h != height) {
    uint8_t *scaled = reserve(&e->scaled, &e->scaled_capacity, i420_size(w, h));
    uint8_t *sums = reserve(&e->sums, &e->sums_capacity, width * (int32_t)sizeof(uint32_t));
    if (scaled == NULL || sums == NULL) {
      snprintf(e->message, JMSG_LENGTH_MAX, "out of memory");
      return RJPG_ERR_NO_MEMORY;
    }
    int32_t scw = (width + 1) / 2, sch = (height + 1) / 2, dcw = (w + 1) / 2, dch = (h + 1) / 2;
    const uint8_t *su = e->input + width * height, *sv = su + scw * sch;
    uint32_t *column = (uint32_t *)sums; /* malloc's alignment suits uint32_t */
    box_scale(e->input, width, height, scaled, w, h, column);
    box_scale(su, scw, sch, scaled + w * h, dcw, dch, column);
    box_scale(sv, scw, sch, scaled + w * h + dcw * dch, dcw, dch, column);
    picture = scaled;
  }
  int32_t cw = (w + 1) / 2, ch = (h + 1) / 2;
  /* Whole blocks: luma to 16 (the chroma's 8 at half resolution), as libjpeg reads them. */
  int32_t pad_y = (w + 15) & ~15, pad_c = pad_y / 2;
  uint8_t *strips = reserve(&e->strips, &e->strips_capacity, pad_y * 16 + pad_c * 8 * 2);
  /* Worst case of a 4:2:0 JPEG (libjpeg-turbo's tjBufSize): 3 bytes a padded pixel plus headers.
   * Reserved up front so jpeg_mem_dest never has to allocate (and so never leaks on error). */
  int32_t worst = pad_y * ((h + 15) & ~15) * 3 + 2048;
  uint8_t *output = reserve(&e->output, &e->output_capacity, worst);
  if (strips == NULL || output == NULL) {
    snprintf(e->message, JMSG_LENGTH_MAX, "out of memory");
    return RJPG_ERR_NO_MEMORY;
  }
  JSAMPROW rows[3][16];
  JSAMPARRAY planes[3] = {rows[0], rows[1], rows[2]};
  for (int r = 0; r < 16; r++) rows[0][r] = strips + r * pad_y;
  for (int r = 0; r < 8; r++) {
    rows[1][r] = strips + pad_y * 16 + r * pad_c;
    rows[2][r] = strips + pad_y * 16 + pad_c * 8 + r * pad_c;
  }
  const uint8_t *ylut = flags & RJPG_ENC_FLAG_FULL_RANGE ? identity : y_expand;
  const uint8_t *clut = flags & RJPG_ENC_FLAG_FULL_RANGE ? identity : c_expand;
  const uint8_t *yp = picture, *up = picture + w * h, *vp = up + cw * ch;
  struct jpeg_compress_struct *c = &e->cinfo;
  unsigned char *dest = output;
  unsigned long size = (unsigned long)e->output_capacity;
  if (setjmp(e->jump)) {
    jpeg_abort_compress(c);
    return RJPG_ERR_JPEG;
  }
  jpeg_mem_dest(c, &dest, &size);
  c->image_width = (JDIMENSION)w;
  c->image_height = (JDIMENSION)h;
  c->input_components = 3;
  c->in_color_space = JCS_YCbCr;
  jpeg_set_defaults(c); /* YCbCr, luma 2x2 and chroma 1x1: 4:2:0 */
  jpeg_set_quality(c, quality, TRUE);
  c->raw_data_in = TRUE;
  c->dct_method = JDCT_ISLOW;
  jpeg_start_compress(c, TRUE);
  for (int32_t y = 0; y < h; y += 16) {
    fill_strip(rows[0], 16, yp, w, h, y, pad_y, ylut);
    fill_strip(rows[1], 8, up, cw, ch, y / 2, pad_c, clut);
    fill_strip(rows[2], 8, vp, cw, ch, y / 2, pad_c, clut);
    jpeg_write_raw_data(c, planes, 16);
  }
  jpeg_finish_compress(c);
  if (dest != output) {
    /* Cannot happen with the worst-case reservation; if it did, libjpeg's buffer is ours now. */
    free(e->output);
    e->output = dest;
    e->output_capacity = (int32_t)size;
  }
  return (int32_t)size;
}
