/*
 * rtsp-edge: the JPEG decoder bridge over libjpeg-turbo (decompressor only). One JPEG from a
 * buffer in WebAssembly memory becomes one I420 picture (planar Y, U, V, 4:2:0, BT.601 limited
 * range unless asked for full range) in a grow-only output buffer. The ABI is in wasm/README.md.
 *
 * Errors never trap: libjpeg's error_exit longjmp's back here (emcc -sSUPPORT_LONGJMP=wasm, which
 * lowers setjmp/longjmp to WebAssembly exception handling and needs no JavaScript glue), and the
 * call returns a negative code with libjpeg's message available from rjpg_message().
 *
 * Copyright (c) 2026 The rtsp-edge authors. MIT licence (see LICENSE).
 */

#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasm_simd128.h>

#include "jerror.h"
#include "jpeglib.h"

#define RJPG_OK 0
#define RJPG_ERR_HANDLE -1      /* no live decoder with that handle */
#define RJPG_ERR_PARAM -2       /* length or flags out of range */
#define RJPG_ERR_NO_MEMORY -3   /* WebAssembly memory cannot grow */
#define RJPG_ERR_LIMIT -4       /* RJPG_MAX_DECODERS already live */
#define RJPG_ERR_JPEG -5        /* libjpeg refused the data (corrupt, truncated, not a JPEG) */
#define RJPG_ERR_TOO_LARGE -6   /* a side above RJPG_MAX_SIDE */
#define RJPG_ERR_TOO_SMALL -7   /* a side below 2 (nothing left after cropping to even) */
#define RJPG_ERR_UNSUPPORTED -8 /* colour space the bridge does not convert (CMYK, YCCK, ...) */
#define RJPG_ERR_SCANS -9       /* a progressive JPEG with more than RJPG_MAX_SCANS scans */

#define RJPG_FLAG_FULL_RANGE 1 /* keep JPEG's full-range samples instead of BT.601 16..235/240 */

#define RJPG_MAX_DECODERS 16
#define RJPG_MAX_SIDE 4096
/* A progressive JPEG may carry any number of scans, each a full pass over the coefficients; real
 * encoders use about 10. Bounding them bounds the work a hostile frame can cause. */
#define RJPG_MAX_SCANS 500
/* libjpeg's own allocations per picture (progressive coefficient buffers are the big ones: a
 * 4096x4096 4:4:4 progressive JPEG needs 96 MiB). Beyond this libjpeg fails cleanly. */
#define RJPG_MAX_MEMORY (128L * 1024 * 1024)

/* How the picture reached I420 (rjpg_result()[4]). */
#define RJPG_PATH_RAW 1      /* jpeg_read_raw_data: no colour conversion, no upsampling */
#define RJPG_PATH_SCANLINE 2 /* libjpeg upsampled (and for RGB JPEGs we converted) */

typedef struct {
  /* First member: libjpeg hands callbacks the cinfo pointer, which is then the decoder's. */
  struct jpeg_decompress_struct cinfo;
  struct jpeg_error_mgr err;
  struct jpeg_progress_mgr progress;
  jmp_buf jump;
  int32_t bridge_error; /* set before longjmp when the bridge itself stops the decode */
  uint8_t *input;
  int32_t input_capacity;
  uint8_t *output;
  int32_t output_capacity;
  uint8_t *scratch;
  int32_t scratch_capacity;
  /* width, height (even, of the I420 picture), image width, image height, path, colour space,
   * warnings, components. */
  int32_t result[8];
  char message[JMSG_LENGTH_MAX];
  char warning[JMSG_LENGTH_MAX];
} Decoder;

/* jerror.c's message table: external there ("just in case any applications want to refer to it
 * directly") but not declared in any header. */
extern const char *const jpeg_std_message_table[];

static Decoder *decoders[RJPG_MAX_DECODERS];
static uint8_t y_lut[256], c_lut[256], identity_lut[256];
static int luts_ready;

/* JFIF stores full-range samples (0..255); the H.264 stream's VUI says BT.601 limited range, so
 * by default Y maps to 16..235 and Cb/Cr to 16..240, rounded. */
