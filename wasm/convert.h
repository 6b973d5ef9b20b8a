/*
 * Pixel-format conversions to I420 for the rtsp-edge encoder bridge.
 *
 * Every source is tightly packed (stride = width * bytes per pixel), width and height are even.
 * RGB sources are converted with BT.601 limited range (Y 16..235, U/V 16..240), the matrix that
 * cameras and ffmpeg's default assume; chroma comes from the average of each 2x2 block.
 */
#ifndef RTSE_CONVERT_H
#define RTSE_CONVERT_H

#include <stdint.h>

/* Pixel formats; the values are part of the ABI and never change. */
enum {
  RTSE_FORMAT_I420 = 0,
  RTSE_FORMAT_NV12 = 1,
  RTSE_FORMAT_YUYV = 2,
  RTSE_FORMAT_UYVY = 3,
  RTSE_FORMAT_RGB24 = 4,
  RTSE_FORMAT_BGR24 = 5,
  RTSE_FORMAT_RGBA = 6,
  RTSE_FORMAT_BGRA = 7,
  RTSE_FORMAT_RGB565 = 8, /* 16-bit little-endian words, R in the top 5 bits (ESP32 cameras) */
  RTSE_FORMAT_GRAY8 = 9,
  RTSE_FORMAT_COUNT = 10
};

/* Smallest and largest accepted width/height (both must also be even). */
#define RTSE_MIN_DIMENSION 16
#define RTSE_MAX_DIMENSION 4096

/* 1 when width and height are even and within RTSE_MIN_DIMENSION..RTSE_MAX_DIMENSION. */
int rtse_valid_size(int32_t width, int32_t height);

/* Bytes of one frame of that format, or -1 when the format or size is invalid. */
int32_t rtse_format_frame_size(int32_t format, int32_t width, int32_t height);

/* Converts one frame into the I420 planes at dst (Y, then U, then V, no padding). src and dst must
 * not overlap. The caller has validated format and size. */
void rtse_convert(int32_t format, const uint8_t* src, int32_t width, int32_t height, uint8_t* dst);

#endif
