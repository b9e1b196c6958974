/* Alligator's C interface: the process-wide heap, for C programs and tools outside C++.
 *
 * liballigator also exports the standard malloc family (malloc, free, calloc, realloc,
 * aligned_alloc, posix_memalign, memalign, malloc_usable_size, valloc, pvalloc, reallocarray),
 * so linking it replaces the system allocator; on Emscripten link with -sMALLOC=none.
 * Their edge cases are documented in alligator/malloc_family.hpp. On Emscripten and glibc it
 * also exports mallinfo and malloc_trim (glibc 2.33 and later: mallinfo2 too; the macros below
 * say where), declared by the C library's <malloc.h> (Emscripten's <emscripten/emmalloc.h>
 * declares malloc_trim), and on Emscripten mallopt, which its dlmalloc exports too; README.md,
 * Usage.
 */
#ifndef ALLIGATOR_ALLIGATOR_H
#define ALLIGATOR_ALLIGATOR_H

#include <stddef.h>
#include <stdio.h> /* and, on glibc, <features.h>: __GLIBC__, __GLIBC_PREREQ */

/* Where liballigator exports mallinfo and malloc_trim: where the C library's <malloc.h> defines
 * struct mallinfo (Emscripten, glibc); mallinfo2 too with glibc 2.33 or later, which added it.
 * (Nested: __GLIBC_PREREQ exists only on glibc.) */
#if defined(__EMSCRIPTEN__) || defined(__GLIBC__)
#define ALLIGATOR_EXPORTS_MALLINFO 1
#if defined(__GLIBC__)
#if __GLIBC_PREREQ(2, 33)
#define ALLIGATOR_EXPORTS_MALLINFO2 1
#endif
#endif
#endif
/* Where liballigator exports mallopt: Emscripten, whose default allocator (dlmalloc) does, so
 * that a program calling it links with -sMALLOC=none too. (On glibc the C library's own mallopt
 * stays, tuning a malloc the program no longer uses.) */
#if defined(__EMSCRIPTEN__)
#define ALLIGATOR_EXPORTS_MALLOPT 1
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* The seed's layout interface (Rust's GlobalAlloc): size and alignment travel with the block.
 * alignment must be a power of two. alligator_alloc returns NULL when out of memory. */
void* alligator_alloc(size_t size, size_t alignment);
void alligator_dealloc(void* block, size_t size, size_t alignment);
void* alligator_realloc(void* block, size_t size, size_t alignment, size_t new_size);

struct alligator_stats {
  size_t wasm_pages;     /* 64 KiB pages taken from linear memory (beside __heap_base's page) */
  size_t mini_pages;     /* MiniPages of any size class */
  size_t large_blocks;
  size_t live_blocks;    /* held by the program */
  size_t bytes_in_use;   /* usable bytes of live blocks */
  size_t free_bytes;     /* in free spans and spare spans (freed large blocks kept) */
  size_t metadata_bytes; /* the allocator's own records */
  size_t cached_blocks;  /* freed blocks kept by per-thread caches (README.md, Threads) */
  size_t cached_bytes;   /* their usable bytes */
};
void alligator_get_stats(struct alligator_stats* stats);

/* Checks every invariant of the heap; returns how many are broken (0: healthy). When the result
 * is not 0 and `message` is not NULL, the first problem is written there (at most `capacity`
 * bytes, NUL-terminated). Never aborts, never allocates. */
size_t alligator_validate(char* message, size_t capacity);

/* Draws the heap as a self-contained HTML page (alligator/heap_map.hpp): every span in address
 * order, a summary and a legend; open it in a browser. Returns 0, or -1 when the file could not
 * be written or the heap changed while it was drawn. The map itself takes nothing from the heap;
 * opening `path` does (the FILE), before the heap is looked at, so the map shows it. Under
 * Emscripten, link with -sNODERAWFS=1 for `path` to be a file of the host running Node. */
int alligator_write_heap_map(const char* path);
/* The same into an open stream; its first piece is written before the heap is looked at, so a
 * stream that allocates its buffer on first use does that outside the picture. */
int alligator_write_heap_map_to(FILE* file);
/* Neither map function is synchronized with other threads: call them while no other thread
 * allocates (README.md, Threads). */

#ifdef __cplusplus
}
#endif

#endif