static void init_luts(void) {
  if (luts_ready) return;
  for (int v = 0; v < 256; v++) {
    y_lut[v] = (uint8_t)(16 + (v * 219 + 127) / 255);
    int c = (v - 128) * 224;
    c_lut[v] = (uint8_t)(128 + (c >= 0 ? (c + 127) / 255 : -((-c + 127) / 255)));
    identity_lut[v] = (uint8_t)v;
  }
  luts_ready = 1;
}

static Decoder *lookup(int32_t handle) {
  if (handle < 1 || handle > RJPG_MAX_DECODERS) return NULL;
  return decoders[handle - 1];
}

/* jerror.c's format_message, which is static there: the message table entry with its
 * parameters. Ours so that jpeg_std_error (and its fprintf to stderr) is never linked. */
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

static void error_exit(j_common_ptr cinfo) {
  Decoder *d = (Decoder *)cinfo;
  format_message(cinfo, d->message);
  longjmp(d->jump, 1);
}

/* Only warnings reach here (trace_level is 0): keep the first one of the picture. */
static void emit_message(j_common_ptr cinfo, int level) {
  Decoder *d = (Decoder *)cinfo;
  if (level >= 0) return;
  if (cinfo->err->num_warnings == 0) format_message(cinfo, d->warning);
  cinfo->err->num_warnings++;
}

static void output_message(j_common_ptr cinfo) { (void)cinfo; }

static void reset_error_mgr(j_common_ptr cinfo) {
  cinfo->err->num_warnings = 0;
  cinfo->err->msg_code = 0;
}

static void progress_monitor(j_common_ptr cinfo) {
  Decoder *d = (Decoder *)cinfo;
  if (d->cinfo.input_scan_number > RJPG_MAX_SCANS) {
    snprintf(d->message, JMSG_LENGTH_MAX, "more than %d scans in a progressive JPEG",
             RJPG_MAX_SCANS);
    d->bridge_error = RJPG_ERR_SCANS;
    longjmp(d->jump, 1);
  }
}

/* Grow-only buffer: the contents are not kept when it grows. */
static uint8_t *reserve(uint8_t **buffer, int32_t *capacity, int32_t size) {
  if (size > *capacity) {
    free(*buffer);
    *buffer = malloc((size_t)size);
    *capacity = *buffer ? size : 0;
  }
  return *buffer;
}

int32_t rjpg_decoder_create(void) {
  init_luts();
  int slot = 0;
  while (slot < RJPG_MAX_DECODERS && decoders[slot] != NULL) slot++;
  if (slot == RJPG_MAX_DECODERS) return RJPG_ERR_LIMIT;
  Decoder *d = calloc(1, sizeof(Decoder));
  if (d == NULL) return RJPG_ERR_NO_MEMORY;
  d->err.error_exit = error_exit;
  d->err.emit_message = emit_message;
  d->err.output_message = output_message;
  d->err.format_message = format_message;
  d->err.reset_error_mgr = reset_error_mgr;
  d->err.jpeg_message_table = jpeg_std_message_table;
  d->err.last_jpeg_message = (int)JMSG_LASTMSGCODE - 1;
  d->cinfo.err = &d->err;
  if (setjmp(d->jump)) {
    free(d); /* jpeg_create_decompress failed to allocate; nothing else to free */
    return RJPG_ERR_NO_MEMORY;
  }
  jpeg_create_decompress(&d->cinfo);
  d->cinfo.mem->max_memory_to_use = RJPG_MAX_MEMORY;
  d->progress.progress_monitor = progress_monitor;
  d->cinfo.progress = &d->progress;
  decoders[slot] = d;
  return slot + 1;
}

void rjpg_decoder_destroy(int32_t handle) {
  Decoder *d = lookup(handle);
  if (d == NULL) return;
  jpeg_destroy_decompress(&d->cinfo);
  free(d->input);
  free(d->output);
  free(d->scratch);
  free(d);
  decoders[handle - 1] = NULL;
}

uint8_t *rjpg_input(int32_t handle, int32_t length) {
  Decoder *d = lookup(handle);
  if (d == NULL || length <= 0) return NULL;
  return reserve(&d->input, &d->input_capacity, length);
}

