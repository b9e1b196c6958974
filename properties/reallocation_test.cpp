// Reallocation: in place within a class, large blocks shrinking, growing into the next span or
// over the top of memory (the newest block, grown by whole slots, most often reaches it), moves
// that keep the prefix, realloc to 0 and from NULL, and Heap::reallocate with an alignment.
#include "commands.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace alligator::properties {

RC_GTEST_PROP(Reallocation, AgreeWithTheModel, ()) {
  check_sequence<Malloc, Malloc, ReallocNull, Realloc, Realloc, Realloc, Realloc, ReallocNewest,
                 Free, Free, Fill, MallocRange, AlignedAlloc, New, Reallocate,
                 Reallocate>(Profile{4, 128});
}

}  // namespace alligator::properties
