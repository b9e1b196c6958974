# Spare spans never retired: when no free span fits, memory grows instead of taking back the
# freed large blocks kept for reuse.
# Caught by the walk: a spare span is still kept where the model's retired it before growing.
set(MUTANT_EXPECT walk)
set(MUTANT_EXPECT_NO_VALIDATE walk)
set(MUTANT_SUITE LargeBlocks)
set(MUTANT_FILE src/span_heap.cpp)
set(MUTANT_ORIGINAL [==[
    while (spare_span_count_[slots] != 0) {
]==])
set(MUTANT_REPLACEMENT [==[
    while (false && spare_span_count_[slots] != 0) {
]==])
