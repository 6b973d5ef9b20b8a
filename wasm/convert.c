/*
 * Pixel-format conversions to I420 (see convert.h).
 *
 * BT.601 limited range in 16.16 fixed point: the coefficients are the studio-swing matrix
 * (Y = 16 + (65.481 R + 128.553 G + 24.966 B) / 255, ...) times 65536 / 255, rounded so that each
 * chroma row sums to exactly 0 and the luma row to 219 * 65536 / 255. Chroma is computed from the
 * sum of a 2x2 block (two more fractional bits), which equals converting the block's mean colour.
 * The loops work on two rows at a time and contain no calls, so clang -O3 unrolls and vectorises.
 */
#include "convert.h"

#include <string.h>
#include <wasm_simd128.h>

#define Y_R 16829
#define Y_G 33039
#define Y_B 6416
#define U_R (-9714)
#define U_G (-19070)
#define U_B 28784
#define V_R 28784
#define V_G (-24103)
#define V_B (-4681)

#define INLINE static inline __attribute__((always_inline))

int rtse_valid_size(int32_t width, int32_t height) {
  return width >= RTSE_MIN_DIMENSION && width <= RTSE_MAX_DIMENSION && height >= RTSE_MIN_DIMENSION &&
         height <= RTSE_MAX_DIMENSION && (width & 1) == 0 && (height & 1) == 0;
}

int32_t rtse_format_frame_size(int32_t format, int32_t width, int32_t height) {
  if (!rtse_valid_size(width, height)) return -1;
  const int32_t pixels = width * height; /* at most 4096 * 4096 * 4 bytes: fits int32 */
  switch (format) {
    case RTSE_FORMAT_I420:
    case RTSE_FORMAT_NV12:
      return pixels + pixels / 2;
    case RTSE_FORMAT_YUYV:
    case RTSE_FORMAT_UYVY:
    case RTSE_FORMAT_RGB565:
      return pixels * 2;
    case RTSE_FORMAT_RGB24:
    case RTSE_FORMAT_BGR24:
      return pixels * 3;
    case RTSE_FORMAT_RGBA:
    case RTSE_FORMAT_BGRA:
      return pixels * 4;
    case RTSE_FORMAT_GRAY8:
      return pixels;
    default:
      return -1;
  }
}

INLINE uint8_t luma(int32_t r, int32_t g, int32_t b) {
  return (uint8_t)((Y_R * r + Y_G * g + Y_B * b + (16 << 16) + (1 << 15)) >> 16);
}

/* r, g, b are sums over a 2x2 block (0..1020). */
INLINE uint8_t chroma_u(int32_t r, int32_t g, int32_t b) {
  return (uint8_t)((U_R * r + U_G * g + U_B * b + (128 << 18) + (1 << 17)) >> 18);
}

INLINE uint8_t chroma_v(int32_t r, int32_t g, int32_t b) {
  return (uint8_t)((V_R * r + V_G * g + V_B * b + (128 << 18) + (1 << 17)) >> 18);
}

/* RGB24, BGR24, RGBA, BGRA: bpp bytes per pixel with R, G, B at byte offsets ri, gi, bi. */
INLINE void packed_rgb(const uint8_t* src, int32_t w, int32_t h, uint8_t* dst, int bpp, int ri,
                       int gi, int bi) {
  const int32_t cw = w / 2;
  uint8_t* py = dst;
  uint8_t* pu = dst + w * h;
  uint8_t* pv = pu + cw * (h / 2);
  const int32_t stride = w * bpp;
  for (int32_t row = 0; row < h; row += 2) {
    const uint8_t* s0 = src + row * stride;
    const uint8_t* s1 = s0 + stride;
    uint8_t* y0 = py + row * w;
    uint8_t* y1 = y0 + w;
    uint8_t* u = pu + (row / 2) * cw;
    uint8_t* v = pv + (row / 2) * cw;
    for (int32_t i = 0; i < cw; i++) {
      const uint8_t* a = s0 + 2 * i * bpp;
      const uint8_t* b = s1 + 2 * i * bpp;
      const int32_t r0 = a[ri], g0 = a[gi], b0 = a[bi];
      const int32_t r1 = a[bpp + ri], g1 = a[bpp + gi], b1 = a[bpp + bi];
      const int32_t r2 = b[ri], g2 = b[gi], b2 = b[bi];
      const int32_t r3 = b[bpp + ri], g3 = b[bpp + gi], b3 = b[bpp + bi];
      y0[2 * i] = luma(r0, g0, b0);
      y0[2 * i + 1] = luma(r1, g1, b1);
      y1[2 * i] = luma(r2, g2, b2);
      y1[2 * i + 1] = luma(r3, g3, b3);
      const int32_t sr = r0 + r1 + r2 + r3, sg = g0 + g1 + g2 + g3, sb = b0 + b1 + b2 + b3;
      u[i] = chroma_u(sr, sg, sb);
      v[i] = chroma_v(sr, sg, sb);
    }
  }
}

