# calloc without zeroing: it takes large blocks for fresh memory (zero since it grew) and zeroes
# only small ones, but a large block can be a span freed and reused, still holding old bytes.
# Caught by the executor's zeroing check: every calloc block must read zero. Nothing else can
# see it: the heap's records are all right.
set(MUTANT_EXPECT zeroing)
set(MUTANT_SUITE Everything)
set(MUTANT_FILE src/malloc_family.cpp)
set(MUTANT_ORIGINAL [==[
  if (block != nullptr) std::memset(block, 0, bytes);
]==])
set(MUTANT_REPLACEMENT [==[
  if (block != nullptr && bytes <= kLargestClassSize) std::memset(block, 0, bytes);
]==])
