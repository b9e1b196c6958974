/* The C library's own allocations go to Alligator too. musl's internals (Emscripten's libc and
 * wasi-libc) allocate through __libc_malloc, __libc_calloc and __libc_free: atexit's list past
 * its first 32 handlers, newlocale and freelocale. On wasm32-wasi only the C library's dlmalloc
 * defined them, so a program that used atexit and printf pulled dlmalloc in beside Alligator
 * and failed to link ("duplicate symbol: malloc"). This plain C program uses both (its link is
 * the first check), then checks that each name, and each of those paths, takes its blocks from
 * Alligator's heap. Emscripten and wasm32-wasi only: glibc's internals do not call the
 * allocator by these names. */
#include <alligator/alligator.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void* __libc_malloc(size_t size);
void* __libc_calloc(size_t count, size_t size);
void* __libc_realloc(void* block, size_t size);
void __libc_free(void* block);

static int failures;

static void check(int ok, const char* what) {
  if (!ok) {
    fprintf(stderr, "FAIL: %s\n", what);
    ++failures;
  }
}

static size_t live_blocks(void) {
  struct alligator_stats stats;
  alligator_get_stats(&stats);
  return stats.live_blocks;
}

/* Runs after main returns: the heap must still validate once the C library's exit work began. */
static void validate_at_exit(void) {
  if (alligator_validate(NULL, 0) != 0) {
    fputs("FAIL: the heap validates at exit\n", stderr);
    _Exit(EXIT_FAILURE);
  }
}
static void do_nothing_at_exit(void) {}

int main(void) {
  /* atexit keeps its first 32 handlers in static memory and takes a block (__libc_calloc) for
   * each 32 after. That block stays. */
  size_t before = live_blocks();
  int registered = atexit(validate_at_exit) == 0;
  for (int i = 1; i < 33; ++i) registered = registered && atexit(do_nothing_at_exit) == 0;
  check(registered, "atexit registers 33 handlers");
  check(live_blocks() == before + 1, "atexit's 33rd handler takes a block of Alligator's heap");

  before = live_blocks();
  void* from_malloc = __libc_malloc(40);
  check(from_malloc != NULL && live_blocks() == before + 1, "__libc_malloc served by Alligator");
  /* A block dirtied and freed first, so that the calloc below is likely to get it back (the
   * lowest free Segment of the class) and its zeroing is really checked. */
  void* dirty = malloc(40);
  if (dirty != NULL) memset(dirty, 0xEE, 40);
  free(dirty);
  unsigned char* from_calloc = __libc_calloc(5, 8);
  check(from_calloc != NULL && live_blocks() == before + 2, "__libc_calloc served by Alligator");
  int zeroed = from_calloc != NULL;
  for (size_t i = 0; zeroed && i < 40; ++i) zeroed = from_calloc[i] == 0;
  check(zeroed, "__libc_calloc zeroes its block");
  memset(from_malloc, 0x5A, 40);
  unsigned char* from_realloc = __libc_realloc(from_malloc, 4000);
  check(from_realloc != NULL && from_realloc[39] == 0x5A && live_blocks() == before + 2,
        "__libc_realloc served by Alligator, contents kept");
  __libc_free(from_realloc);
  __libc_free(from_calloc);
  check(live_blocks() == before, "__libc_free gives the blocks back to Alligator");

  /* A locale of a name the C library does not know: the first newlocale of a name also makes a
   * map for it that is kept for good, so the one measured is the second. Its object comes from
   * __libc_malloc and goes back through __libc_free. */
  locale_t first = newlocale(LC_ALL_MASK, "xx_XX", (locale_t)0);
  if (first != (locale_t)0) freelocale(first);
  before = live_blocks();
  locale_t locale = newlocale(LC_ALL_MASK, "xx_XX", (locale_t)0);
  check(locale != (locale_t)0 && live_blocks() == before + 1,
        "newlocale's object is a block of Alligator's heap");
  if (locale != (locale_t)0) freelocale(locale);
  check(live_blocks() == before, "freelocale gives it back");

  char message[256] = "";
  check(alligator_validate(message, sizeof message) == 0, "the heap validates afterwards");
  if (message[0] != '\0') fprintf(stderr, "validate: %s\n", message);
  if (failures != 0) return EXIT_FAILURE;
  printf("__libc_malloc __libc_calloc __libc_realloc __libc_free served by Alligator\n");
  return EXIT_SUCCESS;
}