uint8_t *rjpg_output(int32_t handle) {
  Decoder *d = lookup(handle);
  return d == NULL ? NULL : d->output;
}

int32_t *rjpg_result(int32_t handle) {
  Decoder *d = lookup(handle);
  return d == NULL ? NULL : d->result;
}

const char *rjpg_message(int32_t handle) {
  Decoder *d = lookup(handle);
  return d == NULL ? NULL : d->message;
}

const char *rjpg_warning(int32_t handle) {
  Decoder *d = lookup(handle);
  return d == NULL ? NULL : d->warning;
}

/* The range mappings of y_lut and c_lut, 16 samples at a time, equal to the tables for every
 * input: (v * 219 + 127) / 255 is (v * 28142 + 2^14) >> 15 (i16x8.q15mulr_sat) for v in 0..255,
 * and (d * 224 + 127) / 255 is (d * 28783 + 2^14) >> 15 for d in 0..128 (checked exhaustively;
 * test/jpeg/jpeg_simd_test.ts checks decodes against the formula). */
static v128_t map_y16(v128_t v) {
  const v128_t k = wasm_i16x8_splat(28142);
  v128_t lo = wasm_i16x8_q15mulr_sat(wasm_u16x8_extend_low_u8x16(v), k);
  v128_t hi = wasm_i16x8_q15mulr_sat(wasm_u16x8_extend_high_u8x16(v), k);
  return wasm_i8x16_add(wasm_u8x16_narrow_i16x8(lo, hi), wasm_i8x16_splat(16));
}

/* 128 +- round(|v - 128| * 224 / 255), the sign of v - 128 kept (c_lut rounds half away). */
static v128_t map_c16(v128_t v) {
  const v128_t k = wasm_i16x8_splat(28783), mid = wasm_i8x16_splat((int8_t)0x80);
  v128_t s = wasm_v128_xor(v, mid); /* v - 128 as a signed byte */
  v128_t d = wasm_i8x16_abs(s);     /* |v - 128|, 0..128 read unsigned */
  v128_t lo = wasm_i16x8_q15mulr_sat(wasm_u16x8_extend_low_u8x16(d), k);
  v128_t hi = wasm_i16x8_q15mulr_sat(wasm_u16x8_extend_high_u8x16(d), k);
  v128_t q = wasm_u8x16_narrow_i16x8(lo, hi);
  v128_t neg = wasm_i8x16_lt(s, wasm_i8x16_splat(0));
  return wasm_v128_bitselect(wasm_i8x16_sub(mid, q), wasm_i8x16_add(mid, q), neg);
}

static v128_t map16(v128_t v, const uint8_t *lut) {
  if (lut == y_lut) return map_y16(v);
  if (lut == c_lut) return map_c16(v);
  return v;
}

static void copy_row(uint8_t *dst, const uint8_t *src, int32_t n, const uint8_t *lut) {
  int32_t x = 0;
  if (lut == identity_lut) {
    memcpy(dst, src, (size_t)n);
    return;
  }
  for (; x + 16 <= n; x += 16) wasm_v128_store(dst + x, map16(wasm_v128_load(src + x), lut));
  for (; x < n; x++) dst[x] = lut[src[x]];
}

/* One output chroma row from the component's rows: rh, rv is how many of its samples, across and
 * down, make one 4:2:0 chroma sample (1 or 2 each); the mean is rounded. */
static void chroma_row(uint8_t *dst, const uint8_t *a, const uint8_t *b, int32_t n, int rh,
                       int rv, const uint8_t *lut) {
  if (rh == 2 && rv == 2) {
    copy_row(dst, a, n, lut);
  } else if (rh == 2) { /* 4:2:2: two rows, one sample each */
    int32_t x = 0;
    for (; x + 16 <= n; x += 16) {
      v128_t m = wasm_u8x16_avgr(wasm_v128_load(a + x), wasm_v128_load(b + x));
      wasm_v128_store(dst + x, map16(m, lut));
    }
    for (; x < n; x++) dst[x] = lut[(a[x] + b[x] + 1) >> 1];
  } else if (rv == 2) { /* 4:4:0: one row, two samples */
    for (int32_t x = 0; x < n; x++) dst[x] = lut[(a[2 * x] + a[2 * x + 1] + 1) >> 1];
  } else { /* 4:4:4: two rows, two samples */
    for (int32_t x = 0; x < n; x++) {
      dst[x] = lut[(a[2 * x] + a[2 * x + 1] + b[2 * x] + b[2 * x + 1] + 2) >> 2];
    }
  }
}

