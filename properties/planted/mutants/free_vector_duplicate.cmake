# A duplicate in a free vector: the inline free (MallocFamily::free) pushes a Segment freed into
# the current MiniPage twice, so it would be handed out twice.
set(MUTANT_SUITE SmallBlocks)
set(MUTANT_FILE src/fast_path.hpp)
set(MUTANT_ORIGINAL [==[
      if (current) {
        free_vectors_[size_class].push(segment);
]==])
set(MUTANT_REPLACEMENT [==[
      if (current) {
        free_vectors_[size_class].push(segment);
        free_vectors_[size_class].push(segment);
]==])
