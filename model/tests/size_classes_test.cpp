// The model's class tables against the README's words: counts, Segment counts, the alignment
// rule, and the edges of every class.
#include <alligator/model/size_classes.hpp>

#include <gtest/gtest.h>

namespace alligator::model {
namespace {

TEST(ModelSizeClasses, TablesHaveTheReadmeCounts) {
  EXPECT_EQ(SizeClasses(8).count(), 24U);
  EXPECT_EQ(SizeClasses(16).count(), 21U);
}

#if GTEST_HAS_DEATH_TEST
TEST(ModelSizeClassesDeathTest, NoTableForOtherAlignments) {
  EXPECT_DEATH(SizeClasses(4), "max_align_t 8 and 16 only");
}
#endif

TEST(ModelSizeClasses, SixteenIsEightWithout24And40And56) {
  std::vector<std::size_t> expected;
  SizeClasses wasm(8);
  for (std::size_t size : wasm.sizes()) {
    if (size != 24 && size != 40 && size != 56) expected.push_back(size);
  }
  EXPECT_EQ(SizeClasses(16).sizes(), expected);
}

TEST(ModelSizeClasses, SegmentsAreFloorOf2048OverSize) {
  SizeClasses classes(8);
  EXPECT_EQ(classes.segments(0), 256U);                          // 8
  EXPECT_EQ(classes.segments(*classes.class_of_size(24)), 85U);
  EXPECT_EQ(classes.segments(*classes.class_of_size(672)), 3U);
  EXPECT_EQ(classes.segments(*classes.class_of_size(2048)), 1U);
}

TEST(ModelSizeClasses, EveryClassIsAlignedForTheSizesItServes) {
  for (std::size_t max_align : {8U, 16U}) {
    SizeClasses classes(max_align);
    for (std::size_t size : classes.sizes()) {
      EXPECT_EQ(size % classes.natural_alignment(size), 0U) << size;
    }
  }
}

TEST(ModelSizeClasses, SmallestClassAtLeastTheSize) {
  SizeClasses classes(16);
  EXPECT_EQ(classes.size(*classes.class_for(0, 1)), 8U);  // size 0 is served as size 1
  EXPECT_EQ(classes.size(*classes.class_for(1, 1)), 8U);
  EXPECT_EQ(classes.size(*classes.class_for(8, 1)), 8U);
  EXPECT_EQ(classes.size(*classes.class_for(9, 1)), 16U);
  EXPECT_EQ(classes.size(*classes.class_for(17, 1)), 32U);
  EXPECT_EQ(classes.size(*classes.class_for(673, 1)), 1024U);
  EXPECT_EQ(classes.size(*classes.class_for(2048, 1)), 2048U);
  EXPECT_FALSE(classes.class_for(2049, 1));
  SizeClasses wasm(8);
  EXPECT_EQ(wasm.size(*wasm.class_for(17, 1)), 24U);
  EXPECT_EQ(wasm.size(*wasm.class_for(33, 1)), 40U);
}

TEST(ModelSizeClasses, ExplicitAlignmentPicksAMultiple) {
  SizeClasses classes(8);
  EXPECT_EQ(classes.size(*classes.class_for(8, 16)), 16U);
  EXPECT_EQ(classes.size(*classes.class_for(17, 16)), 32U);   // 24 is no multiple of 16
  EXPECT_EQ(classes.size(*classes.class_for(100, 64)), 128U);  // 112 is no multiple of 64
  EXPECT_EQ(classes.size(*classes.class_for(1, 2048)), 2048U);
  EXPECT_FALSE(classes.class_for(1, 4096));                    // alignment > 2048 is large
}

TEST(ModelSizeClasses, NaturalAlignmentIsCappedByMaxAlign) {
  SizeClasses classes(16);
  EXPECT_EQ(classes.natural_alignment(0), 1U);
  EXPECT_EQ(classes.natural_alignment(1), 1U);
  EXPECT_EQ(classes.natural_alignment(7), 4U);
  EXPECT_EQ(classes.natural_alignment(1000), 16U);
  EXPECT_EQ(SizeClasses(8).natural_alignment(1000), 8U);
}

}  // namespace
}  // namespace alligator::model
