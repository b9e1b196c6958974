// Entries to the fast and the checked paths of allocate and deallocate, counted only in builds
// with ALLIGATOR_COUNT_PATHS (one test-only build of the library, allocator/tests/fast_path/), so
// a test can see ordinary calls stay on the fast path: a change that sends them down the checked
// path passes every other test, only slower. Elsewhere the macro is nothing, so no release or
// debug build pays for it. Plain counters: that build's test is single-threaded.
#pragma once

#if defined(ALLIGATOR_COUNT_PATHS)
namespace alligator::detail {

struct PathCounts {
  unsigned long fast_allocate = 0;
  unsigned long checked_allocate = 0;
  unsigned long fast_deallocate = 0;
  unsigned long checked_deallocate = 0;
  // Served by a thread cache (thread_cache.hpp) without the heap: a pop and a push.
  unsigned long cached_allocate = 0;
  unsigned long cached_deallocate = 0;
};
inline PathCounts path_counts;

}  // namespace alligator::detail
#define ALLIGATOR_COUNT_PATH(path) (++::alligator::detail::path_counts.path)
#else
#define ALLIGATOR_COUNT_PATH(path) ((void)0)
#endif
