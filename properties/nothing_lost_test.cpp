// Policy-free: whatever the generators did, freeing every block loses no memory. The rules of
// placement (good fit, spares, spare spans, where the table sits) may change; this must not:
// once every block is freed and kept memory retired, every slot between slot 0 and the table is
// one free span, and any request no larger than it succeeds without the heap growing. Every
// suite's cases end with that check (check_sequence, Executor::release_all, read from walk() and
// stats() only); this suite leans on it, with allocations and frees only and no bad input.
#include "commands.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace alligator::properties {

RC_GTEST_PROP(NothingLost, FreeingEverythingServesAnyRequestWithoutGrowth, ()) {
  check_sequence<Malloc, Malloc, MallocRange, Calloc, AlignedAlloc, New, Realloc, Realloc, Free,
                 FreeRange, Delete>(Profile{4, 96});
}

}  // namespace alligator::properties
