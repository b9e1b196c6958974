/* Stand-in for <emscripten.h> when Emscripten's emmalloc.c is compiled natively (g++ -m32) for
 * the latency and steps benchmarks: only what emmalloc.c uses. */
#pragma once
#include <stddef.h>
#include <stdint.h>

/* emmalloc.c asserts alignof(max_align_t) == 8, as on wasm32; i686's is 16. Give it wasm32's. */
typedef struct {
  long long value __attribute__((aligned(8)));
} bench_wasm32_max_align_t;
#define max_align_t bench_wasm32_max_align_t

/* Only emmalloc's debugging dumps print through JavaScript; natively they print nothing. */
#define MAIN_THREAD_ASYNC_EM_ASM(...) ((void)0)

#include <emscripten/heap.h>
