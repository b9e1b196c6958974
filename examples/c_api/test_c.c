/* The seed's C test (test-c.c), against liballigatorc.so: the layout interface (alloc, dealloc,
 * realloc with size and alignment), the malloc family under its standard names, and the stats.
 * Compiled as C; its malloc is Alligator's because the program links liballigatorc.so, which
 * comes before the C library in symbol lookup. Exit status 0 only if every check passed. */
#define _GNU_SOURCE /* memalign, valloc, reallocarray, malloc_usable_size */
#include <alligator/alligator.h>

#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;

#define CHECK(condition)                                                   \
  do {                                                                     \
    if (!(condition)) {                                                    \
      fprintf(stderr, "test_c.c:%d: check failed: %s\n", __LINE__, #condition); \
      ++failures;                                                          \
    }                                                                      \
  } while (0)

static int aligned(const void* block, size_t alignment) {
  return ((uintptr_t)block & (alignment - 1)) == 0;
}

static void fill(unsigned char* block, size_t size, unsigned seed) {
  for (size_t i = 0; i < size; ++i) block[i] = (unsigned char)(seed + i * 7);
}

static int holds(const unsigned char* block, size_t size, unsigned seed) {
  for (size_t i = 0; i < size; ++i) {
    if (block[i] != (unsigned char)(seed + i * 7)) return 0;
  }
  return 1;
}

static size_t live_blocks(void) {
  struct alligator_stats stats;
  alligator_get_stats(&stats);
  return stats.live_blocks;
}

/* Rust's GlobalAlloc, as the seed used it: every call carries the layout. */
static void layouts(void) {
  static const size_t layout[][2] = {
      {1, 1},     {8, 8},      {24, 8},     {100, 16},  {2048, 2048}, {3000, 64},
      {5000, 4096}, {70000, 65536}, {0, 1}, {640, 128}, {2049, 8},    {16, 4096}};
  enum { kCount = sizeof layout / sizeof layout[0] };
  unsigned char* blocks[kCount];
  size_t before = live_blocks();
  for (size_t i = 0; i < kCount; ++i) {
    size_t size = layout[i][0], alignment = layout[i][1];
    blocks[i] = alligator_alloc(size, alignment);
    CHECK(blocks[i] != NULL);
    if (blocks[i] == NULL) return;
    CHECK(aligned(blocks[i], alignment));
    fill(blocks[i], size, (unsigned)i);
  }
  CHECK(live_blocks() == before + kCount);
  for (size_t i = 0; i < kCount; ++i) CHECK(holds(blocks[i], layout[i][0], (unsigned)i));

  /* realloc keeps min(old, new) bytes and the alignment, small to large and back. */
  static const size_t sizes[] = {40, 300, 2000, 9000, 70000, 5000, 100, 1};
  size_t size = 24, alignment = 8;
  unsigned char* block = alligator_alloc(size, alignment);
  CHECK(block != NULL);
  fill(block, size, 99);
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; ++i) {
    size_t kept = size < sizes[i] ? size : sizes[i];
    block = alligator_realloc(block, size, alignment, sizes[i]);
    CHECK(block != NULL);
    if (block == NULL) return;
    CHECK(aligned(block, alignment));
    CHECK(holds(block, kept, 99));
    size = sizes[i];
    fill(block, size, 99);
  }
  alligator_dealloc(block, size, alignment);

  for (size_t i = 0; i < kCount; ++i) alligator_dealloc(blocks[i], layout[i][0], layout[i][1]);
  CHECK(live_blocks() == before);
}

static void malloc_family(void) {
  size_t before = live_blocks();
  unsigned char* block = malloc(100);
  CHECK(block != NULL);
  CHECK(live_blocks() == before + 1); /* Alligator served it, not the C library */
  CHECK(malloc_usable_size(block) >= 100);
  fill(block, 100, 1);
  block = realloc(block, 5000);
  CHECK(block != NULL && holds(block, 100, 1));
  free(block);

  unsigned char* zeroes = calloc(300, 7);
  CHECK(zeroes != NULL);
  int all_zero = 1;
  for (size_t i = 0; i < 300 * 7; ++i) all_zero &= zeroes[i] == 0;
  CHECK(all_zero);
  free(zeroes);
  volatile size_t huge = SIZE_MAX / 2; /* volatile: the overflow is for the library to find */
  errno = 0;
  CHECK(calloc(huge, 3) == NULL && errno == ENOMEM);

  void* aligned_block = aligned_alloc(256, 1000);
  CHECK(aligned_block != NULL && aligned(aligned_block, 256));
  free(aligned_block);
  void* posix = NULL;
  CHECK(posix_memalign(&posix, 4096, 10) == 0 && aligned(posix, 4096));
  free(posix);
  CHECK(posix_memalign(&posix, 3, 10) == EINVAL);
  void* memaligned = memalign(64, 64);
  CHECK(memaligned != NULL && aligned(memaligned, 64));
  free(memaligned);
  void* page = valloc(10);
  CHECK(page != NULL && aligned(page, 65536));
  free(page);
  int* array = reallocarray(NULL, 100, sizeof(int));
  CHECK(array != NULL);
  array = reallocarray(array, 1000, sizeof(int));
  CHECK(array != NULL);
  free(array);
  errno = 0;
  CHECK(reallocarray(NULL, huge, 4) == NULL && errno == ENOMEM);
  free(NULL);
  CHECK(malloc_usable_size(NULL) == 0);
  CHECK(live_blocks() == before);
}

int main(void) {
  layouts();
  malloc_family();

  struct alligator_stats stats;
  alligator_get_stats(&stats);
  CHECK(stats.wasm_pages > 0);
  CHECK(stats.metadata_bytes > 0);
  char problem[160];
  CHECK(alligator_validate(problem, sizeof problem) == 0);
  printf("test_c: %zu wasm pages, %zu MiniPages, %zu live blocks, %zu bytes in use, %zu free\n",
         stats.wasm_pages, stats.mini_pages, stats.live_blocks, stats.bytes_in_use,
         stats.free_bytes);
  if (failures != 0) {
    printf("test_c: %d checks FAILED\n", failures);
    return 1;
  }
  printf("test_c: every check passed\n");
  return 0;
}
