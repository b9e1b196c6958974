// SegmentBitmap (segment_bitmap.hpp): set/reset/test on all 256 bits, count and empty against a
// std::bitset reference, and for_each_clear_descending's order and bounds for every Segment count
// a MiniPage can have.
#include <alligator/detail/segment_bitmap.hpp>
#include <alligator/size_classes.hpp>

#include <gtest/gtest.h>

#include <bitset>
#include <cstdint>
#include <vector>

namespace alligator::detail {
namespace {

SegmentBitmap cleared() {
  SegmentBitmap bitmap;
  bitmap.clear_all();
  return bitmap;
}

std::uint64_t next_random(std::uint64_t& state) {
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return state;
}

// The clear bits below `segments`, highest first, read from a reference bitset.
std::vector<unsigned> expected_clear_descending(const std::bitset<256>& reference,
                                                unsigned segments) {
  std::vector<unsigned> clear;
  for (unsigned bit = segments; bit-- > 0;) {
    if (!reference.test(bit)) clear.push_back(bit);
  }
  return clear;
}

std::vector<unsigned> visited(const SegmentBitmap& bitmap, unsigned segments) {
  std::vector<unsigned> order;
  bitmap.for_each_clear_descending(segments, [&](unsigned segment) { order.push_back(segment); });
  return order;
}

TEST(SegmentBitmapTest, HoldsAllSegmentsOfTheSmallestClass) {
  EXPECT_EQ(SegmentBitmap::kWords * SegmentBitmap::kWordBits, 256U);
  EXPECT_GE(SegmentBitmap::kWords * SegmentBitmap::kWordBits, kMiniPageSize / kClassSizes[0]);
}

TEST(SegmentBitmapTest, ClearAllEmptiesEverything) {
  SegmentBitmap bitmap;
  // Fill first so clear_all has something to clear (the default state is unspecified).
  for (unsigned bit = 0; bit < 256; ++bit) bitmap.set(bit);
  bitmap.clear_all();
  EXPECT_TRUE(bitmap.empty());
  EXPECT_EQ(bitmap.count(), 0U);
  for (unsigned bit = 0; bit < 256; ++bit) EXPECT_FALSE(bitmap.test(bit)) << bit;
  for (unsigned word = 0; word < 4; ++word) EXPECT_EQ(bitmap.word64(word), 0U) << word;
}

TEST(SegmentBitmapTest, EachBitSetsAndResetsAlone) {
  for (unsigned bit = 0; bit < 256; ++bit) {
    SegmentBitmap bitmap = cleared();
    bitmap.set(bit);
    ASSERT_FALSE(bitmap.empty()) << bit;
    ASSERT_EQ(bitmap.count(), 1U) << bit;
    for (unsigned other = 0; other < 256; ++other) {
      ASSERT_EQ(bitmap.test(other), other == bit) << bit << " / " << other;
    }
    // Bit i lives in word i / 64 at position i % 64 (SpanView's documented layout).
    for (unsigned word = 0; word < 4; ++word) {
      std::uint64_t expected = word == bit / 64 ? std::uint64_t{1} << (bit % 64) : 0;
      ASSERT_EQ(bitmap.word64(word), expected) << bit;
    }
    bitmap.set(bit);  // idempotent
    ASSERT_EQ(bitmap.count(), 1U);
    bitmap.reset(bit);
    ASSERT_TRUE(bitmap.empty()) << bit;
    ASSERT_EQ(bitmap.count(), 0U) << bit;
    bitmap.reset(bit);  // idempotent
    ASSERT_TRUE(bitmap.empty()) << bit;
  }
}

TEST(SegmentBitmapTest, FullBitmapCounts256) {
  SegmentBitmap bitmap = cleared();
  for (unsigned bit = 0; bit < 256; ++bit) {
    bitmap.set(bit);
    ASSERT_EQ(bitmap.count(), bit + 1);
  }
  EXPECT_FALSE(bitmap.empty());
  for (unsigned bit = 0; bit < 256; ++bit) {
    bitmap.reset(bit);
    ASSERT_EQ(bitmap.count(), 255 - bit);
    ASSERT_EQ(bitmap.empty(), bit == 255);
  }
}

TEST(SegmentBitmapTest, RandomOperationsMatchABitset) {
  std::uint64_t state = 0x1234567887654321;
  SegmentBitmap bitmap = cleared();
  std::bitset<256> reference;
  for (int step = 0; step < 20000; ++step) {
    auto bit = static_cast<unsigned>(next_random(state) % 256);
    if (next_random(state) % 2 == 0) {
      bitmap.set(bit);
      reference.set(bit);
    } else {
      bitmap.reset(bit);
      reference.reset(bit);
    }
    ASSERT_EQ(bitmap.count(), reference.count()) << "step " << step;
    ASSERT_EQ(bitmap.empty(), reference.none()) << "step " << step;
    ASSERT_EQ(bitmap.test(bit), reference.test(bit)) << "step " << step;
  }
  for (unsigned bit = 0; bit < 256; ++bit) EXPECT_EQ(bitmap.test(bit), reference.test(bit));
}

TEST(SegmentBitmapTest, ClearDescendingOnEmptyBitmapVisitsAllBelowSegmentsInOrder) {
  SegmentBitmap bitmap = cleared();
  for (unsigned segments = 0; segments <= 256; ++segments) {
    std::vector<unsigned> order = visited(bitmap, segments);
    ASSERT_EQ(order.size(), segments);
    for (unsigned i = 0; i < segments; ++i) ASSERT_EQ(order[i], segments - 1 - i);
  }
}

TEST(SegmentBitmapTest, ClearDescendingOnFullBitmapVisitsNothing) {
  SegmentBitmap bitmap = cleared();
  for (unsigned bit = 0; bit < 256; ++bit) bitmap.set(bit);
  for (unsigned segments = 0; segments <= 256; ++segments) {
    EXPECT_TRUE(visited(bitmap, segments).empty()) << segments;
  }
}

TEST(SegmentBitmapTest, ClearDescendingIgnoresBitsAtAndAboveSegments) {
  // Only bit `segments - 1` is clear below the bound; everything above is clear too but must not
  // be visited. Word boundaries (63, 64, 127, 128, 191, 192) included.
  for (unsigned segments = 1; segments <= 256; ++segments) {
    SegmentBitmap bitmap = cleared();
    for (unsigned bit = 0; bit + 1 < segments; ++bit) bitmap.set(bit);
    std::vector<unsigned> order = visited(bitmap, segments);
    ASSERT_EQ(order.size(), 1U) << segments;
    EXPECT_EQ(order[0], segments - 1);
  }
}

TEST(SegmentBitmapTest, ClearDescendingMatchesReferenceForEveryClassSegmentCount) {
  std::uint64_t state = 0xDEADBEEFCAFEF00D;
  for (std::size_t size_class = 0; size_class < kClassCount; ++size_class) {
    auto segments = static_cast<unsigned>(segments_per_mini_page(size_class));
    for (int trial = 0; trial < 200; ++trial) {
      SegmentBitmap bitmap = cleared();
      std::bitset<256> reference;
      // Density varies by trial: sparse, half, dense.
      for (unsigned bit = 0; bit < segments; ++bit) {
        std::uint64_t draw = next_random(state) % 8;
        bool live = trial % 3 == 0 ? draw == 0 : trial % 3 == 1 ? draw < 4 : draw != 0;
        if (live) {
          bitmap.set(bit);
          reference.set(bit);
        }
      }
      ASSERT_EQ(visited(bitmap, segments), expected_clear_descending(reference, segments))
          << "class " << size_class << " trial " << trial;
    }
  }
}

TEST(SegmentBitmapTest, ClearDescendingAcrossWordBoundaries) {
  SegmentBitmap bitmap = cleared();
  for (unsigned bit = 0; bit < 256; ++bit) bitmap.set(bit);
  for (unsigned bit : {0U, 63U, 64U, 127U, 128U, 191U, 192U, 255U}) bitmap.reset(bit);
  EXPECT_EQ(visited(bitmap, 256), (std::vector<unsigned>{255, 192, 191, 128, 127, 64, 63, 0}));
  EXPECT_EQ(visited(bitmap, 192), (std::vector<unsigned>{191, 128, 127, 64, 63, 0}));
  EXPECT_EQ(visited(bitmap, 129), (std::vector<unsigned>{128, 127, 64, 63, 0}));
  EXPECT_EQ(visited(bitmap, 64), (std::vector<unsigned>{63, 0}));
  EXPECT_EQ(visited(bitmap, 63), (std::vector<unsigned>{0}));
  EXPECT_EQ(visited(bitmap, 1), (std::vector<unsigned>{0}));
  EXPECT_TRUE(visited(bitmap, 0).empty());
}

}  // namespace
}  // namespace alligator::detail
