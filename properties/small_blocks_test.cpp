// Small blocks: MiniPages filled and drained class by class, current and partial MiniPages,
// empty MiniPages returned as spans, class rounding at every edge.
#include "commands.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace alligator::properties {

RC_GTEST_PROP(SmallBlocks, AgreeWithTheModel, ()) {
  check_sequence<Malloc, Malloc, Malloc, Malloc, MallocRange, Free, Free, Free, Free, FreeRange,
                 Calloc, New, Delete, Realloc, Fill, Usable>(Profile{0, 128});
}

}  // namespace alligator::properties
