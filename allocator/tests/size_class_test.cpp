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
#include <numeric>
#include <utility>
#include <vector>

namespace alligator {
namespace {

// The comment's wasm32 table (kMaxAlign 8), copied from the documentation, row by row: 22
// one-slot classes, then the 35 medium ones (both tables share them), 57 in all.
constexpr std::size_t kDocumentedSizes8[] = {
    8,    16,    24,    32,    40,    48,    56,    64,    80,    96,    112,   128,
    144,  160,   192,   224,   256,   288,   336,   400,   512,   672,   768,   896,
    1024, 1152,  1280,  1408,  1536,  1664,  1792,  1920,  2048,  2304,  2560,  2816,
    3072, 3328,  3584,  3840,  4096,  4608,  5120,  5632,  6144,  6656,  7168,  7680,
    8192, 9216,  10240, 11264, 12288, 13312, 14336, 15360, 16384};
// The slots k_c of each class's MiniPage: 1 up to 672 bytes; the comment's medium row for 768 ..
// 2048; past it, size / gcd(size, 2048) worked out by hand (2304 = 9 x 256: 9 slots, ...).
constexpr std::size_t kDocumentedSlots8[] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1,  1,  1, 1,  1,  1, 1, 1, 1, 1, 1,  1, 1, 1, 3, 7,
    1, 9, 5, 11, 3, 13, 7, 15, 1,  9, 5, 11, 3, 13, 7, 15, 2, 9, 5, 11, 3, 13, 7, 15,
    4, 9, 5, 11, 6, 13, 7, 15, 8};
// Segments per MiniPage: the comment's rows, then floor(2048 k_c / size) by hand (1 to 8).
constexpr std::size_t kDocumentedSegments8[] = {
    256, 128, 85, 64, 51, 42, 36, 32, 25, 21, 18, 16, 14, 12, 10, 9, 8, 7, 6, 5, 4, 3, 8, 16,
    2,   16,  8,  16, 4,  16, 8,  16, 1,  8,  4,  8,  2,  8,  4,  8, 1, 4, 2, 4, 1, 4, 2, 4,
    1,   2,   1,  2,  1,  2,  1,  2,  1};
// The comment's i686 / x86_64 table (kMaxAlign 16): the same without 24, 40 and 56, 54 in all.
constexpr std::size_t kDocumentedSizes16[] = {
    8,     16,    32,    48,    64,    80,    96,    112,   128,   144,   160,   192,
    224,   256,   288,   336,   400,   512,   672,   768,   896,   1024,  1152,  1280,
    1408,  1536,  1664,  1792,  1920,  2048,  2304,  2560,  2816,  3072,  3328,  3584,
    3840,  4096,  4608,  5120,  5632,  6144,  6656,  7168,  7680,  8192,  9216,  10240,
    11264, 12288, 13312, 14336, 15360, 16384};

// k_c from the specification's definition, independently of mini_page_slots(): 1 up to 672
// bytes, otherwise the fewest slots whose 2048-byte multiple the size divides.
std::size_t fewest_slots_dividing(std::size_t size) {
  if (size <= 672) return 1;
  for (std::size_t slots = 1;; ++slots) {
    if (slots * 2048 % size == 0) return slots;
  }
}

// The documented row of a class size in the 8 table (every 16-table size is in it).
std::size_t documented_row(std::size_t size) {
  return static_cast<std::size_t>(
      std::find(std::begin(kDocumentedSizes8), std::end(kDocumentedSizes8), size) -
      std::begin(kDocumentedSizes8));
}

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

// The smallest size in a class table that is >= request (0 if none: a test failure).
template <class Sizes>
std::size_t served_by(const Sizes& sizes, std::size_t request) {
  auto found = std::find_if(std::begin(sizes), std::end(sizes),
                            [&](std::size_t size) { return size >= request; });
  return found == std::end(sizes) ? 0 : *found;
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
  ASSERT_EQ(kClassSizesAlign8.size(), 57U);  // "57 in all"
  for (std::size_t c = 0; c < kClassSizesAlign8.size(); ++c) {
    EXPECT_EQ(kClassSizesAlign8[c], kDocumentedSizes8[c]) << "class " << c;
  }
}

// The rows copied above agree with the definitions they were worked out from: k_c is the fewest
// slots the size divides (1 up to 672), and the Segments are floor(2048 k_c / size), without
// slack from 768 on; 15 slots and 256 Segments at most.
TEST(SizeClassTest, Align8DocumentedRowsFollowTheirDefinitions) {
  ASSERT_EQ(std::size(kDocumentedSlots8), std::size(kDocumentedSizes8));
  ASSERT_EQ(std::size(kDocumentedSegments8), std::size(kDocumentedSizes8));
  for (std::size_t c = 0; c < std::size(kDocumentedSizes8); ++c) {
    std::size_t size = kDocumentedSizes8[c];
    std::size_t slots = kDocumentedSlots8[c];
    std::size_t segments = kDocumentedSegments8[c];
    EXPECT_EQ(slots, fewest_slots_dividing(size)) << "size " << size;
    EXPECT_EQ(slots, size <= 672 ? 1 : size / std::gcd(size, std::size_t{2048})) << "size " << size;
    EXPECT_LE(segments * size, slots * 2048) << "size " << size;
    EXPECT_GT((segments + 1) * size, slots * 2048) << "size " << size;
    if (size >= 768) {
      EXPECT_EQ(segments * size, slots * 2048) << "size " << size;
    }
    EXPECT_LE(slots, 15U) << "size " << size;
    EXPECT_LE(segments, 256U) << "size " << size;
    EXPECT_GE(segments, 1U) << "size " << size;
  }
}

// The k_c the specification names: "1 for 1024 and 2048, 3 for 768, 7 for 896, 9 for 1152, 15
// for 1920 and 15360, 2 for 4096, 8 for 16384".
TEST(SizeClassTest, MiniPageSlotsNamedByTheSpecification) {
  for (auto [size, slots] : {std::pair<std::size_t, std::size_t>{1024, 1}, {2048, 1}, {768, 3},
                             {896, 7}, {1152, 9}, {1920, 15}, {15360, 15}, {4096, 2}, {16384, 8},
                             {8, 1}, {672, 1}}) {
    std::size_t c = documented_row(size);
    ASSERT_LT(c, std::size(kDocumentedSizes8)) << size;
    EXPECT_EQ(kDocumentedSlots8[c], slots) << "size " << size;
  }
}

// This target's k_c and Segment counts are the documented ones, class by class (the 16 table's
// from the rows of its sizes).
TEST(SizeClassTest, MiniPageSlotsAndSegmentsMatchTheDocumentedRows) {
  for (std::size_t c = 0; c < kClassCount; ++c) {
    std::size_t row = documented_row(class_size(c));
    ASSERT_LT(row, std::size(kDocumentedSizes8)) << "class " << c;
    EXPECT_EQ(mini_page_slots(c), kDocumentedSlots8[row]) << "class " << c;
    EXPECT_EQ(segments_per_mini_page(c), kDocumentedSegments8[row]) << "class " << c;
    EXPECT_EQ(detail::kMiniPageSlots[c], kDocumentedSlots8[row]) << "class " << c;
    EXPECT_EQ(detail::kSegmentsPerMiniPage[c], kDocumentedSegments8[row]) << "class " << c;
  }
  EXPECT_EQ(kMaxMiniPageSlots, 15U);
}

TEST(SizeClassTest, Align16TableIsTheDocumentedOne) {
  ASSERT_EQ(kClassSizesAlign16.size(), std::size(kDocumentedSizes16));
  ASSERT_EQ(kClassSizesAlign16.size(), 54U);  // "54 in all"
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

TEST(SizeClassTest, BothTablesStrictlyIncreaseAndEndAt16KiB) {
  for (std::size_t c = 1; c < kClassSizesAlign8.size(); ++c) {
    EXPECT_LT(kClassSizesAlign8[c - 1], kClassSizesAlign8[c]);
  }
  for (std::size_t c = 1; c < kClassSizesAlign16.size(); ++c) {
    EXPECT_LT(kClassSizesAlign16[c - 1], kClassSizesAlign16[c]);
  }
  EXPECT_EQ(kClassSizesAlign8.back(), 16384U);
  EXPECT_EQ(kClassSizesAlign16.back(), 16384U);
  EXPECT_EQ(kMiniPageSize, 2048U);
  EXPECT_EQ(kLargestClassSize, 16384U);
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

// "The one-slot sizes waste at most 128 of a MiniPage's 2048 bytes (most waste <= 48)", and "a
// MiniPage of k_c slots holds its Segments without slack" from 768 on.
TEST(SizeClassTest, MiniPageWasteIsAsDocumented) {
  auto check = [](auto& sizes) {
    std::size_t one_slot = 0;
    std::size_t over_48 = 0;
    for (std::size_t size : sizes) {
      if (size >= 768) {
        EXPECT_EQ(fewest_slots_dividing(size) * 2048 % size, 0U) << "class size " << size;
        continue;
      }
      ++one_slot;
      std::size_t waste = 2048 % size;
      EXPECT_LE(waste, 128U) << "class size " << size;
      if (waste > 48) ++over_48;
    }
    EXPECT_LT(over_48 * 2, one_slot) << "most one-slot classes waste at most 48 bytes";
  };
  check(kClassSizesAlign8);
  check(kClassSizesAlign16);
}

// "A request is rounded up by at most a third from 64 to 672 bytes", on both tables.
TEST(SizeClassTest, RoundingFrom64To672IsAtMostAThird) {
  auto check = [](auto& sizes) {
    for (std::size_t request = 64; request <= 672; ++request) {
      std::size_t served = served_by(sizes, request);
      ASSERT_NE(served, 0U);
      EXPECT_LE(served * 3, request * 4) << "request " << request << " served by " << served;
    }
  };
  check(kClassSizesAlign8);
  check(kClassSizesAlign16);
}

// "768, 896 and 1024 round up by at most a sixth; above 1024, eight classes per doubling round up
// by at most 12.5%": eight classes in each of (1024, 2048], (2048, 4096], (4096, 8192] and
// (8192, 16384], and no request above 1024 served more than an eighth above its size (above 672,
// a sixth), on both tables.
TEST(SizeClassTest, EightMediumClassesPerDoublingRoundUpByAtMostAnEighth) {
  auto check = [](auto& sizes) {
    for (std::size_t low = 1024; low < 16384; low *= 2) {
      auto in_doubling = std::count_if(std::begin(sizes), std::end(sizes), [&](std::size_t size) {
        return size > low && size <= 2 * low;
      });
      EXPECT_EQ(in_doubling, 8) << "(" << low << ", " << 2 * low << "]";
    }
    for (std::size_t request = 1025; request <= 16384; ++request) {
      std::size_t served = served_by(sizes, request);
      ASSERT_NE(served, 0U);
      ASSERT_LE(served * 8, request * 9) << "request " << request << " served by " << served;
    }
    for (std::size_t request = 673; request <= 1024; ++request) {
      std::size_t served = served_by(sizes, request);
      ASSERT_NE(served, 0U);
      ASSERT_LE(served * 6, request * 7) << "request " << request << " served by " << served;
    }
  };
  check(kClassSizesAlign8);
  check(kClassSizesAlign16);
}

TEST(SizeClassTest, EverySizeUpTo16384MapsToTheSmallestFittingClass) {
  for (std::size_t size = 0; size <= 16384; ++size) {
    std::size_t expected = brute_force_class(size);
    ASSERT_LT(expected, kClassCount) << "size " << size;
    ASSERT_EQ(detail::class_of_size(size), expected) << "size " << size;
  }
}

TEST(SizeClassTest, ClassOfSizeNeverShrinksAndAlwaysFits) {
  unsigned previous = detail::class_of_size(0);
  EXPECT_EQ(previous, 0U);
  for (std::size_t size = 0; size <= 16384; ++size) {
    unsigned size_class = detail::class_of_size(size);
    ASSERT_LT(size_class, kClassCount) << "size " << size;
    ASSERT_GE(size_class, previous) << "size " << size;
    ASSERT_GE(class_size(size_class), size) << "size " << size;
    if (size_class > 0) {
      ASSERT_LT(class_size(size_class - 1), size) << "a smaller class fits size " << size;
    }
    previous = size_class;
  }
  EXPECT_EQ(detail::class_of_size(16384), kClassCount - 1);
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

// What the class table is for: every request up to 16384, served by its class, lands on an
// address aligned for it in any Segment of a 2 KiB-aligned MiniPage of k_c slots.
TEST(SizeClassTest, EverySegmentOfTheServingClassIsAlignedForTheRequest) {
  for (std::size_t size = 1; size <= 16384; ++size) {
    std::size_t segment_size = class_size(detail::class_of_size(size));
    std::size_t alignment = expected_alignment(size, kMaxAlign);
    std::size_t page_bytes = fewest_slots_dividing(segment_size) * 2048;
    for (std::size_t offset = 0; offset + segment_size <= page_bytes; offset += segment_size) {
      ASSERT_EQ(offset % alignment, 0U) << "size " << size << " offset " << offset;
    }
  }
}

TEST(SizeClassTest, SegmentsPerMiniPageIsFloorOfItsBytesBySize) {
  for (std::size_t c = 0; c < kClassCount; ++c) {
    std::size_t size = class_size(c);
    std::size_t bytes = fewest_slots_dividing(size) * 2048;
    std::size_t segments = segments_per_mini_page(c);
    EXPECT_EQ(mini_page_slots(c) * 2048, bytes) << "class " << c;
    EXPECT_LE(segments * size, bytes) << "class " << c;
    EXPECT_GT((segments + 1) * size, bytes) << "class " << c;
    EXPECT_LE(segments, 256U) << "class " << c;
    EXPECT_LE(segments, kMaxSegmentsPerMiniPage) << "class " << c;
    EXPECT_GE(segments, 1U) << "class " << c;
  }
  EXPECT_EQ(segments_per_mini_page(0), 256U);  // class 0 is 8 bytes on both tables
  EXPECT_EQ(segments_per_mini_page(kClassCount - 1), 1U);
}

// segment_of_offset and is_segment_start (a 64-bit product with a 2^32 reciprocal) against plain
// division and modulo, for every byte offset of every class's MiniPage: 0 .. k_c x 2048 - 1.
TEST(SizeClassTest, SegmentOfOffsetIsDivisionForEveryOffsetOfEveryMiniPage) {
  for (unsigned c = 0; c < kClassCount; ++c) {
    std::size_t size = class_size(c);
    std::size_t bytes = fewest_slots_dividing(size) * 2048;
    for (std::size_t offset = 0; offset < bytes; ++offset) {
      ASSERT_EQ(detail::segment_of_offset(offset, c), offset / size)
          << "class " << c << " (" << size << " bytes), offset " << offset;
      ASSERT_EQ(detail::is_segment_start(offset, c), offset % size == 0)
          << "class " << c << " (" << size << " bytes), offset " << offset;
    }
  }
}

}  // namespace
}  // namespace alligator
