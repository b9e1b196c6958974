// Every command at once, for the interactions the focused suites do not reach.
#include "commands.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace alligator::properties {

RC_GTEST_PROP(Everything, AgreeWithTheModel, ()) {
  check_sequence<Malloc, Malloc, Malloc, MallocRange, Calloc, ReallocNull, AlignedAlloc, New,
                 Realloc, Realloc, Reallocate, Free, Free, Free, FreeRange, Delete, DeleteMismatch,
                 FreeInterior, FreeHeapAddress, FreeNull, FreeAgain, HugeMalloc, HugeRealloc,
                 CallocOverflow, BadAlignment, Fill, Usable, RefuseGrows, Trim>(Profile{3, 128});
}

}  // namespace alligator::properties
