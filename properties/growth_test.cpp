// Growth of large heaps: memories of 8 to 16 MiB filled by blocks of 1 to 4 MiB, where the
// table is long enough that a growth for a small request asks for p_min > p_k pages (the copy of
// the table never outgrows the pages added), and, refused those (the memory's maximum, or
// refuse_grows), asks once more for p_k. The other suites' memories (at most 8 MiB, heaps of at
// most about 50 pages in practice) never reached either: both events were 0 in every suite.
#include "commands.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace alligator::properties {

// The memory refuses its next grow only: the heap's second ask, if it makes one, is granted.
struct RefuseOneGrow : OperationCommand {
  explicit RefuseOneGrow(const Plan&) {
    op.code = OpCode::refuse_grows;
    op.grows = 1;
  }
};

// A block taking about what the planned live blocks leave of the memory, less 0 to 3 pages
// (and about 1.6% for the table): the small requests after it grow a heap whose table is long,
// up to the memory's maximum.
struct MallocTheRest : Malloc {
  explicit MallocTheRest(const Plan& plan) : Malloc(plan) {
    std::size_t live = 0;
    for (const PlannedBlock& block : plan.live) live += block.size;
    const std::size_t room = plan.memory_bytes - plan.memory_bytes / 64;
    const std::size_t spare = *rc::gen::inRange<std::size_t>(0, 4) * model::kWasmPageBytes;
    if (live + spare + (std::size_t{1} << 20) > room) RC_DISCARD("the memory is nearly full");
    op.size = Size::of(room - live - spare);
  }
};

RC_GTEST_PROP(Growth, AgreeWithTheModel, ()) {
  check_sequence<Malloc, Malloc, Malloc, MallocMiB, MallocTheRest, MallocRange, Free, Free,
                 FreeRange, Realloc, RefuseGrows, RefuseOneGrow>(Profile{2, 256, 129});
}

}  // namespace alligator::properties
