# Spare spans never retired: when no free span fits, memory grows instead of taking back the
# freed large blocks kept for reuse.
# Caught first by the policy-free end of a case (`expect nothing_lost`): once every block is
# freed, a request for every slot between slot 0 and the table grows the memory instead of
# retiring the kept span. That takes one command; the model's walk (a spare span still kept where
# the model's retired it) needs more, so the shrinker ends at the policy-free one.
set(MUTANT_EXPECT policy_free)
set(MUTANT_EXPECT_NO_VALIDATE policy_free)
set(MUTANT_SUITE LargeBlocks)
set(MUTANT_FILE src/span_heap.cpp)
set(MUTANT_ORIGINAL [==[
    while (spare_span_count_[slots] != 0) {
]==])
set(MUTANT_REPLACEMENT [==[
    while (false && spare_span_count_[slots] != 0) {
]==])
