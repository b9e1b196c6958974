// Out of memory: tiny maxima and refused grows. A failed call changes nothing but retiring;
// memory freed is found again; growth resumes when the memory allows it.
#include "commands.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace alligator::properties {

RC_GTEST_PROP(OutOfMemory, AgreeWithTheModel, ()) {
  check_sequence<RefuseGrows, RefuseGrows, Malloc, Malloc, Malloc, MallocRange, Realloc,
                 Realloc, AlignedAlloc, Calloc, Free, Free, FreeRange>(Profile{3, 8});
}

}  // namespace alligator::properties
