// The model's class tables against the README's words: counts, k_c and Segment counts, the
// alignment rule, and the edges of every class.
#include <alligator/model/size_classes.hpp>

#include <gtest/gtest.h>


namespace alligator::model {
namespace {

TEST(ModelSizeClasses, TablesHaveTheReadmeCounts) {
  // 16 (or 9) classes up to 128, then 24 up to 1024 and 64 from there to 16384.
  EXPECT_EQ(SizeClasses(8).count(), 104U);
  EXPECT_EQ(SizeClasses(16).count(), 97U);
}

TEST(ModelSizeClasses, TheTablesBeginAsTheReadmeLists) {
  const std::vector<std::size_t> wasm = {8,  16, 24, 32,  40,  48,  56,  64,  72,
                                         80, 88, 96, 104, 112, 120, 128, 144, 160};
  const std::vector<std::size_t> host = {8, 16, 32, 48, 64, 80, 96, 112, 128, 144, 160};
  const SizeClasses wasm_classes(8), host_classes(16);
  const auto& eight = wasm_classes.sizes();
  const auto& sixteen = host_classes.sizes();
  EXPECT_EQ(std::vector<std::size_t>(eight.begin(), eight.begin() + wasm.size()), wasm);
  EXPECT_EQ(std::vector<std::size_t>(sixteen.begin(), sixteen.begin() + host.size()), host);
}

TEST(ModelSizeClasses, BothTablesShareEverythingAbove128) {
  const SizeClasses wasm(8), host(16);
  std::vector<std::size_t> eight, sixteen;
  for (std::size_t size : wasm.sizes()) {
    if (size > 128) eight.push_back(size);
  }
  for (std::size_t size : host.sizes()) {
    if (size > 128) sixteen.push_back(size);
  }
  EXPECT_EQ(eight, sixteen);
  EXPECT_EQ(eight.size(), 88U);
}

// Eight steps per doubling up to 1024, sixteen above: each step is an eighth (a sixteenth) of
// the power of two it follows, and every power of two from 128 to 16384 is a class.
TEST(ModelSizeClasses, StepsPerDoubling) {
  const SizeClasses wasm(8);
  const auto& sizes = wasm.sizes();
  for (std::size_t i = 1; i < sizes.size(); ++i) {
    const std::size_t size = sizes[i];
    if (size <= 64) {
      EXPECT_EQ(size - sizes[i - 1], 8U) << size;
      continue;
    }
    std::size_t start = 64;
    while (start * 2 < size) start *= 2;
    EXPECT_EQ(size - sizes[i - 1], start / (start < 1024 ? 8 : 16)) << size;
  }
  SizeClasses classes(16);
  for (std::size_t power = 128; power <= 16384; power *= 2) {
    EXPECT_TRUE(classes.class_of_size(power)) << power;
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

TEST(ModelSizeClasses, SixteenIsEightWithoutTheOddMultiplesOf8UpTo128) {
  std::vector<std::size_t> expected;
  SizeClasses wasm(8);
  for (std::size_t size : wasm.sizes()) {
    if (size == 8 || size > 128 || size % 16 == 0) expected.push_back(size);
  }
  EXPECT_EQ(SizeClasses(16).sizes(), expected);
}

TEST(ModelSizeClasses, SegmentsAreFloorOf2048TimesKcOverSize) {
  for (std::size_t max_align : {8U, 16U}) {
    SizeClasses table(max_align);
    for (std::size_t c = 0; c < table.count(); ++c) {
      EXPECT_EQ(table.segments(c), 2048 * table.slots(c) / table.size(c)) << table.size(c);
      EXPECT_GE(table.segments(c), 1U);
      // A bitmap record has 256 bits; only class 8 uses more than 128 of them.
      EXPECT_LE(table.segments(c), table.size(c) == 8 ? 256U : 128U) << table.size(c);
    }
  }
  EXPECT_EQ(SizeClasses(8).segments(0), 256U);
}

// The README's examples (wasm32), and a few more worked by hand.
TEST(ModelSizeClasses, MiniPageSlotsAreTheReadmesExamples) {
  SizeClasses classes(8);
  struct Example {
    std::size_t size, slots, segments;
  };
  for (Example e : {Example{8, 1, 256}, Example{24, 1, 85}, Example{88, 4, 93},
                    Example{240, 15, 128}, Example{1088, 8, 15}, Example{4096, 2, 1},
                    Example{9728, 5, 1},
                    // 16: one slot holds 128 exactly. 48: 3 slots hold 128 exactly (one slot
                    // would leave 32 bytes). 120: one slot leaves 8 bytes, and 2 slots would hold
                    // 136 Segments. 1024 and 2048: one slot, nothing left. 768: 3 slots, 8
                    // Segments exactly. 16384: 8 slots, one Segment.
                    Example{16, 1, 128}, Example{48, 3, 128}, Example{120, 1, 17},
                    Example{1024, 1, 2}, Example{2048, 1, 1}, Example{768, 3, 8},
                    Example{16384, 8, 1}}) {
    auto c = classes.class_of_size(e.size);
    ASSERT_TRUE(c) << e.size;
    EXPECT_EQ(classes.slots(*c), e.slots) << e.size;
    EXPECT_EQ(classes.segments(*c), e.segments) << e.size;
  }
}

// k_c leaves the smallest share unused among 1..16 slots of at most 128 Segments, the fewest
// slots on a tie: checked against every k, in floating point.
TEST(ModelSizeClasses, MiniPageSlotsLeaveTheSmallestShareUnused) {
  for (std::size_t max_align : {8U, 16U}) {
    SizeClasses classes(max_align);
    for (std::size_t c = 0; c < classes.count(); ++c) {
      const std::size_t size = classes.size(c);
      if (size == 8) continue;
      auto unused_share = [&](std::size_t k) {
        return static_cast<double>(k * 2048 % size) / static_cast<double>(k * 2048);
      };
      const std::size_t chosen = classes.slots(c);
      ASSERT_GE(chosen, 1U);
      ASSERT_LE(chosen, 16U) << size;
      for (std::size_t k = 1; k <= 16; ++k) {
        if (k * 2048 / size > 128) continue;
        if (k < chosen) {
          EXPECT_GT(unused_share(k), unused_share(chosen)) << size << ": " << k << " slots";
        } else {
          EXPECT_GE(unused_share(k), unused_share(chosen)) << size << ": " << k << " slots";
        }
      }
    }
  }
}

// "9728 bytes, 5 slots, 1 Segment, 512 unused (the most, 5%)".
TEST(ModelSizeClasses, NoMiniPageLeavesMoreThanFivePercentUnused) {
  for (std::size_t max_align : {8U, 16U}) {
    SizeClasses classes(max_align);
    for (std::size_t c = 0; c < classes.count(); ++c) {
      const std::size_t bytes = classes.slots(c) * 2048;
      EXPECT_LE((bytes - classes.segments(c) * classes.size(c)) * 20, bytes) << classes.size(c);
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
  EXPECT_EQ(classes.size(*classes.class_for(84, 1)), 96U);
  EXPECT_EQ(classes.size(*classes.class_for(129, 1)), 144U);
  EXPECT_EQ(classes.size(*classes.class_for(672, 1)), 704U);
  EXPECT_EQ(classes.size(*classes.class_for(1025, 1)), 1088U);
  EXPECT_EQ(classes.size(*classes.class_for(1032, 1)), 1088U);
  EXPECT_EQ(classes.size(*classes.class_for(2048, 1)), 2048U);
  EXPECT_EQ(classes.size(*classes.class_for(2049, 1)), 2176U);
  EXPECT_EQ(classes.size(*classes.class_for(4272, 1)), 4352U);
  EXPECT_EQ(classes.size(*classes.class_for(8193, 1)), 8704U);
  EXPECT_EQ(classes.size(*classes.class_for(16383, 1)), 16384U);
  EXPECT_EQ(classes.size(*classes.class_for(16384, 1)), 16384U);
  EXPECT_FALSE(classes.class_for(16385, 1));  // large from here on
  SizeClasses wasm(8);
  EXPECT_EQ(wasm.size(*wasm.class_for(17, 1)), 24U);
  EXPECT_EQ(wasm.size(*wasm.class_for(33, 1)), 40U);
  EXPECT_EQ(wasm.size(*wasm.class_for(84, 1)), 88U);
  EXPECT_EQ(wasm.size(*wasm.class_for(121, 1)), 128U);
}

TEST(ModelSizeClasses, ExplicitAlignmentPicksAMultiple) {
  SizeClasses classes(8);
  EXPECT_EQ(classes.size(*classes.class_for(8, 16)), 16U);
  EXPECT_EQ(classes.size(*classes.class_for(17, 16)), 32U);    // 24 is no multiple of 16
  EXPECT_EQ(classes.size(*classes.class_for(100, 64)), 128U);  // 104 to 120 are not of 64
  EXPECT_EQ(classes.size(*classes.class_for(1, 2048)), 2048U);
  EXPECT_EQ(classes.size(*classes.class_for(700, 256)), 768U);   // 768 = 3 x 256
  EXPECT_EQ(classes.size(*classes.class_for(700, 512)), 1024U);  // 704 .. 960 are not
  EXPECT_EQ(classes.size(*classes.class_for(2049, 512)), 2560U);  // 2176 .. 2432 are not
  EXPECT_EQ(classes.size(*classes.class_for(2049, 2048)), 4096U);
  EXPECT_EQ(classes.size(*classes.class_for(10000, 2048)), 10240U);  // 5 x 2048
  EXPECT_EQ(classes.size(*classes.class_for(10241, 2048)), 12288U);  // 10752, 11264, 11776 not
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
