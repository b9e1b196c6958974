// The size classes (size_classes.hpp, size_class_map.hpp), checked exhaustively against their
// specification: the tables written out in the comment of size_classes.hpp, "the smallest class
// whose size is >= n" by linear search, natural alignment as min(kMaxAlign, bit_floor(n)), and
// Segment indexes by plain division. No expectation below reuses the mapping's own tables.
#include <alligator/detail/size_class_map.hpp>
#include <alligator/size_classes.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cstddef>
#include <vector>

namespace alligator {
namespace {

// The comment's wasm32 table (kMaxAlign 8), copied from the documentation, row by row.
constexpr std::size_t kDocumentedSizes8[] = {8,   16,  24,  32,  40,  48,  56,  64,
                                             80,  96,  112, 128, 144, 160, 192, 224,
                                             256, 288, 336, 400, 512, 672, 1024, 2048};
constexpr std::size_t kDocumentedSegments8[] = {256, 128, 85, 64, 51, 42, 36, 32, 25, 21, 18, 16,
                                                14,  12,  10, 9,  8,  7,  6,  5,  4,  3,  2,  1};
// The comment's i686 / x86_64 table (kMaxAlign 16).
constexpr std::size_t kDocumentedSizes16[] = {8,   16,  32,  48,  64,  80,  96,
                                              112, 128, 144, 160, 192, 224, 256,
                                              288, 336, 400, 512, 672, 1024, 2048};

std::vector<std::size_t> this_targets_documented_table() {
  if (kMaxAlign == 8) return {std::begin(kDocumentedSizes8), std::end(kDocumentedSizes8)};
  return {std::begin(kDocumentedSizes16), std::end(kDocumentedSizes16)};
}

// Natural alignment from its definition: min(max_align, the largest power of two <= size).
std::size_t expected_alignment(std::size_t size, std::size_t max_align) {
  if (size == 0) return 1;
  return std::min(max_align, std::bit_floor(size));
}

// The smallest class whose size is >= size, by linear search of the table.
std::size_t brute_force_class(std::size_t size) {
  for (std::size_t c = 0; c < kClassCount; ++c) {
    if (kClassSizes[c] >= size) return c;
  }
  return kClassCount;  // no class: a test failure below
}

TEST(SizeClassTest, MaxAlignIsAlignofMaxAlignT) {
  EXPECT_EQ(kMaxAlign, alignof(std::max_align_t));
  EXPECT_TRUE(kMaxAlign == 8 || kMaxAlign == 16) << kMaxAlign;
#if defined(__EMSCRIPTEN__)
  EXPECT_EQ(kMaxAlign, 8U);
#elif defined(__wasi__)
  EXPECT_EQ(kMaxAlign, 16U);  // wasi-libc's max_align_t holds a 16-byte long double
#elif defined(__i386__) || defined(__x86_64__)
  EXPECT_EQ(kMaxAlign, 16U);
#endif
}

TEST(SizeClassTest, Align8TableIsTheDocumentedOne) {
  ASSERT_EQ(kClassSizesAlign8.size(), std::size(kDocumentedSizes8));
  ASSERT_EQ(kClassSizesAlign8.size(), 24U);  // "24 classes"
  for (std::size_t c = 0; c < kClassSizesAlign8.size(); ++c) {
    EXPECT_EQ(kClassSizesAlign8[c], kDocumentedSizes8[c]) << "class " << c;
  }
}

TEST(SizeClassTest, Align8DocumentedSegmentRowIsFloorOf2048BySize) {
  for (std::size_t c = 0; c < std::size(kDocumentedSizes8); ++c) {
    std::size_t size = kDocumentedSizes8[c];
    std::size_t segments = kDocumentedSegments8[c];
    EXPECT_LE(segments * size, 2048U) << "class " << c;
    EXPECT_GT((segments + 1) * size, 2048U) << "class " << c;
  }
}

TEST(SizeClassTest, Align16TableIsTheDocumentedOne) {
  ASSERT_EQ(kClassSizesAlign16.size(), std::size(kDocumentedSizes16));
  ASSERT_EQ(kClassSizesAlign16.size(), 21U);  // "21 classes"
  for (std::size_t c = 0; c < kClassSizesAlign16.size(); ++c) {
    EXPECT_EQ(kClassSizesAlign16[c], kDocumentedSizes16[c]) << "class " << c;
  }
}

TEST(SizeClassTest, Align16TableIsAlign8TableWithout24And40And56) {
  std::vector<std::size_t> derived;
  for (std::size_t size : kDocumentedSizes8) {
    if (size != 24 && size != 40 && size != 56) derived.push_back(size);
  }
  ASSERT_EQ(derived.size(), kClassSizesAlign16.size());
  for (std::size_t c = 0; c < derived.size(); ++c) {
    EXPECT_EQ(kClassSizesAlign16[c], derived[c]) << "class " << c;
  }
}

TEST(SizeClassTest, ThisTargetUsesTheTableOfItsMaxAlign) {
  std::vector<std::size_t> expected = this_targets_documented_table();
  ASSERT_EQ(kClassCount, expected.size());
  for (std::size_t c = 0; c < kClassCount; ++c) {
    EXPECT_EQ(kClassSizes[c], expected[c]) << "class " << c;
    EXPECT_EQ(class_size(c), expected[c]) << "class " << c;
  }
}

TEST(SizeClassTest, BothTablesStrictlyIncreaseAndEndAtTheMiniPage) {
  for (std::size_t c = 1; c < kClassSizesAlign8.size(); ++c) {
    EXPECT_LT(kClassSizesAlign8[c - 1], kClassSizesAlign8[c]);
  }
  for (std::size_t c = 1; c < kClassSizesAlign16.size(); ++c) {
    EXPECT_LT(kClassSizesAlign16[c - 1], kClassSizesAlign16[c]);
  }
  EXPECT_EQ(kClassSizesAlign8.back(), kMiniPageSize);
  EXPECT_EQ(kClassSizesAlign16.back(), kMiniPageSize);
  EXPECT_EQ(kMiniPageSize, 2048U);
  EXPECT_EQ(kLargestClassSize, 2048U);
}

// Each table keeps the natural alignment of its own kMaxAlign; the 8 table would not under 16,
// which is why there are two.
TEST(SizeClassTest, EachTableIsAlignedForItsMaxAlign) {
  for (std::size_t size : kClassSizesAlign8) {
    EXPECT_EQ(size % expected_alignment(size, 8), 0U) << size;
  }
  for (std::size_t size : kClassSizesAlign16) {
    EXPECT_EQ(size % expected_alignment(size, 16), 0U) << size;
  }
  for (std::size_t size : {24, 40, 56}) {
    EXPECT_NE(size % expected_alignment(size, 16), 0U) << size;
  }
}

// "A MiniPage wastes at most 128 of its 2048 bytes (most waste <= 48)."
TEST(SizeClassTest, MiniPageWasteIsAsDocumented) {
  auto check = [](auto& sizes) {
    std::size_t over_48 = 0;
    for (std::size_t size : sizes) {
      std::size_t waste = 2048 % size;
      EXPECT_LE(waste, 128U) << "class size " << size;
      if (waste > 48) ++over_48;
    }
    EXPECT_LT(over_48 * 2, std::size(sizes)) << "most classes waste at most 48 bytes";
  };
  check(kClassSizesAlign8);
  check(kClassSizesAlign16);
}

// "A request is rounded up by at most a third from 64 to 672 bytes", on both tables.
TEST(SizeClassTest, RoundingFrom64To672IsAtMostAThird) {
  auto check = [](auto& sizes) {
    for (std::size_t request = 64; request <= 672; ++request) {
      std::size_t served = 0;
      for (std::size_t size : sizes) {
        if (size >= request) {
          served = size;
          break;
        }
      }
      ASSERT_NE(served, 0U);
      EXPECT_LE(served * 3, request * 4) << "request " << request << " served by " << served;
    }
  };
  check(kClassSizesAlign8);
  check(kClassSizesAlign16);
}

TEST(SizeClassTest, EverySizeUpTo2048MapsToTheSmallestFittingClass) {
  for (std::size_t size = 0; size <= 2048; ++size) {
    std::size_t expected = brute_force_class(size);
    ASSERT_LT(expected, kClassCount) << "size " << size;
    ASSERT_EQ(detail::class_of_size(size), expected) << "size " << size;
  }
}

TEST(SizeClassTest, ClassOfSizeNeverShrinksAndAlwaysFits) {
  unsigned previous = detail::class_of_size(0);
  EXPECT_EQ(previous, 0U);
  for (std::size_t size = 0; size <= 2048; ++size) {
    unsigned size_class = detail::class_of_size(size);
    ASSERT_LT(size_class, kClassCount) << "size " << size;
    ASSERT_GE(size_class, previous) << "size " << size;
    ASSERT_GE(class_size(size_class), size) << "size " << size;
    if (size_class > 0) {
      ASSERT_LT(class_size(size_class - 1), size) << "a smaller class fits size " << size;
    }
    previous = size_class;
  }
  EXPECT_EQ(detail::class_of_size(2048), kClassCount - 1);
}

TEST(SizeClassTest, SizesOfAClassMapToItself) {
  for (std::size_t c = 0; c < kClassCount; ++c) {
    EXPECT_EQ(detail::class_of_size(kClassSizes[c]), c);
    if (c + 1 < kClassCount) {
      EXPECT_EQ(detail::class_of_size(kClassSizes[c] + 1), c + 1);
    }
  }
}

TEST(SizeClassTest, NaturalAlignmentByBruteForce) {
  for (std::size_t size = 0; size <= 70000; ++size) {
    // The largest candidate in {1, 2, 4, ..., kMaxAlign} not above size (1 for size 0).
    std::size_t expected = 1;
    for (std::size_t candidate = 1; candidate <= kMaxAlign; candidate *= 2) {
      if (candidate <= size) expected = candidate;
    }
    ASSERT_EQ(natural_alignment(size), expected) << "size " << size;
    ASSERT_EQ(natural_alignment(size), expected_alignment(size, kMaxAlign)) << "size " << size;
  }
  EXPECT_EQ(natural_alignment(1), 1U);
  EXPECT_EQ(natural_alignment(3), 2U);
  EXPECT_EQ(natural_alignment(7), 4U);
  EXPECT_EQ(natural_alignment(8), 8U);
  EXPECT_EQ(natural_alignment(15), 8U);
  EXPECT_EQ(natural_alignment(16), kMaxAlign);
  EXPECT_EQ(natural_alignment(std::size_t{1} << 30), kMaxAlign);
}

TEST(SizeClassTest, EveryClassIsAMultipleOfItsNaturalAlignment) {
  for (std::size_t c = 0; c < kClassCount; ++c) {
    std::size_t size = class_size(c);
    EXPECT_EQ(size % natural_alignment(size), 0U) << "class " << c << " size " << size;
    EXPECT_EQ(size % expected_alignment(size, kMaxAlign), 0U) << "class " << c;
  }
}

// What the class table is for: every request up to 2048, served by its class, lands on an
// address aligned for it in any Segment of a 2 KiB-aligned MiniPage.
TEST(SizeClassTest, EverySegmentOfTheServingClassIsAlignedForTheRequest) {
  for (std::size_t size = 1; size <= 2048; ++size) {
    std::size_t segment_size = class_size(detail::class_of_size(size));
    std::size_t alignment = expected_alignment(size, kMaxAlign);
    for (std::size_t offset = 0; offset + segment_size <= 2048; offset += segment_size) {
      ASSERT_EQ(offset % alignment, 0U) << "size " << size << " offset " << offset;
    }
  }
}

TEST(SizeClassTest, SegmentsPerMiniPageIsFloorOf2048BySize) {
  for (std::size_t c = 0; c < kClassCount; ++c) {
    std::size_t size = class_size(c);
    std::size_t segments = segments_per_mini_page(c);
    EXPECT_LE(segments * size, 2048U) << "class " << c;
    EXPECT_GT((segments + 1) * size, 2048U) << "class " << c;
    EXPECT_LE(segments, 256U) << "class " << c;
    EXPECT_LE(segments, kMaxSegmentsPerMiniPage) << "class " << c;
    EXPECT_GE(segments, 1U) << "class " << c;
  }
  EXPECT_EQ(segments_per_mini_page(0), 256U);  // class 0 is 8 bytes on both tables
  EXPECT_EQ(segments_per_mini_page(kClassCount - 1), 1U);
}

TEST(SizeClassTest, SegmentsPerMiniPageMatchesTheDocumentedRow) {
  // The documented segments row is for the 8 table; the 16 table's counts are its sizes' rows.
  for (std::size_t c = 0; c < kClassCount; ++c) {
    const std::size_t* found = std::find(std::begin(kDocumentedSizes8), std::end(kDocumentedSizes8),
                                         class_size(c));
    ASSERT_NE(found, std::end(kDocumentedSizes8)) << "class " << c;
    std::size_t row = static_cast<std::size_t>(found - std::begin(kDocumentedSizes8));
    EXPECT_EQ(segments_per_mini_page(c), kDocumentedSegments8[row]) << "class " << c;
  }
}


}  // namespace
}  // namespace alligator
