/* One simulated wasm memory for Emscripten's own dlmalloc.c and emmalloc.c, compiled natively
 * (gcc -m32) from /usr/share/emscripten/system/lib by bench/bench.py, and for Alligator's heap
 * in the same measurements (bench/native/native_bench.cpp), so that growth costs all three the
 * same.
 *
 * The memory is one region of address space reserved up front (64 KiB aligned, never moving),
 * with a program break that starts at its beginning, as Emscripten's sbrk starts at
 * __heap_base. bench_sim_sbrk is Emscripten's sbrk (system/lib/sbrk.c) over it: it rounds the
 * increment to 4 bytes and "grows the heap" (here: raises the committed size, in 64 KiB pages)
 * when the break passes it. dlmalloc.c is compiled with MORECORE=bench_sim_sbrk, emmalloc.c with
 * sbrk renamed to it.
 */
#include <emscripten/heap.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

static uintptr_t region_start, region_end; /* reserved */
static uintptr_t program_break;            /* sbrk's break */
static uintptr_t committed_end;            /* the simulated memory's current size */

void bench_sim_init(size_t max_bytes) {
  size_t reserve = max_bytes + 65536;
  void* region = mmap(NULL, reserve, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (region == MAP_FAILED) {
    fprintf(stderr, "native_shim: cannot reserve %zu bytes\n", reserve);
    abort();
  }
  region_start = ((uintptr_t)region + 65535) & ~(uintptr_t)65535;
  region_end = region_start + max_bytes;
  program_break = region_start;
  committed_end = region_start;
}

size_t emscripten_get_heap_size(void) { return committed_end - region_start; }
size_t emscripten_get_heap_max(void) { return region_end - region_start; }

int emscripten_resize_heap(size_t requested_size) {
  if (requested_size > region_end - region_start) return 0;
  size_t pages = (requested_size + 65535) / 65536;
  committed_end = region_start + pages * 65536;
  return 1;
}

void* bench_sim_sbrk(intptr_t increment_) {
  uintptr_t increment = ((uintptr_t)increment_ + 3) & ~(uintptr_t)3;
  uintptr_t old_break = program_break;
  uintptr_t new_break = old_break + increment;
  if ((intptr_t)increment > 0 && new_break <= old_break) goto error;
  if (new_break > committed_end && !emscripten_resize_heap(new_break - region_start)) goto error;
  program_break = new_break;
  return (void*)old_break;
error:
  errno = ENOMEM;
  return (void*)-1;
}
