// Growth of large heaps: memories of 8 to 16 MiB filled by blocks of 1 to 4 MiB, where the
// table is long enough that a growth for a small request asks for p_min > p_k pages (the copy of
// the table never outgrows the pages added), and, refused those (the memory's maximum, or
// refuse_grows), asks once more for p_k. The other suites' memories (at most 8 MiB, heaps of at
// most about 50 pages in practice) never reached either: both events were 0 in every suite.
// The commands (GrowthCommands: MallocMiB, MallocTheRest, RefuseOneGrow among them) are shared
// with the suite run inside wasm (properties/wasm/).
#include "commands.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace alligator::properties {

RC_GTEST_PROP(Growth, AgreeWithTheModel, ()) {
  check_sequence(GrowthCommands{}, kGrowthProfile);
}

}  // namespace alligator::properties
