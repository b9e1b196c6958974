# A bitmap off-by-one: a small allocation marks the Segment after the one it hands out as live.
# Every small allocation takes its Segment through SegmentBitmap::take_lowest_clear (the fast
# path's and allocate_small's alike), so one plant covers both paths.
# Caught by the model: the block handed out is not live in the bitmap, so usable_size() says 0.
set(MUTANT_EXPECT model)
set(MUTANT_EXPECT_NO_VALIDATE model)
set(MUTANT_SUITE SmallBlocks)
set(MUTANT_FILE include/alligator/detail/segment_bitmap.hpp)
set(MUTANT_ORIGINAL [==[
    store(word, load(word) | Word{1} << bit);
    return word * kWordBits + bit;
]==])
set(MUTANT_REPLACEMENT [==[
    unsigned marked = word * kWordBits + bit + 1;
    store(marked / kWordBits, load(marked / kWordBits) | Word{1} << (marked % kWordBits));
    return word * kWordBits + bit;
]==])
