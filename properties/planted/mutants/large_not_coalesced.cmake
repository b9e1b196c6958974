# A large block not coalesced: a freed span never merges with the free span on its right.
set(MUTANT_SUITE LargeBlocks)
set(MUTANT_FILE src/span_heap.cpp)
set(MUTANT_ORIGINAL [==[
    if (next.kind == SpanKind::free && (next.role & kRoleHead)) {
]==])
set(MUTANT_REPLACEMENT [==[
    if (false && next.kind == SpanKind::free && (next.role & kRoleHead)) {
]==])
