// The size classes (size_classes.hpp, size_class_map.hpp), checked exhaustively against their
// specification (allocator/README.md, "Size classes"): the wasm32 table written out below (the
// 16 table derived from it by the README's rule), k_c by a floating-point search of its
// definition (heap_test_support.hpp), "the smallest class whose size is >= n" by linear
// search, natural alignment as min(kMaxAlign, bit_floor(n)), and Segment indexes by plain
// division. No expectation below reuses the mapping's own tables.
#include <alligator/detail/size_class_map.hpp>
#include <alligator/size_classes.hpp>

#include "heap_test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cstddef>
#include <utility>
#include <vector>

namespace alligator {
namespace {

using testing::mini_page_slots_of;

// The wasm32 table (kMaxAlign 8), written out from the rule in allocator/README.md ("8, every
// multiple of A up to 64, then eight steps per doubling up to 1024 and sixteen from 1024 to
// 16384"): 104 classes, the last 88 (above 128) shared with the 16 table.
constexpr std::size_t kDocumentedSizes8[] = {
    8,     16,    24,    32,    40,    48,    56,    64,    72,    80,    88,    96,
    104,   112,   120,   128,   144,   160,   176,   192,   208,   224,   240,   256,
    288,   320,   352,   384,   416,   448,   480,   512,   576,   640,   704,   768,
    832,   896,   960,   1024,  1088,  1152,  1216,  1280,  1344,  1408,  1472,  1536,
    1600,  1664,  1728,  1792,  1856,  1920,  1984,  2048,  2176,  2304,  2432,  2560,
    2688,  2816,  2944,  3072,  3200,  3328,  3456,  3584,  3712,  3840,  3968,  4096,
    4352,  4608,  4864,  5120,  5376,  5632,  5888,  6144,  6400,  6656,  6912,  7168,
    7424,  7680,  7936,  8192,  8704,  9216,  9728,  10240, 10752, 11264, 11776, 12288,
    12800, 13312, 13824, 14336, 14848, 15360, 15872, 16384,};
// k_c per class, worked out from the README's definition (the least share of the MiniPage left
// after its last Segment among 1 to 16 slots of at most 128 Segments, the fewest on a tie).
constexpr std::size_t kDocumentedSlots8[] = {
    1,   1,   1,   1,   1,   3,   2,   1,   3,   5,   4,   3,   3,   7,   1,   1,   9,   5,   11,  3,
    13,  7,   15,  1,   9,   5,   11,  3,   13,  7,   15,  1,   9,   5,   11,  3,   13,  7,   15,  1,
    8,   9,   3,   5,   2,   11,  13,  3,   11,  13,  11,  7,   10,  15,  1,   1,   16,  9,   6,   5,
    4,   11,  13,  3,   11,  13,  12,  7,   11,  15,  2,   2,   15,  9,   12,  5,   8,   11,  3,   3,
    16,  13,  7,   7,   11,  15,  4,   4,   13,  9,   5,   5,   16,  11,  6,   6,   13,  13,  7,   7,
    15,  15,  8,   8,};
// Segments per MiniPage: floor(2048 k_c / size).
constexpr std::size_t kDocumentedSegments8[] = {
    256,  128,  85,   64,   51,   128,  73,   32,   85,   128,  93,   64,   59,   128,  17,   16,
    128,  64,   128,  32,   128,  64,   128,  8,    64,   32,   64,   16,   64,   32,   64,   4,
    32,   16,   32,   8,    32,   16,   32,   2,    15,   16,   5,    8,    3,    16,   18,   4,
    14,   16,   13,   8,    11,   16,   1,    1,    15,   8,    5,    4,    3,    8,    9,    2,
    7,    8,    7,    4,    6,    8,    1,    1,    7,    4,    5,    2,    3,    4,    1,    1,
    5,    4,    2,    2,    3,    4,    1,    1,    3,    2,    1,    1,    3,    2,    1,    1,
    2,    2,    1,    1,    2,    2,    1,    1,};
// The documented row of a class size in the 8 table (every 16-table size is in it).
std::size_t documented_row(std::size_t size) {
  return static_cast<std::size_t>(
      std::find(std::begin(kDocumentedSizes8), std::end(kDocumentedSizes8), size) -
      std::begin(kDocumentedSizes8));
}

// The 16 table: the 8 table without its odd multiples of 8 (24, 40, ..., 120), 97 classes.
std::vector<std::size_t> documented_table_align16() {
  std::vector<std::size_t> sizes;
  for (std::size_t size : kDocumentedSizes8) {
    if (size == 8 || size % 16 == 0) sizes.push_back(size);
  }
  return sizes;
}

std::vector<std::size_t> this_targets_documented_table() {
  if (kMaxAlign == 8) return {std::begin(kDocumentedSizes8), std::end(kDocumentedSizes8)};
  return documented_table_align16();
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
  ASSERT_EQ(kClassSizesAlign8.size(), 104U);
  for (std::size_t c = 0; c < kClassSizesAlign8.size(); ++c) {
    EXPECT_EQ(kClassSizesAlign8[c], kDocumentedSizes8[c]) << "class " << c;
  }
}

// The rows above agree with the definitions: k_c leaves the least share unused, the Segments
// are floor(2048 k_c / size); 16 slots and 128 Segments at most (256 for class 8).
TEST(SizeClassTest, Align8DocumentedRowsFollowTheirDefinitions) {
  ASSERT_EQ(std::size(kDocumentedSlots8), std::size(kDocumentedSizes8));
  ASSERT_EQ(std::size(kDocumentedSegments8), std::size(kDocumentedSizes8));
  for (std::size_t c = 0; c < std::size(kDocumentedSizes8); ++c) {
    std::size_t size = kDocumentedSizes8[c];
    std::size_t slots = kDocumentedSlots8[c];
    std::size_t segments = kDocumentedSegments8[c];
    EXPECT_EQ(slots, mini_page_slots_of(size)) << "size " << size;
    // The allocator's own choice, also on hosts, whose builds use the 16 table.
    EXPECT_EQ(slots, mini_page_slots_for_size(size)) << "size " << size;
    EXPECT_LE(segments * size, slots * 2048) << "size " << size;
    EXPECT_GT((segments + 1) * size, slots * 2048) << "size " << size;
    EXPECT_LE(slots, 16U) << "size " << size;
    EXPECT_LE(segments, size == 8 ? 256U : 128U) << "size " << size;
    EXPECT_GE(segments, 1U) << "size " << size;
  }
}

// The examples the specification names: "24 bytes, 1 slot, 85 Segments; 88 bytes, 4 slots, 93
// Segments; 240 bytes, 15 slots, 128 Segments; 1088 bytes, 8 slots, 15 Segments; 4096 bytes, 2
// slots, 1 Segment; 9728 bytes, 5 slots, 1 Segment".
TEST(SizeClassTest, MiniPageSlotsNamedByTheSpecification) {
  struct Example {
    std::size_t size, slots, segments;
  };
  for (Example e : {Example{8, 1, 256}, Example{24, 1, 85}, Example{88, 4, 93},
                    Example{240, 15, 128}, Example{1088, 8, 15}, Example{4096, 2, 1},
                    Example{9728, 5, 1}}) {
    std::size_t c = documented_row(e.size);
    ASSERT_LT(c, std::size(kDocumentedSizes8)) << e.size;
    EXPECT_EQ(kDocumentedSlots8[c], e.slots) << "size " << e.size;
    EXPECT_EQ(kDocumentedSegments8[c], e.segments) << "size " << e.size;
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
  EXPECT_EQ(kMaxMiniPageSlots, 16U);
}

TEST(SizeClassTest, Align16TableIsAlign8TableWithoutOddMultiplesOf8) {
  std::vector<std::size_t> derived = documented_table_align16();
  ASSERT_EQ(derived.size(), 97U);
  ASSERT_EQ(kClassSizesAlign16.size(), derived.size());
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
  for (std::size_t size : {24, 40, 56, 72, 88, 104, 120}) {
    EXPECT_NE(size % expected_alignment(size, 16), 0U) << size;
  }
}

// "9728 bytes, 5 slots, 1 Segment, 512 unused (the most, 5%)": no MiniPage leaves more.
TEST(SizeClassTest, NoMiniPageLeavesMoreThanFivePercentUnused) {
  for (std::size_t c = 0; c < kClassCount; ++c) {
    std::size_t bytes = mini_page_slots(c) * 2048;
    std::size_t unused = bytes - segments_per_mini_page(c) * class_size(c);
    EXPECT_LE(unused * 20, bytes) << "class size " << class_size(c);
  }
}

// Eight classes in each doubling from 128 to 1024 (and from 64 on the 8 table) and sixteen in
// each from 1024 to 16384; so a request is served at most an eighth (a sixteenth) above its size.
TEST(SizeClassTest, StepsPerDoublingBoundTheRounding) {
  auto classes_in = [](auto& sizes, std::size_t low) {
    return std::count_if(std::begin(sizes), std::end(sizes),
                         [&](std::size_t size) { return size > low && size <= 2 * low; });
  };
  auto check = [&](auto& sizes, std::size_t eighths_from) {
    for (std::size_t low = eighths_from; low < 1024; low *= 2) {
      EXPECT_EQ(classes_in(sizes, low), 8) << "(" << low << ", " << 2 * low << "]";
    }
    for (std::size_t low = 1024; low < 16384; low *= 2) {
      EXPECT_EQ(classes_in(sizes, low), 16) << "(" << low << ", " << 2 * low << "]";
    }
    for (std::size_t request = eighths_from + 1; request <= 1024; ++request) {
      std::size_t served = served_by(sizes, request);
      ASSERT_NE(served, 0U);
      ASSERT_LE(served * 8, request * 9) << "request " << request << " served by " << served;
    }
    for (std::size_t request = 1025; request <= 16384; ++request) {
      std::size_t served = served_by(sizes, request);
      ASSERT_NE(served, 0U);
      ASSERT_LE(served * 16, request * 17) << "request " << request << " served by " << served;
    }
  };
  check(kClassSizesAlign8, 64);
  check(kClassSizesAlign16, 128);
  EXPECT_EQ(classes_in(kClassSizesAlign16, 64), 4);  // 80 96 112 128: steps of 16
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
    std::size_t page_bytes = mini_page_slots_of(segment_size) * 2048;
    for (std::size_t offset = 0; offset + segment_size <= page_bytes; offset += segment_size) {
      ASSERT_EQ(offset % alignment, 0U) << "size " << size << " offset " << offset;
    }
  }
}

TEST(SizeClassTest, SegmentsPerMiniPageIsFloorOfItsBytesBySize) {
  for (std::size_t c = 0; c < kClassCount; ++c) {
    std::size_t size = class_size(c);
    std::size_t bytes = mini_page_slots_of(size) * 2048;
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
  detail::ensure_class_tables();
  for (unsigned c = 0; c < kClassCount; ++c) {
    std::size_t size = class_size(c);
    std::size_t bytes = mini_page_slots_of(size) * 2048;
    for (std::size_t offset = 0; offset < bytes; ++offset) {
      ASSERT_EQ(detail::segment_of_offset(offset, c), offset / size)
          << "class " << c << " (" << size << " bytes), offset " << offset;
      ASSERT_EQ(detail::is_segment_start(offset, c), offset % size == 0)
          << "class " << c << " (" << size << " bytes), offset " << offset;
    }
  }
}

// The run-time copies (ClassTables, written the first time a MiniPage is made) hold what the
// constant tables hold, class by class.
TEST(SizeClassTest, RunTimeTablesHoldTheConstantTables) {
  detail::ensure_class_tables();
  EXPECT_EQ(detail::class_tables.state, detail::kClassTablesReady);
  for (unsigned c = 0; c < kClassCount; ++c) {
    EXPECT_EQ(detail::class_tables.segment_reciprocal[c], detail::kSegmentReciprocal[c]) << c;
    EXPECT_EQ(detail::mini_page_slot_count(c), detail::kMiniPageSlots[c]) << "class " << c;
    EXPECT_EQ(detail::segments_in(c), segments_per_mini_page(c)) << "class " << c;
    const auto& shape = detail::bitmap_shape(c);
    const auto& expected = detail::kBitmapShape[c];
    EXPECT_EQ(shape.first_shift, expected.first_shift) << "class " << c;
    EXPECT_EQ(shape.last_word, expected.last_word) << "class " << c;
    EXPECT_EQ(shape.last_shift, expected.last_shift) << "class " << c;
    EXPECT_EQ(shape.last_segment, expected.last_segment) << "class " << c;
  }
}

}  // namespace
}  // namespace alligator
