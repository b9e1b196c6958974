# A bitmap off-by-one: a small allocation marks the Segment after the one it hands out as live.
# The pop is written twice, in the slow path (allocate_small) and inlined in the fast path
# (allocate_inline); the bug is planted in both, so neither path hides it.
# Caught by the model: the block handed out is not live in the bitmap, so usable_size() says 0.
set(MUTANT_EXPECT model)
set(MUTANT_EXPECT_NO_VALIDATE model)
set(MUTANT_SUITE SmallBlocks)
set(MUTANT_FILE src/small_path.cpp)
set(MUTANT_ORIGINAL [==[
  unsigned segment = free_vector.pop();
  const CurrentMiniPage& current = current_[size_class];
  current.bitmap->set(segment);
]==])
set(MUTANT_REPLACEMENT [==[
  unsigned segment = free_vector.pop();
  const CurrentMiniPage& current = current_[size_class];
  current.bitmap->set(segment + 1);
]==])
set(MUTANT_FILE_2 src/fast_path.hpp)
set(MUTANT_ORIGINAL_2 [==[
      unsigned segment = free_vector.pop();
      const CurrentMiniPage& current = current_[size_class];
      current.bitmap->set(segment);
]==])
set(MUTANT_REPLACEMENT_2 [==[
      unsigned segment = free_vector.pop();
      const CurrentMiniPage& current = current_[size_class];
      current.bitmap->set(segment + 1);
]==])