/* The fast path: DCT output straight from libjpeg, no colour conversion and no upsampling.
 * Needs Y at the largest sampling factors and each chroma component at half or full resolution
 * of it each way (4:2:0, 4:2:2, 4:4:0, 4:4:4), or one component (greyscale). */
static int raw_ratios(struct jpeg_decompress_struct *c, int *rh, int *rv) {
  jpeg_component_info *comp = c->comp_info;
  if (c->num_components == 1) {
    *rh = *rv = 0;
    return c->jpeg_color_space == JCS_GRAYSCALE;
  }
  if (c->num_components != 3 || c->jpeg_color_space != JCS_YCbCr) return 0;
  if (comp[0].h_samp_factor != c->max_h_samp_factor) return 0;
  if (comp[0].v_samp_factor != c->max_v_samp_factor) return 0;
  if (comp[1].h_samp_factor != comp[2].h_samp_factor) return 0;
  if (comp[1].v_samp_factor != comp[2].v_samp_factor) return 0;
  int h = comp[0].h_samp_factor, v = comp[0].v_samp_factor;
  int ch = comp[1].h_samp_factor, cv = comp[1].v_samp_factor;
  if (h % ch != 0 || v % cv != 0) return 0;
  *rh = h / ch;
  *rv = v / cv;
  return *rh <= 2 && *rv <= 2;
}

static int32_t decode_raw(Decoder *d, int rh, int rv, const uint8_t *ylut, const uint8_t *clut) {
  struct jpeg_decompress_struct *c = &d->cinfo;
  int32_t w = d->result[0], h = d->result[1];
  int ncomp = c->num_components;
  JSAMPROW rows[3][2 * DCTSIZE * 2];
  JSAMPARRAY planes[3];
  int32_t stride[3], nrows[3], total = 0;
  for (int i = 0; i < ncomp; i++) {
    stride[i] = (int32_t)c->comp_info[i].width_in_blocks * DCTSIZE;
    nrows[i] = c->comp_info[i].v_samp_factor * DCTSIZE;
    if (nrows[i] > (int32_t)(sizeof(rows[0]) / sizeof(rows[0][0]))) return RJPG_ERR_UNSUPPORTED;
    total += stride[i] * nrows[i];
  }
  uint8_t *scratch = reserve(&d->scratch, &d->scratch_capacity, total);
  if (scratch == NULL) return RJPG_ERR_NO_MEMORY;
  for (int i = 0, off = 0; i < ncomp; i++) {
    for (int r = 0; r < nrows[i]; r++) rows[i][r] = scratch + off + r * stride[i];
    planes[i] = rows[i];
    off += stride[i] * nrows[i];
  }
  uint8_t *y_plane = d->output;
  uint8_t *u_plane = y_plane + w * h;
  uint8_t *v_plane = u_plane + (w / 2) * (h / 2);
  if (ncomp == 1) memset(u_plane, 128, (size_t)(w / 2) * (h / 2) * 2);
  int32_t lines = c->max_v_samp_factor * DCTSIZE; /* luma rows per call (an iMCU row) */
  for (int32_t y0 = 0; y0 < h; y0 += lines) {
    if (jpeg_read_raw_data(c, planes, (JDIMENSION)lines) == 0) break; /* suspended: no data */
    int32_t n = h - y0 < lines ? h - y0 : lines;
    for (int32_t r = 0; r < n; r++) copy_row(y_plane + (y0 + r) * w, rows[0][r], w, ylut);
    if (ncomp == 1) continue;
    /* lines and y0 are even, so output chroma rows start at y0 / 2 and pair up within the call:
     * output row r covers luma rows 2r and 2r + 1, which are the component's row r when it has
     * half the vertical resolution (rv == 2), else its rows 2r and 2r + 1 */
    for (int32_t r = 0; r < n / 2; r++) {
      int32_t out = (y0 / 2 + r) * (w / 2);
      int32_t a = rv == 2 ? r : 2 * r, b = rv == 2 ? r : 2 * r + 1;
      chroma_row(u_plane + out, rows[1][a], rows[1][b], w / 2, rh, rv, clut);
      chroma_row(v_plane + out, rows[2][a], rows[2][b], w / 2, rh, rv, clut);
    }
  }
  return RJPG_OK;
}

