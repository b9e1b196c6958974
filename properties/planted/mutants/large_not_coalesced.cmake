# A large block not coalesced: a freed span never merges with the free span on its right.
# Caught first by the policy-free end of a case (`expect nothing_lost`): once every block is
# freed, the slots between slot 0 and the table are not one span, so a request for all of them
# grows the memory. That takes one command; the model's walk (the freed span stays apart from
# its free neighbour, the model's merged) needs three, so the shrinker ends at the policy-free one.
set(MUTANT_EXPECT policy_free)
set(MUTANT_EXPECT_NO_VALIDATE policy_free)
set(MUTANT_SUITE LargeBlocks)
set(MUTANT_FILE src/span_heap.cpp)
set(MUTANT_ORIGINAL [==[
    if (next.kind == SpanKind::free && (next.role & kRoleHead)) {
]==])
set(MUTANT_REPLACEMENT [==[
    if (false && next.kind == SpanKind::free && (next.role & kRoleHead)) {
]==])
