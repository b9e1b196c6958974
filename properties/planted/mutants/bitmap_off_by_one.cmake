# A bitmap off-by-one: the slow path of a small allocation marks the Segment after the one it
# hands out as live.
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
