// Large blocks and spans: the good-fit rule, the top free span, aligned blocks up to 64 KiB,
// coalescing on free (and on trimming spare spans), growth by max(p_k, p_min) pages as the table
// moves to the heap's end.
#include "commands.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace alligator::properties {

RC_GTEST_PROP(LargeBlocks, AgreeWithTheModel, ()) {
  check_sequence<Malloc, Malloc, Malloc, AlignedAlloc, AlignedAlloc, New, Free, Free, Free,
                 FreeRange, Delete, Realloc, MallocRange, Fill, Trim>(Profile{7, 128});
}

}  // namespace alligator::properties
