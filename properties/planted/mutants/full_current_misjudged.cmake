# The current MiniPage misjudged full: SegmentBitmap::has_clear ignores the word holding the
# last Segment (in classes of at most 64 Segments, the whole bitmap), so a free into a full
# MiniPage makes it current even though the current one still has free Segments. The bitmap,
# which replaced the free vectors, decides this in place of their emptiness, and a bug in it
# hands the class a MiniPage the model does not: the successor of `free_vector_duplicate`.
# Caught by the walk: the span the heap marks current is not the model's current MiniPage (the
# walk compares `current` span by span, before the check of each class's current MiniPage).
set(MUTANT_EXPECT walk)
set(MUTANT_EXPECT_NO_VALIDATE walk)
set(MUTANT_SUITE SmallBlocks)
set(MUTANT_FILE include/alligator/detail/segment_bitmap.hpp)
set(MUTANT_ORIGINAL [==[
    if ((~load(0) & first_mask(shape)) != 0) return true;
    for (unsigned word = 1; word < shape.last_word; ++word) {
      if (~load(word) != 0) return true;
    }
    return shape.last_word != 0 && (~load(shape.last_word) & last_mask(shape)) != 0;
]==])
set(MUTANT_REPLACEMENT [==[
    for (unsigned word = 0; word < shape.last_word; ++word) {
      if (~load(word) != 0) return true;
    }
    return false;
]==])
