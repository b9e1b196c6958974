// Bad input with defined results: free(NULL), invalid and double frees (reported to an error
// handler that records), sized deletes the block cannot hold, calloc overflow, sizes near
// SIZE_MAX, invalid alignments. None may change the heap.
#include "commands.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace alligator::properties {

RC_GTEST_PROP(BadInput, AgreeWithTheModel, ()) {
  check_sequence<Malloc, Malloc, Malloc, New, Free, Free, FreeInterior, FreeHeapAddress, FreeNull,
                 FreeAgain, FreeAgain, HugeMalloc, HugeRealloc, CallocOverflow, BadAlignment,
                 DeleteMismatch, Usable>(Profile{2, 32});
}

}  // namespace alligator::properties