/* Expands 5/6-bit fields of a little-endian RGB565 word to 8 bits by bit replication, the way
 * ffmpeg's swscale and libyuv do. */
INLINE void rgb565_pixel(const uint8_t* p, int32_t* r, int32_t* g, int32_t* b) {
  const uint32_t word = (uint32_t)p[0] | ((uint32_t)p[1] << 8);
  const uint32_t r5 = word >> 11, g6 = (word >> 5) & 63, b5 = word & 31;
  *r = (int32_t)((r5 << 3) | (r5 >> 2));
  *g = (int32_t)((g6 << 2) | (g6 >> 4));
  *b = (int32_t)((b5 << 3) | (b5 >> 2));
}

static void rgb565(const uint8_t* src, int32_t w, int32_t h, uint8_t* dst) {
  const int32_t cw = w / 2;
  uint8_t* py = dst;
  uint8_t* pu = dst + w * h;
  uint8_t* pv = pu + cw * (h / 2);
  for (int32_t row = 0; row < h; row += 2) {
    const uint8_t* s0 = src + row * w * 2;
    const uint8_t* s1 = s0 + w * 2;
    uint8_t* y0 = py + row * w;
    uint8_t* y1 = y0 + w;
    uint8_t* u = pu + (row / 2) * cw;
    uint8_t* v = pv + (row / 2) * cw;
    for (int32_t i = 0; i < cw; i++) {
      int32_t r0, g0, b0, r1, g1, b1, r2, g2, b2, r3, g3, b3;
      rgb565_pixel(s0 + 4 * i, &r0, &g0, &b0);
      rgb565_pixel(s0 + 4 * i + 2, &r1, &g1, &b1);
      rgb565_pixel(s1 + 4 * i, &r2, &g2, &b2);
      rgb565_pixel(s1 + 4 * i + 2, &r3, &g3, &b3);
      y0[2 * i] = luma(r0, g0, b0);
      y0[2 * i + 1] = luma(r1, g1, b1);
      y1[2 * i] = luma(r2, g2, b2);
      y1[2 * i + 1] = luma(r3, g3, b3);
      const int32_t sr = r0 + r1 + r2 + r3, sg = g0 + g1 + g2 + g3, sb = b0 + b1 + b2 + b3;
      u[i] = chroma_u(sr, sg, sb);
      v[i] = chroma_v(sr, sg, sb);
    }
  }
}

/* Sixteen pixels of two rows of YUYV (uyvy = 0) or UYVY (uyvy = 1) at a time: the luma bytes and
 * the chroma bytes are gathered with shuffles, and the two rows' chroma averaged with
 * wasm_u8x16_avgr, which rounds exactly as (a + b + 1) >> 1 does. Returns the pairs done. */
