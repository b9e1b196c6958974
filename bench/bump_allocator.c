/* A bump allocator that never frees: the benchmarks' speed limit, not a real allocator.
 *
 * Memory runs from __heap_base upwards and grows with emscripten_resize_heap (which honours
 * ALLOW_MEMORY_GROWTH and MAXIMUM_MEMORY). Each block has an 8-byte header holding its size, so
 * realloc can copy and malloc_usable_size can answer; blocks are 8-byte aligned (max_align_t),
 * more when asked. free does nothing. Link with -sMALLOC=none; compile with emcc (C, not C++).
 */
#include <emscripten/heap.h>

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

extern unsigned char __heap_base;

static uintptr_t bump_top; /* the first free byte; 0 until the first allocation */

/* Plain external definitions: the linker keeps only what the program (or Emscripten's
 * runtime) uses, so the bump allocator adds as little as possible to code_size's baseline. */
#define EXPORT

static void* bump(size_t size, size_t alignment) {
  if (bump_top == 0) bump_top = (uintptr_t)&__heap_base;
  if (alignment < 8) alignment = 8;
  if (size > UINT32_MAX - alignment - 16) return NULL;
  uintptr_t block = (bump_top + 8 + alignment - 1) & ~(uintptr_t)(alignment - 1);
  uintptr_t end = block + ((size + 7) & ~(size_t)7);
  if (end < block) return NULL;
  if (end > emscripten_get_heap_size() && !emscripten_resize_heap(end)) {
    errno = ENOMEM;
    return NULL;
  }
  ((size_t*)block)[-2] = size; /* the header: the 8 bytes before the block */
  bump_top = end;
  return (void*)block;
}

static int power_of_two(size_t value) { return value != 0 && (value & (value - 1)) == 0; }

EXPORT void* malloc(size_t size) { return bump(size, 8); }
EXPORT void free(void* block) { (void)block; }
EXPORT size_t malloc_usable_size(void* block) { return block ? ((size_t*)block)[-2] : 0; }

EXPORT void* calloc(size_t count, size_t size) {
  size_t bytes;
  if (__builtin_mul_overflow(count, size, &bytes)) {
    errno = ENOMEM;
    return NULL;
  }
  void* block = bump(bytes, 8);
  if (block) memset(block, 0, bytes);
  return block;
}

EXPORT void* realloc(void* old, size_t size) {
  if (old == NULL) return bump(size, 8);
  size_t old_size = ((size_t*)old)[-2];
  if (size <= old_size) {
    ((size_t*)old)[-2] = size;
    return old;
  }
  void* block = bump(size, 8);
  if (block) memcpy(block, old, old_size);
  return block;
}

EXPORT void* memalign(size_t alignment, size_t size) {
  if (!power_of_two(alignment)) {
    errno = EINVAL;
    return NULL;
  }
  return bump(size, alignment);
}
EXPORT void* aligned_alloc(size_t alignment, size_t size) { return memalign(alignment, size); }
EXPORT int posix_memalign(void** result, size_t alignment, size_t size) {
  if (!power_of_two(alignment) || alignment % sizeof(void*) != 0) return EINVAL;
  void* block = bump(size, alignment);
  if (block == NULL) return ENOMEM;
  *result = block;
  return 0;
}
EXPORT void* valloc(size_t size) { return bump(size, 65536); }
EXPORT void* pvalloc(size_t size) { return bump((size + 65535) & ~(size_t)65535, 65536); }

EXPORT void* emscripten_builtin_malloc(size_t size) { return malloc(size); }
EXPORT void emscripten_builtin_free(void* block) { free(block); }
EXPORT void* emscripten_builtin_memalign(size_t alignment, size_t size) {
  return memalign(alignment, size);
}
EXPORT void* __libc_malloc(size_t size) { return malloc(size); }
EXPORT void __libc_free(void* block) { free(block); }
EXPORT void* __libc_calloc(size_t count, size_t size) { return calloc(count, size); }
EXPORT void* __libc_realloc(void* block, size_t size) { return realloc(block, size); }
