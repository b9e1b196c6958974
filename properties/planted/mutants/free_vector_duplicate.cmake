# A duplicate in a free vector: free_segment (every free comes through it) pushes a Segment
# freed into the current MiniPage twice, so it would be handed out twice.
# Caught by the free vector check: it holds the Segment twice.
set(MUTANT_EXPECT free_vector)
set(MUTANT_EXPECT_NO_VALIDATE free_vector)
set(MUTANT_SUITE SmallBlocks)
set(MUTANT_FILE src/fast_path.hpp)
set(MUTANT_ORIGINAL [==[
  if (slot == current_[size_class].slot) {
    free_vector.push(segment);
]==])
set(MUTANT_REPLACEMENT [==[
  if (slot == current_[size_class].slot) {
    free_vector.push(segment);
    free_vector.push(segment);
]==])