INLINE int32_t packed_422_simd(const uint8_t* s0, const uint8_t* s1, uint8_t* y0, uint8_t* y1,
                               uint8_t* u, uint8_t* v, int32_t cw, int uyvy) {
  int32_t i = 0;
  for (; i + 8 <= cw; i += 8) {
    const v128_t a0 = wasm_v128_load(s0 + 4 * i), a1 = wasm_v128_load(s0 + 4 * i + 16);
    const v128_t b0 = wasm_v128_load(s1 + 4 * i), b1 = wasm_v128_load(s1 + 4 * i + 16);
    v128_t ya, yb, ca, cb;
    if (uyvy) {
      ya = wasm_i8x16_shuffle(a0, a1, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
      yb = wasm_i8x16_shuffle(b0, b1, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
      ca = wasm_i8x16_shuffle(a0, a1, 0, 4, 8, 12, 16, 20, 24, 28, 2, 6, 10, 14, 18, 22, 26, 30);
      cb = wasm_i8x16_shuffle(b0, b1, 0, 4, 8, 12, 16, 20, 24, 28, 2, 6, 10, 14, 18, 22, 26, 30);
    } else {
      ya = wasm_i8x16_shuffle(a0, a1, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
      yb = wasm_i8x16_shuffle(b0, b1, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
      ca = wasm_i8x16_shuffle(a0, a1, 1, 5, 9, 13, 17, 21, 25, 29, 3, 7, 11, 15, 19, 23, 27, 31);
      cb = wasm_i8x16_shuffle(b0, b1, 1, 5, 9, 13, 17, 21, 25, 29, 3, 7, 11, 15, 19, 23, 27, 31);
    }
    wasm_v128_store(y0 + 2 * i, ya);
    wasm_v128_store(y1 + 2 * i, yb);
    const v128_t c = wasm_u8x16_avgr(ca, cb);
    wasm_v128_store64_lane(u + i, c, 0);
    wasm_v128_store64_lane(v + i, c, 1);
  }
  return i;
}

/* YUYV (Y0 U Y1 V) and UYVY (U Y0 V Y1): 4:2:2, so U/V are shared by a pixel pair; 4:2:0 takes the
 * rounded mean of the two rows. */
INLINE void packed_422(const uint8_t* src, int32_t w, int32_t h, uint8_t* dst, int yi, int ui,
                       int vi) {
  const int32_t cw = w / 2;
  uint8_t* py = dst;
  uint8_t* pu = dst + w * h;
  uint8_t* pv = pu + cw * (h / 2);
  for (int32_t row = 0; row < h; row += 2) {
    const uint8_t* s0 = src + row * w * 2;
    const uint8_t* s1 = s0 + w * 2;
    uint8_t* y0 = py + row * w;
    uint8_t* y1 = y0 + w;
    uint8_t* u = pu + (row / 2) * cw;
    uint8_t* v = pv + (row / 2) * cw;
    for (int32_t i = packed_422_simd(s0, s1, y0, y1, u, v, cw, yi == 1); i < cw; i++) {
      const uint8_t* a = s0 + 4 * i;
      const uint8_t* b = s1 + 4 * i;
      y0[2 * i] = a[yi];
      y0[2 * i + 1] = a[yi + 2];
      y1[2 * i] = b[yi];
      y1[2 * i + 1] = b[yi + 2];
      u[i] = (uint8_t)((a[ui] + b[ui] + 1) >> 1);
      v[i] = (uint8_t)((a[vi] + b[vi] + 1) >> 1);
    }
  }
}

static void nv12(const uint8_t* src, int32_t w, int32_t h, uint8_t* dst) {
  const int32_t luma_size = w * h;
  const int32_t chroma_count = luma_size / 4;
  memcpy(dst, src, (size_t)luma_size);
  const uint8_t* uv = src + luma_size;
  uint8_t* u = dst + luma_size;
  uint8_t* v = u + chroma_count;
  for (int32_t i = 0; i < chroma_count; i++) {
    u[i] = uv[2 * i];
    v[i] = uv[2 * i + 1];
  }
}

/* GRAY8 is a monochrome picture with R = G = B, so it gets the same studio-swing luma mapping as
 * RGB (0..255 -> 16..235) and neutral chroma. */
static void gray8(const uint8_t* src, int32_t w, int32_t h, uint8_t* dst) {
  const int32_t luma_size = w * h;
  for (int32_t i = 0; i < luma_size; i++) {
    dst[i] = (uint8_t)((src[i] * (Y_R + Y_G + Y_B) + (16 << 16) + (1 << 15)) >> 16);
  }
  memset(dst + luma_size, 128, (size_t)(luma_size / 2));
}

void rtse_convert(int32_t format, const uint8_t* src, int32_t w, int32_t h, uint8_t* dst) {
  switch (format) {
    case RTSE_FORMAT_I420:
      memcpy(dst, src, (size_t)(w * h + w * h / 2));
      break;
    case RTSE_FORMAT_NV12:
      nv12(src, w, h, dst);
      break;
    case RTSE_FORMAT_YUYV:
      packed_422(src, w, h, dst, 0, 1, 3);
      break;
    case RTSE_FORMAT_UYVY:
      packed_422(src, w, h, dst, 1, 0, 2);
      break;
    case RTSE_FORMAT_RGB24:
      packed_rgb(src, w, h, dst, 3, 0, 1, 2);
      break;
    case RTSE_FORMAT_BGR24:
      packed_rgb(src, w, h, dst, 3, 2, 1, 0);
      break;
    case RTSE_FORMAT_RGBA:
      packed_rgb(src, w, h, dst, 4, 0, 1, 2);
      break;
    case RTSE_FORMAT_BGRA:
      packed_rgb(src, w, h, dst, 4, 2, 1, 0);
      break;
    case RTSE_FORMAT_RGB565:
      rgb565(src, w, h, dst);
      break;
    case RTSE_FORMAT_GRAY8:
      gray8(src, w, h, dst);
      break;
    default:
      break;
  }
}