/* Everything else with three components: libjpeg upsamples to full resolution (and keeps YCbCr,
 * or gives RGB for RGB JPEGs, which we convert with JFIF's full-range equations), then 2x2 means
 * make the chroma. Two scanlines at a time. */
static int32_t decode_scanlines(Decoder *d, const uint8_t *ylut, const uint8_t *clut) {
  struct jpeg_decompress_struct *c = &d->cinfo;
  int32_t w = d->result[0], h = d->result[1];
  int32_t row_bytes = (int32_t)c->output_width * 3;
  uint8_t *scratch = reserve(&d->scratch, &d->scratch_capacity, row_bytes * 2);
  if (scratch == NULL) return RJPG_ERR_NO_MEMORY;
  int rgb = c->out_color_space == JCS_RGB;
  uint8_t *y_plane = d->output;
  uint8_t *u_plane = y_plane + w * h;
  uint8_t *v_plane = u_plane + (w / 2) * (h / 2);
  for (int32_t y = 0; y < h; y += 2) {
    for (int r = 0; r < 2;) {
      JSAMPROW row = scratch + r * row_bytes;
      if (jpeg_read_scanlines(c, &row, 1) == 0) return RJPG_OK; /* no more data: keep what is */
      r++;
    }
    if (rgb) {
      for (int32_t i = 0; i < w * 2; i++) {
        uint8_t *p = scratch + (i < w ? i * 3 : row_bytes + (i - w) * 3);
        int R = p[0], G = p[1], B = p[2];
        /* JFIF / ITU-T T.871: full-range BT.601, 16-bit fixed point, rounded */
        int Y = (19595 * R + 38470 * G + 7471 * B + 32768) >> 16;
        int Cb = ((-11056 * R - 21712 * G + 32768 * B + 32768) >> 16) + 128;
        int Cr = ((32768 * R - 27440 * G - 5328 * B + 32768) >> 16) + 128;
        p[0] = (uint8_t)Y;
        p[1] = (uint8_t)(Cb < 0 ? 0 : Cb > 255 ? 255 : Cb);
        p[2] = (uint8_t)(Cr < 0 ? 0 : Cr > 255 ? 255 : Cr);
      }
    }
    const uint8_t *a = scratch, *b = scratch + row_bytes;
    for (int32_t x = 0; x < w; x++) {
      y_plane[y * w + x] = ylut[a[x * 3]];
      y_plane[(y + 1) * w + x] = ylut[b[x * 3]];
    }
    int32_t out = (y / 2) * (w / 2);
    for (int32_t x = 0; x < w / 2; x++) {
      const uint8_t *p = a + x * 6, *q = b + x * 6;
      u_plane[out + x] = clut[(p[1] + p[4] + q[1] + q[4] + 2) >> 2];
      v_plane[out + x] = clut[(p[2] + p[5] + q[2] + q[5] + 2) >> 2];
    }
  }
  return RJPG_OK;
}

/*
 * Decodes `length` bytes at rjpg_input(handle, ...) into I420 at rjpg_output(handle).
 * Odd sizes are cropped to even (the last column and/or row is dropped): H.264 4:2:0 needs even
 * sizes. Returns 0 or a negative code; warnings (e.g. premature end of data, filled with grey by
 * libjpeg) still give a picture and are counted in rjpg_result()[6].
 */
