/*
 * rtsp-edge: memset to zero that leaves alone the pages already zero, linked in front of libc's
 * memset (`-Wl,--wrap=memset`) in both OpenH264 modules.
 *
 * Why: OpenH264 clears every buffer it allocates (CMemoryAlign::WelsMallocz is malloc, then
 * memset to 0), and a 720p encoder allocates about 16 MiB of pictures, tables and analysis
 * buffers of which about half is never written again. Linear memory that was never written reads
 * as zero, and the runtime commits a page only when it is written, so writing zeros over a fresh
 * buffer made all of it resident for nothing. Here the first zeroing memset to cover a whole page
 * reads it and writes it only if it holds something: the same bytes result, and a page that stays
 * zero is never committed. Reading a page that was never written maps the kernel's shared zero
 * page, which counts for nothing.
 *
 * Only the first: a page cleared again is one the encoder uses (it clears some buffers every
 * frame), and reading it before writing it cost 3-5 % of the encoder's speed at 720p when every
 * clear did so. A bitmap of the pages a clear has looked at (one bit per 4 KiB of a 32-bit
 * address space, 128 KiB of zeros that are committed only where set) sends later clears
 * straight to libc's memset.
 *
 * WebAssembly pages (64 KiB) start on the host's page boundaries (the runtimes map linear memory
 * page-aligned), so a 4 KiB-aligned offset is the start of a host page. Short clears, and the
 * partial pages at either end of a long one, go to libc's memset as before.
 *
 * Copyright (c) 2026 The rtsp-edge authors. MIT licence (see LICENSE).
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wasm_simd128.h>

#define HOST_PAGE 4096u

/* Bit i: a clear has looked at host page i already. */
static uint8_t looked[(UINT64_C(1) << 32) / HOST_PAGE / 8];

void *__real_memset(void *dest, int c, size_t n);
void *__wrap_memset(void *dest, int c, size_t n);

/* Whether the 4 KiB at p (aligned) are all zero; stops at the first 64 bytes that are not. */
static int page_is_zero(const uint8_t *p) {
  const v128_t *v = (const v128_t *)(const void *)p;
  for (size_t i = 0; i < HOST_PAGE / 16; i += 4) {
    v128_t any = wasm_v128_or(wasm_v128_or(v[i], v[i + 1]), wasm_v128_or(v[i + 2], v[i + 3]));
    if (wasm_v128_any_true(any)) return 0;
  }
  return 1;
}

void *__wrap_memset(void *dest, int c, size_t n) {
  if ((c & 0xff) != 0 || n < 2 * HOST_PAGE) return __real_memset(dest, c, n);
  uint8_t *p = (uint8_t *)dest;
  uintptr_t start = (uintptr_t)p;
  uintptr_t first = (start + HOST_PAGE - 1) & ~(uintptr_t)(HOST_PAGE - 1);
  uintptr_t last = (start + n) & ~(uintptr_t)(HOST_PAGE - 1);
  __real_memset(p, 0, first - start);
  for (uintptr_t page = first; page < last; page += HOST_PAGE) {
    uintptr_t i = page / HOST_PAGE;
    uint8_t bit = (uint8_t)(1u << (i % 8));
    if (looked[i / 8] & bit) {
      __real_memset((void *)page, 0, HOST_PAGE);
    } else {
      looked[i / 8] |= bit;
      if (!page_is_zero((const uint8_t *)page)) __real_memset((void *)page, 0, HOST_PAGE);
    }
  }
  __real_memset((void *)last, 0, start + n - last);
  return dest;
}

/* What the self-test writes at offset i of its block: host pages alternate dirty and zero. */
static uint8_t pattern_at(const uint8_t *block, size_t i) {
  return ((uintptr_t)block + i) / HOST_PAGE % 2 ? 0 : (uint8_t)(0x5a + i);
}

/* Fills the self-test's block, clears its range, and checks it: 0, else as rtse_selftest_zeroing. */
static int32_t clear_and_check(uint8_t *block, size_t size, size_t margin) {
  volatile uint8_t *v = block;
  for (size_t i = 0; i < size + 2 * HOST_PAGE; i++) v[i] = pattern_at(block, i);
  /* the first zero page inside the range gets one non-zero byte, its last */
  uintptr_t zero_page = ((uintptr_t)block + margin + HOST_PAGE - 1) & ~(uintptr_t)(HOST_PAGE - 1);
  if (zero_page / HOST_PAGE % 2 == 0) zero_page += HOST_PAGE;
  v[zero_page - (uintptr_t)block + HOST_PAGE - 1] = 1;
  memset(block + margin, 0, size);
  for (size_t i = 0; i < size; i++) {
    if (v[margin + i] != 0) return (int32_t)i + 1;
  }
  if (v[margin - 1] != pattern_at(block, margin - 1)) return -1;
  if (v[margin + size] != pattern_at(block, margin + size)) return -2;
  return 0;
}

/* Checks __wrap_memset on a block whose host pages alternate between dirty and zero, one zero page
 * but for its very last byte, both ends off a page boundary: every byte in range must come out
 * zero and the bytes either side untouched. Twice: the first clear looks at each page, the second
 * finds them all looked at already. Returns 0, or 1 + the offset of the first wrong byte (from the
 * start of the cleared range; -1 and -2 for the bytes either side; -3 without memory). Exported by
 * the encoder's module for the tests. Reads and writes go through volatile pointers so that the
 * compiler, which knows what memset does, cannot fold the check away. */
int32_t rtse_selftest_zeroing(void) {
  const size_t size = 6 * HOST_PAGE + 123, margin = 77;
  uint8_t *block = malloc(size + 2 * HOST_PAGE);
  if (block == NULL) return -3;
  int32_t result = clear_and_check(block, size, margin);
  if (result == 0) result = clear_and_check(block, size, margin);
  free(block);
  return result;
}
