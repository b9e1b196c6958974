// The process-wide heap behind liballigator's malloc and the opt-in operator new/delete.
// It exists before any static constructor runs (constant-initialized) and is never destroyed,
// so malloc works from the first static constructor to the last static destructor.
#pragma once

#include <alligator/heap.hpp>
#include <alligator/shim/default_memory.hpp>

namespace alligator {

Heap<DefaultMemory>& global_heap();

}  // namespace alligator
