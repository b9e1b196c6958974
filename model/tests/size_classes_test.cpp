// The model's class tables against the README's words: counts, k_c and Segment counts, the
// alignment rule, and the edges of every class.
#include <alligator/model/size_classes.hpp>

#include <gtest/gtest.h>

#include <numeric>

namespace alligator::model {
namespace {

TEST(ModelSizeClasses, TablesHaveTheReadmeCounts) {
  // 22 (or 19) classes up to 672, then the 35 medium classes: 768 896 1024 and four doublings
  // of eight steps.
  EXPECT_EQ(SizeClasses(8).count(), 57U);
  EXPECT_EQ(SizeClasses(16).count(), 54U);
}

TEST(ModelSizeClasses, BothTablesEndWithTheSameMediumClasses) {
  const std::vector<std::size_t> medium = {
      768,  896,  1024, 1152, 1280, 1408, 1536, 1664, 1792, 1920, 2048, 2304,
      2560, 2816, 3072, 3328, 3584, 3840, 4096, 4608, 5120, 5632, 6144, 6656,
      7168, 7680, 8192, 9216, 10240, 11264, 12288, 13312, 14336, 15360, 16384};
  for (std::size_t max_align : {8U, 16U}) {
    SizeClasses classes(max_align);
    const auto& sizes = classes.sizes();
    ASSERT_GE(sizes.size(), medium.size());
    EXPECT_EQ(std::vector<std::size_t>(sizes.end() - medium.size(), sizes.end()), medium);
    EXPECT_EQ(sizes[sizes.size() - medium.size() - 1], 672U);  // the last one-slot-only class
  }
  // Eight steps per doubling from 1024: each step is an eighth of the doubling's start.
  for (std::size_t i = 3; i < medium.size(); ++i) {
    std::size_t start = 1024;
    while (start * 2 < medium[i]) start *= 2;
    EXPECT_EQ(medium[i] - medium[i - 1], start / 8) << medium[i];
  }
}

TEST(ModelSizeClasses, SizesStrictlyIncrease) {
  for (std::size_t max_align : {8U, 16U}) {
    SizeClasses classes(max_align);
    const auto& sizes = classes.sizes();
    for (std::size_t i = 1; i < sizes.size(); ++i) EXPECT_LT(sizes[i - 1], sizes[i]);
  }
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

TEST(ModelSizeClasses, SegmentsAreFloorOf2048TimesKcOverSize) {
  SizeClasses classes(8);
  EXPECT_EQ(classes.segments(0), 256U);                          // 8
  EXPECT_EQ(classes.segments(*classes.class_of_size(24)), 85U);
  EXPECT_EQ(classes.segments(*classes.class_of_size(672)), 3U);
  EXPECT_EQ(classes.segments(*classes.class_of_size(768)), 8U);  // 3 slots
  EXPECT_EQ(classes.segments(*classes.class_of_size(896)), 16U);  // 7 slots
  EXPECT_EQ(classes.segments(*classes.class_of_size(1024)), 2U);
  EXPECT_EQ(classes.segments(*classes.class_of_size(1920)), 16U);  // 15 slots
  EXPECT_EQ(classes.segments(*classes.class_of_size(2048)), 1U);
  EXPECT_EQ(classes.segments(*classes.class_of_size(4096)), 1U);   // 2 slots
  EXPECT_EQ(classes.segments(*classes.class_of_size(15360)), 2U);  // 15 slots
  EXPECT_EQ(classes.segments(*classes.class_of_size(16384)), 1U);  // 8 slots
  for (std::size_t max_align : {8U, 16U}) {
    SizeClasses table(max_align);
    for (std::size_t c = 0; c < table.count(); ++c) {
      EXPECT_EQ(table.segments(c), 2048 * table.slots(c) / table.size(c)) << table.size(c);
      EXPECT_GE(table.segments(c), 1U);
      EXPECT_LE(table.segments(c), 256U);  // a bitmap record has 256 bits
    }
  }
}

TEST(ModelSizeClasses, MiniPageSlotsAreTheReadmesExamples) {
  SizeClasses classes(16);
  auto slots = [&](std::size_t size) { return classes.slots(*classes.class_of_size(size)); };
  EXPECT_EQ(slots(8), 1U);
  EXPECT_EQ(slots(672), 1U);
  EXPECT_EQ(slots(1024), 1U);
  EXPECT_EQ(slots(2048), 1U);
  EXPECT_EQ(slots(768), 3U);
  EXPECT_EQ(slots(896), 7U);
  EXPECT_EQ(slots(1152), 9U);
  EXPECT_EQ(slots(1920), 15U);
  EXPECT_EQ(slots(15360), 15U);
  EXPECT_EQ(slots(4096), 2U);
  EXPECT_EQ(slots(16384), 8U);
}

TEST(ModelSizeClasses, MiniPageSlotsAreSizeOverGcdAndAtMost15) {
  for (std::size_t max_align : {8U, 16U}) {
    SizeClasses classes(max_align);
    for (std::size_t c = 0; c < classes.count(); ++c) {
      const std::size_t size = classes.size(c);
      const std::size_t expected = size <= 672 ? 1 : size / std::gcd(size, std::size_t{2048});
      EXPECT_EQ(classes.slots(c), expected) << size;
      EXPECT_GE(classes.slots(c), 1U);
      EXPECT_LE(classes.slots(c), 15U) << size;
    }
  }
}

TEST(ModelSizeClasses, MediumClassesWasteNothingAtAMiniPagesEnd) {
  for (std::size_t max_align : {8U, 16U}) {
    SizeClasses classes(max_align);
    for (std::size_t c = 0; c < classes.count(); ++c) {
      const std::size_t size = classes.size(c);
      if (size <= 672) continue;
      EXPECT_EQ(classes.segments(c) * size, classes.slots(c) * 2048) << size;
      // And no fewer slots would do: k_c is the fewest whose bytes the size divides.
      for (std::size_t fewer = 1; fewer < classes.slots(c); ++fewer) {
        EXPECT_NE(fewer * 2048 % size, 0U) << size << " divides " << fewer << " slots";
      }
    }
  }
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
  EXPECT_EQ(classes.size(*classes.class_for(672, 1)), 672U);
  EXPECT_EQ(classes.size(*classes.class_for(673, 1)), 768U);
  EXPECT_EQ(classes.size(*classes.class_for(769, 1)), 896U);
  EXPECT_EQ(classes.size(*classes.class_for(1025, 1)), 1152U);
  EXPECT_EQ(classes.size(*classes.class_for(2048, 1)), 2048U);
  EXPECT_EQ(classes.size(*classes.class_for(2049, 1)), 2304U);
  EXPECT_EQ(classes.size(*classes.class_for(8193, 1)), 9216U);
  EXPECT_EQ(classes.size(*classes.class_for(16383, 1)), 16384U);
  EXPECT_EQ(classes.size(*classes.class_for(16384, 1)), 16384U);
  EXPECT_FALSE(classes.class_for(16385, 1));  // large from here on
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
  EXPECT_EQ(classes.size(*classes.class_for(700, 256)), 768U);   // 768 = 3 x 256
  EXPECT_EQ(classes.size(*classes.class_for(700, 512)), 1024U);  // 768 and 896 are not
  EXPECT_EQ(classes.size(*classes.class_for(2049, 512)), 2560U);  // 2304 is no multiple of 512
  EXPECT_EQ(classes.size(*classes.class_for(2049, 2048)), 4096U);
  EXPECT_EQ(classes.size(*classes.class_for(10000, 2048)), 10240U);  // 5 x 2048
  EXPECT_EQ(classes.size(*classes.class_for(10241, 2048)), 12288U);  // 11264 is not
  EXPECT_EQ(classes.size(*classes.class_for(16384, 2048)), 16384U);
  EXPECT_FALSE(classes.class_for(1, 4096));                    // alignment > 2048 is large
  EXPECT_FALSE(classes.class_for(16385, 2048));
}

TEST(ModelSizeClasses, SegmentsOfAClassKeepItsAlignment) {
  // Segment i starts at byte i * s of the MiniPage's first slot (2048-aligned): a class chosen
  // for alignment a (s a multiple of a) puts every Segment on an a boundary.
  SizeClasses classes(16);
  for (std::size_t alignment = 1; alignment <= 2048; alignment *= 2) {
    for (std::size_t size : {1U, 700U, 2049U, 9000U, 16384U}) {
      auto c = classes.class_for(size, alignment);
      ASSERT_TRUE(c);
      for (std::size_t i = 0; i < classes.segments(*c); ++i) {
        EXPECT_EQ(i * classes.size(*c) % alignment, 0U);
      }
    }
  }
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
