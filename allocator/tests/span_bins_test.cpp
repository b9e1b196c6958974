// Span bins (span_bins.hpp). The length -> bin mapping is checked for every length a span can
// have (1 .. 2^21 slots, and on to 2^22 - 1 to cover the last bins), against the properties the
// header promises rather than its formulas:
//   - lengths below 64 slots have a bin each (exact fit);
//   - bin_of_length never decreases as the length grows;
//   - every span filed in first_bin_fitting(n)'s bin or above holds at least n slots, and the bin
//     just below holds some span shorter than n (it is the *first* such bin);
//   - the fit is good: first_bin_fitting(n)'s bin holds nothing longer than n + n/16;
//   - smallest_length_in_bin is the least length actually filed there.
// SpanBins' two-level bitmap search is compared with a linear scan over a reference bitset.
#include <alligator/detail/slot_descriptor.hpp>
#include <alligator/detail/span_bins.hpp>

#include <gtest/gtest.h>

#include <bitset>
#include <cstdint>
#include <vector>

namespace alligator::detail {
namespace {

constexpr std::uint32_t kLongestLength = (std::uint32_t{1} << 22) - 1;

// Least and greatest length filed under each bin, over every length 1 .. kLongestLength.
struct BinRanges {
  std::vector<std::uint32_t> least = std::vector<std::uint32_t>(kBinCount, 0);
  std::vector<std::uint32_t> greatest = std::vector<std::uint32_t>(kBinCount, 0);
  bool monotonic = true;
  std::uint32_t first_out_of_range = 0;  // a length whose bin is >= kBinCount, or 0
};

const BinRanges& bin_ranges() {
  static const BinRanges ranges = [] {
    BinRanges result;
    unsigned previous = 0;
    for (std::uint32_t length = 1; length <= kLongestLength; ++length) {
      unsigned bin = bin_of_length(length);
      if (bin >= kBinCount) {
        if (result.first_out_of_range == 0) result.first_out_of_range = length;
        continue;
      }
      if (bin < previous) result.monotonic = false;
      previous = bin;
      if (result.least[bin] == 0) result.least[bin] = length;
      result.greatest[bin] = length;
    }
    return result;
  }();
  return ranges;
}

TEST(SpanBinsTest, BinCountCoversTheWasm32AddressSpace) {
  EXPECT_EQ(kMaxSlots, std::uint32_t{1} << 21);
  EXPECT_LT(bin_of_length(kMaxSlots), kBinCount);
  EXPECT_LT(first_bin_fitting(kMaxSlots), kBinCount);
  EXPECT_EQ(kBinWords * 64, (kBinCount + 63) / 64 * 64);
  EXPECT_EQ(bin_ranges().first_out_of_range, 0U) << "a length below 2^22 has no bin";
}

TEST(SpanBinsTest, LengthsBelow64HaveABinEach) {
  for (std::uint32_t length = 1; length < 64; ++length) {
    EXPECT_EQ(bin_of_length(length), length) << length;
    EXPECT_EQ(first_bin_fitting(length), length) << length;
    EXPECT_EQ(bin_ranges().least[length], length);
    EXPECT_EQ(bin_ranges().greatest[length], length);
  }
  EXPECT_GT(bin_of_length(64), bin_of_length(63));
}

TEST(SpanBinsTest, BinOfLengthNeverDecreases) { EXPECT_TRUE(bin_ranges().monotonic); }

TEST(SpanBinsTest, EveryBinIsUsedAndSmallestLengthIsTheLeastFiled) {
  const BinRanges& ranges = bin_ranges();
  for (unsigned bin = 1; bin < kBinCount; ++bin) {
    ASSERT_NE(ranges.least[bin], 0U) << "bin " << bin << " holds no length";
    EXPECT_EQ(smallest_length_in_bin(bin), ranges.least[bin]) << "bin " << bin;
    if (bin + 1 < kBinCount) {
      EXPECT_EQ(ranges.greatest[bin] + 1, ranges.least[bin + 1]) << "bins are contiguous at " << bin;
    }
  }
  EXPECT_EQ(ranges.greatest[kBinCount - 1], kLongestLength);
}

// Bins split each power of two into 32: a bin of lengths in [2^p, 2^(p+1)) spans 2^(p-5).
TEST(SpanBinsTest, BinWidthsAreAThirtySecondOfTheirPowerOfTwo) {
  const BinRanges& ranges = bin_ranges();
  for (unsigned bin = 64; bin < kBinCount; ++bin) {
    std::uint32_t least = ranges.least[bin];
    std::uint32_t power_of_two = 1;
    while (power_of_two * 2 <= least) power_of_two *= 2;
    EXPECT_EQ(ranges.greatest[bin] - least + 1, power_of_two / 32) << "bin " << bin;
  }
}

TEST(SpanBinsTest, FirstBinFittingHoldsOnlyLongEnoughSpansAndIsTheFirstSuch) {
  const BinRanges& ranges = bin_ranges();
  for (std::uint32_t slots = 1; slots <= kMaxSlots; ++slots) {
    unsigned bin = first_bin_fitting(slots);
    ASSERT_LT(bin, kBinCount) << slots;
    ASSERT_GE(bin, bin_of_length(slots)) << slots;
    // Bins only grow with length, so the least length in `bin` is the least in `bin` and above.
    ASSERT_GE(ranges.least[bin], slots) << "bin " << bin << " may hold a span too short for "
                                        << slots;
    // The bin below holds a length shorter than `slots`: no earlier bin would do.
    ASSERT_LT(ranges.least[bin - 1], slots) << "bin " << bin - 1 << " would fit " << slots;
  }
}

TEST(SpanBinsTest, FirstBinFittingIsAGoodFit) {
  const BinRanges& ranges = bin_ranges();
  for (std::uint32_t slots = 1; slots <= kMaxSlots; ++slots) {
    std::uint32_t greatest = ranges.greatest[first_bin_fitting(slots)];
    if (slots < 64) {
      ASSERT_EQ(greatest, slots) << slots;
    } else {
      ASSERT_LE(greatest, slots + slots / 16) << slots;
    }
  }
}

TEST(SpanBinsTest, FirstBinFittingNeverDecreases) {
  unsigned previous = 0;
  for (std::uint32_t slots = 1; slots <= kMaxSlots; ++slots) {
    unsigned bin = first_bin_fitting(slots);
    ASSERT_GE(bin, previous) << slots;
    previous = bin;
  }
}

// A length that is the least of its bin is found in its own bin.
TEST(SpanBinsTest, BinBoundaryLengthsFitTheirOwnBin) {
  for (unsigned bin = 1; bin < kBinCount; ++bin) {
    std::uint32_t least = bin_ranges().least[bin];
    if (least > kMaxSlots) break;
    EXPECT_EQ(first_bin_fitting(least), bin) << "bin " << bin;
    if (least > 1 && least - 1 >= 64) {
      EXPECT_EQ(first_bin_fitting(least - 1), bin) << "bin " << bin;
    }
  }
}

// --- SpanBins: heads and the non-empty search -------------------------------------------------

unsigned linear_first_nonempty(const std::bitset<kBinCount>& nonempty, unsigned from) {
  for (unsigned bin = from; bin < kBinCount; ++bin) {
    if (nonempty.test(bin)) return bin;
  }
  return kBinCount;
}

void expect_search_matches(const SpanBins& bins, const std::bitset<kBinCount>& nonempty) {
  for (unsigned from = 0; from <= kBinCount + 1; ++from) {
    ASSERT_EQ(bins.first_nonempty_from(from), linear_first_nonempty(nonempty, from))
        << "from " << from;
  }
  for (unsigned bin = 0; bin < kBinCount; ++bin) {
    ASSERT_EQ(bins.bin_marked_nonempty(bin), nonempty.test(bin)) << "bin " << bin;
  }
}

TEST(SpanBinsTest, EmptyBinsFindNothing) {
  SpanBins bins;
  for (unsigned from = 0; from <= kBinCount; ++from) {
    EXPECT_EQ(bins.first_nonempty_from(from), kBinCount) << from;
  }
  for (unsigned bin = 0; bin < kBinCount; ++bin) {
    EXPECT_EQ(bins.head(bin), kNoSlot);
    EXPECT_FALSE(bins.bin_marked_nonempty(bin));
  }
}

TEST(SpanBinsTest, HeadsAreStoredPerBin) {
  SpanBins bins;
  bins.set_head(3, 100);
  bins.set_head(64, 200);
  bins.set_head(kBinCount - 1, 300);
  EXPECT_EQ(bins.head(3), 100U);
  EXPECT_EQ(bins.head(64), 200U);
  EXPECT_EQ(bins.head(kBinCount - 1), 300U);
  EXPECT_EQ(bins.head(4), kNoSlot);
  bins.set_head(3, 101);  // replacing a head keeps the bin non-empty
  EXPECT_EQ(bins.head(3), 101U);
  EXPECT_TRUE(bins.bin_marked_nonempty(3));
  bins.set_head(3, kNoSlot);
  EXPECT_EQ(bins.head(3), kNoSlot);
  EXPECT_FALSE(bins.bin_marked_nonempty(3));
}

TEST(SpanBinsTest, SearchAcrossWordBoundaries) {
  SpanBins bins;
  std::bitset<kBinCount> nonempty;
  auto mark = [&](unsigned bin, bool on) {
    bins.set_head(bin, on ? bin + 1000 : kNoSlot);
    nonempty.set(bin, on);
  };

  mark(kBinCount - 1, true);  // the very last bin, in the last word
  EXPECT_EQ(bins.first_nonempty_from(0), kBinCount - 1);
  expect_search_matches(bins, nonempty);

  mark(64, true);  // first bin of word 1
  EXPECT_EQ(bins.first_nonempty_from(63), 64U);
  EXPECT_EQ(bins.first_nonempty_from(64), 64U);
  EXPECT_EQ(bins.first_nonempty_from(65), kBinCount - 1);
  expect_search_matches(bins, nonempty);

  mark(63, true);  // last bin of word 0
  EXPECT_EQ(bins.first_nonempty_from(0), 63U);
  expect_search_matches(bins, nonempty);

  // Emptying a whole word (bin 64 was its only bin) must make the search skip it.
  mark(64, false);
  EXPECT_EQ(bins.first_nonempty_from(64), kBinCount - 1);
  mark(63, false);
  EXPECT_EQ(bins.first_nonempty_from(0), kBinCount - 1);
  expect_search_matches(bins, nonempty);

  mark(kBinCount - 1, false);
  EXPECT_EQ(bins.first_nonempty_from(0), kBinCount);
  expect_search_matches(bins, nonempty);
}

TEST(SpanBinsTest, TwoBinsInOneWordThenOneEmptied) {
  SpanBins bins;
  bins.set_head(130, 7);
  bins.set_head(140, 8);
  bins.set_head(400, 9);
  EXPECT_EQ(bins.first_nonempty_from(0), 130U);
  EXPECT_EQ(bins.first_nonempty_from(131), 140U);
  bins.set_head(130, kNoSlot);  // word 2 still has bin 140
  EXPECT_EQ(bins.first_nonempty_from(0), 140U);
  EXPECT_EQ(bins.first_nonempty_from(141), 400U);
  bins.set_head(140, kNoSlot);  // word 2 is now empty
  EXPECT_EQ(bins.first_nonempty_from(0), 400U);
  EXPECT_EQ(bins.first_nonempty_from(401), kBinCount);
}

std::uint64_t next_random(std::uint64_t& state) {
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return state;
}

TEST(SpanBinsTest, RandomMarkingMatchesALinearScan) {
  std::uint64_t state = 0x0F1E2D3C4B5A6978;
  SpanBins bins;
  std::bitset<kBinCount> nonempty;
  for (int step = 0; step < 3000; ++step) {
    auto bin = static_cast<unsigned>(next_random(state) % kBinCount);
    // Mostly empty bins, so the search often crosses several empty words.
    bool on = next_random(state) % 4 == 0;
    bins.set_head(bin, on ? static_cast<std::uint32_t>(step + 1) : kNoSlot);
    nonempty.set(bin, on);
    if (step % 50 == 0) expect_search_matches(bins, nonempty);
    auto from = static_cast<unsigned>(next_random(state) % (kBinCount + 1));
    ASSERT_EQ(bins.first_nonempty_from(from), linear_first_nonempty(nonempty, from))
        << "step " << step << " from " << from;
  }
  expect_search_matches(bins, nonempty);
}

}  // namespace
}  // namespace alligator::detail
