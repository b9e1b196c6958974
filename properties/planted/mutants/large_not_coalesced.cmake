# A large block not coalesced: a freed span never merges with the free span on its right.
# Caught by the walk: the freed span stays apart from its free neighbour, the model's merged.
set(MUTANT_EXPECT walk)
set(MUTANT_EXPECT_NO_VALIDATE walk)
set(MUTANT_SUITE LargeBlocks)
set(MUTANT_FILE src/span_heap.cpp)
set(MUTANT_ORIGINAL [==[
    if (next.kind == SpanKind::free && (next.role & kRoleHead)) {
]==])
set(MUTANT_REPLACEMENT [==[
    if (false && next.kind == SpanKind::free && (next.role & kRoleHead)) {
]==])