int32_t rjpg_decode(int32_t handle, int32_t length, int32_t flags) {
  Decoder *d = lookup(handle);
  if (d == NULL) return RJPG_ERR_HANDLE;
  if (length <= 0 || length > d->input_capacity || (flags & ~RJPG_FLAG_FULL_RANGE) != 0) {
    return RJPG_ERR_PARAM;
  }
  struct jpeg_decompress_struct *c = &d->cinfo;
  memset(d->result, 0, sizeof(d->result));
  d->message[0] = '\0';
  d->warning[0] = '\0';
  d->bridge_error = 0;
  d->err.num_warnings = 0;
  const uint8_t *ylut = flags & RJPG_FLAG_FULL_RANGE ? identity_lut : y_lut;
  const uint8_t *clut = flags & RJPG_FLAG_FULL_RANGE ? identity_lut : c_lut;
  int32_t rc = RJPG_OK;
  if (setjmp(d->jump)) {
    jpeg_abort_decompress(c);
    d->result[6] = (int32_t)d->err.num_warnings;
    return d->bridge_error ? d->bridge_error : RJPG_ERR_JPEG;
  }
  jpeg_mem_src(c, d->input, (unsigned long)length);
  if (jpeg_read_header(c, TRUE) != JPEG_HEADER_OK) {
    snprintf(d->message, JMSG_LENGTH_MAX, "the data holds tables but no image");
    rc = RJPG_ERR_JPEG;
    goto done;
  }
  int32_t iw = (int32_t)c->image_width, ih = (int32_t)c->image_height;
  d->result[2] = iw;
  d->result[3] = ih;
  d->result[5] = (int32_t)c->jpeg_color_space;
  d->result[7] = c->num_components;
  if (iw > RJPG_MAX_SIDE || ih > RJPG_MAX_SIDE) {
    snprintf(d->message, JMSG_LENGTH_MAX, "%dx%d is larger than %d pixels a side", iw, ih,
             RJPG_MAX_SIDE);
    rc = RJPG_ERR_TOO_LARGE;
    goto done;
  }
  int32_t w = iw & ~1, h = ih & ~1;
  if (w < 2 || h < 2) {
    snprintf(d->message, JMSG_LENGTH_MAX, "%dx%d is too small for 4:2:0 (at least 2x2)", iw, ih);
    rc = RJPG_ERR_TOO_SMALL;
    goto done;
  }
  d->result[0] = w;
  d->result[1] = h;
  if (reserve(&d->output, &d->output_capacity, w * h + (w / 2) * (h / 2) * 2) == NULL) {
    snprintf(d->message, JMSG_LENGTH_MAX, "out of memory for a %dx%d picture", w, h);
    rc = RJPG_ERR_NO_MEMORY;
    goto done;
  }
  int rh = 0, rv = 0;
  if (raw_ratios(c, &rh, &rv)) {
    c->raw_data_out = TRUE;
    d->result[4] = RJPG_PATH_RAW;
    jpeg_start_decompress(c);
    rc = decode_raw(d, rh, rv, ylut, clut);
  } else if (c->num_components == 3 &&
             (c->jpeg_color_space == JCS_YCbCr || c->jpeg_color_space == JCS_RGB)) {
    c->out_color_space = c->jpeg_color_space;
    d->result[4] = RJPG_PATH_SCANLINE;
    jpeg_start_decompress(c);
    rc = decode_scanlines(d, ylut, clut);
  } else {
    snprintf(d->message, JMSG_LENGTH_MAX,
             "unsupported JPEG colour space %d with %d components (CMYK/YCCK?)",
             (int)c->jpeg_color_space, c->num_components);
    rc = RJPG_ERR_UNSUPPORTED;
  }
  if (rc == RJPG_ERR_NO_MEMORY && d->message[0] == '\0') {
    snprintf(d->message, JMSG_LENGTH_MAX, "out of memory");
  }
done:
  /* Not jpeg_finish_decompress: the picture is complete, and whatever follows it (trailing
   * garbage, a broken EOI) must not turn it into an error. */
  jpeg_abort_decompress(c);
  d->result[6] = (int32_t)d->err.num_warnings;
  return rc;
}

void *rjpg_malloc(int32_t size) { return size > 0 ? malloc((size_t)size) : NULL; }

void rjpg_free(void *p) { free(p); }
