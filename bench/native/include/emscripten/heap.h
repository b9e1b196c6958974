/* Stand-in for <emscripten/heap.h> (see ../emscripten.h): bench/native/native_shim.c
 * implements these over one simulated wasm memory. */
#pragma once
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif
size_t emscripten_get_heap_size(void);
size_t emscripten_get_heap_max(void);
int emscripten_resize_heap(size_t requested_size);
void* bench_sim_sbrk(intptr_t increment);
#ifdef __cplusplus
}
#endif
