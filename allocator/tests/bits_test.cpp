// Known answers for the bit helpers (bits.hpp), on 32- and 64-bit values, edges included: bit 0,
// bit 31 (the top of a uint32_t, and of size_t on wasm32 and i686) and bit 63. Beyond the fixed
// answers, every helper is compared with a naive bit-by-bit loop over every single-bit and
// two-bit value and a deterministic pseudo-random sample.
#include <alligator/detail/bits.hpp>

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <limits>

namespace alligator::detail {
namespace {

// Naive references: one bit at a time, nothing shared with <bit>.
unsigned naive_lowest(std::uint64_t value) {
  unsigned index = 0;
  while (((value >> index) & 1U) == 0) ++index;
  return index;
}
unsigned naive_highest(std::uint64_t value) {
  unsigned index = 63;
  while (((value >> index) & 1U) == 0) --index;
  return index;
}
unsigned naive_count(std::uint64_t value) {
  unsigned count = 0;
  for (unsigned index = 0; index < 64; ++index) count += (value >> index) & 1U;
  return count;
}

// xorshift64: a fixed sequence, so failures reproduce.
std::uint64_t next_random(std::uint64_t& state) {
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return state;
}

TEST(BitsTest, LowestSetBitKnownAnswers64) {
  EXPECT_EQ(lowest_set_bit(std::uint64_t{1}), 0U);
  EXPECT_EQ(lowest_set_bit(std::uint64_t{2}), 1U);
  EXPECT_EQ(lowest_set_bit(std::uint64_t{3}), 0U);
  EXPECT_EQ(lowest_set_bit(std::uint64_t{12}), 2U);
  EXPECT_EQ(lowest_set_bit(std::uint64_t{0x80000000}), 31U);
  EXPECT_EQ(lowest_set_bit(std::uint64_t{0x100000000}), 32U);
  EXPECT_EQ(lowest_set_bit(std::uint64_t{0x8000000000000000}), 63U);
  EXPECT_EQ(lowest_set_bit(~std::uint64_t{0}), 0U);
  EXPECT_EQ(lowest_set_bit(std::uint64_t{0xFFFFFFFF00000000}), 32U);
  EXPECT_EQ(lowest_set_bit(std::uint64_t{0x8000000000000001}), 0U);
  EXPECT_EQ(lowest_set_bit(std::uint64_t{0xC000000000000000}), 62U);
}

TEST(BitsTest, LowestSetBitKnownAnswers32) {
  EXPECT_EQ(lowest_set_bit(std::uint32_t{1}), 0U);
  EXPECT_EQ(lowest_set_bit(std::uint32_t{6}), 1U);
  EXPECT_EQ(lowest_set_bit(std::uint32_t{0x80000000}), 31U);
  EXPECT_EQ(lowest_set_bit(std::uint32_t{0xFFFFFFFF}), 0U);
  EXPECT_EQ(lowest_set_bit(std::uint32_t{0xFFFF0000}), 16U);
  EXPECT_EQ(lowest_set_bit(std::uint32_t{0x80000001}), 0U);
}

TEST(BitsTest, HighestSetBitKnownAnswers64) {
  EXPECT_EQ(highest_set_bit(std::uint64_t{1}), 0U);
  EXPECT_EQ(highest_set_bit(std::uint64_t{2}), 1U);
  EXPECT_EQ(highest_set_bit(std::uint64_t{3}), 1U);
  EXPECT_EQ(highest_set_bit(std::uint64_t{2047}), 10U);
  EXPECT_EQ(highest_set_bit(std::uint64_t{2048}), 11U);
  EXPECT_EQ(highest_set_bit(std::uint64_t{0x80000000}), 31U);
  EXPECT_EQ(highest_set_bit(std::uint64_t{0xFFFFFFFF}), 31U);
  EXPECT_EQ(highest_set_bit(std::uint64_t{0x100000000}), 32U);
  EXPECT_EQ(highest_set_bit(std::uint64_t{0x8000000000000000}), 63U);
  EXPECT_EQ(highest_set_bit(~std::uint64_t{0}), 63U);
  EXPECT_EQ(highest_set_bit(std::uint64_t{0x8000000000000001}), 63U);
}

TEST(BitsTest, HighestSetBitKnownAnswers32) {
  EXPECT_EQ(highest_set_bit(std::uint32_t{1}), 0U);
  EXPECT_EQ(highest_set_bit(std::uint32_t{5}), 2U);
  EXPECT_EQ(highest_set_bit(std::uint32_t{64}), 6U);
  EXPECT_EQ(highest_set_bit(std::uint32_t{65}), 6U);
  EXPECT_EQ(highest_set_bit(std::uint32_t{0x80000000}), 31U);
  EXPECT_EQ(highest_set_bit(std::uint32_t{0xFFFFFFFF}), 31U);
  EXPECT_EQ(highest_set_bit(std::uint32_t{0x0001FFFF}), 16U);
  // 2^21, the slot count of wasm32's 4 GiB: the span bins rely on this one.
  EXPECT_EQ(highest_set_bit(std::uint32_t{1} << 21), 21U);
}

TEST(BitsTest, PopulationCountKnownAnswers) {
  EXPECT_EQ(population_count(std::uint64_t{0}), 0U);
  EXPECT_EQ(population_count(std::uint64_t{1}), 1U);
  EXPECT_EQ(population_count(std::uint64_t{0x8000000000000000}), 1U);
  EXPECT_EQ(population_count(std::uint64_t{0x8000000000000001}), 2U);
  EXPECT_EQ(population_count(std::uint64_t{0xFF}), 8U);
  EXPECT_EQ(population_count(std::uint64_t{0xFFFFFFFF}), 32U);
  EXPECT_EQ(population_count(std::uint64_t{0xFFFFFFFF00000000}), 32U);
  EXPECT_EQ(population_count(~std::uint64_t{0}), 64U);
  EXPECT_EQ(population_count(std::uint64_t{0xAAAAAAAAAAAAAAAA}), 32U);
  EXPECT_EQ(population_count(std::uint64_t{0x0123456789ABCDEF}), 32U);
  // A 32-bit argument widens without sign extension.
  EXPECT_EQ(population_count(std::uint32_t{0x80000000}), 1U);
  EXPECT_EQ(population_count(std::uint32_t{0xFFFFFFFF}), 32U);
}

TEST(BitsTest, IsPowerOfTwoKnownAnswers) {
  EXPECT_FALSE(is_power_of_two(0));
  EXPECT_TRUE(is_power_of_two(1));
  EXPECT_TRUE(is_power_of_two(2));
  EXPECT_FALSE(is_power_of_two(3));
  EXPECT_TRUE(is_power_of_two(4));
  EXPECT_FALSE(is_power_of_two(6));
  EXPECT_FALSE(is_power_of_two(24));
  EXPECT_TRUE(is_power_of_two(2048));
  EXPECT_FALSE(is_power_of_two(2049));
  EXPECT_TRUE(is_power_of_two(65536));
  EXPECT_TRUE(is_power_of_two(std::size_t{1} << 31));
  EXPECT_FALSE(is_power_of_two((std::size_t{1} << 31) + 1));
  EXPECT_FALSE(is_power_of_two((std::size_t{1} << 31) - 1));
  EXPECT_FALSE(is_power_of_two(std::numeric_limits<std::size_t>::max()));
  constexpr std::size_t top = std::size_t{1} << (sizeof(std::size_t) * 8 - 1);
  EXPECT_TRUE(is_power_of_two(top));
  EXPECT_FALSE(is_power_of_two(top | 1));
}

TEST(BitsTest, IsPowerOfTwoMatchesEnumerationUpTo65536) {
  // The powers of two, listed by doubling; everything else below 2^16 + 1 is not one.
  bool power[65537] = {};
  for (std::size_t p = 1; p <= 65536; p *= 2) power[p] = true;
  for (std::size_t value = 0; value <= 65536; ++value) {
    ASSERT_EQ(is_power_of_two(value), power[value]) << "value " << value;
  }
}

TEST(BitsTest, AlignUpKnownAnswers) {
  EXPECT_EQ(align_up(0, 1), 0U);
  EXPECT_EQ(align_up(7, 1), 7U);
  EXPECT_EQ(align_up(0, 8), 0U);
  EXPECT_EQ(align_up(1, 8), 8U);
  EXPECT_EQ(align_up(7, 8), 8U);
  EXPECT_EQ(align_up(8, 8), 8U);
  EXPECT_EQ(align_up(9, 8), 16U);
  EXPECT_EQ(align_up(2049, 2048), 4096U);
  EXPECT_EQ(align_up(65535, 65536), 65536U);
  EXPECT_EQ(align_up(65537, 65536), 131072U);
  EXPECT_EQ(align_up(1, std::size_t{1} << 31), std::size_t{1} << 31);
  // Close to the top of size_t: the precondition (no overflow) holds, the answer is exact.
  constexpr std::size_t max = std::numeric_limits<std::size_t>::max();
  EXPECT_EQ(align_up(max - 20, 16), max - 15);
  EXPECT_EQ(align_up(max - 15, 16), max - 15);
  EXPECT_EQ(align_up(max, 1), max);
}

TEST(BitsTest, AlignUpIsSmallestMultipleNotBelow) {
  for (std::size_t alignment = 1; alignment <= 4096; alignment *= 2) {
    for (std::size_t value = 0; value <= 3 * 4096; ++value) {
      std::size_t aligned = align_up(value, alignment);
      ASSERT_EQ(aligned % alignment, 0U) << value << " to " << alignment;
      ASSERT_GE(aligned, value) << value << " to " << alignment;
      ASSERT_LT(aligned - value, alignment) << value << " to " << alignment;
    }
  }
}

TEST(BitsTest, EverySingleAndDoubleBitMatchesNaive64) {
  for (unsigned low = 0; low < 64; ++low) {
    std::uint64_t single = std::uint64_t{1} << low;
    ASSERT_EQ(lowest_set_bit(single), low);
    ASSERT_EQ(highest_set_bit(single), low);
    ASSERT_EQ(population_count(single), 1U);
    for (unsigned high = low + 1; high < 64; ++high) {
      std::uint64_t pair = single | (std::uint64_t{1} << high);
      ASSERT_EQ(lowest_set_bit(pair), low) << low << "," << high;
      ASSERT_EQ(highest_set_bit(pair), high) << low << "," << high;
      ASSERT_EQ(population_count(pair), 2U) << low << "," << high;
    }
  }
}

TEST(BitsTest, EverySingleAndDoubleBitMatchesNaive32) {
  for (unsigned low = 0; low < 32; ++low) {
    std::uint32_t single = std::uint32_t{1} << low;
    ASSERT_EQ(lowest_set_bit(single), low);
    ASSERT_EQ(highest_set_bit(single), low);
    for (unsigned high = low + 1; high < 32; ++high) {
      std::uint32_t pair = single | (std::uint32_t{1} << high);
      ASSERT_EQ(lowest_set_bit(pair), low) << low << "," << high;
      ASSERT_EQ(highest_set_bit(pair), high) << low << "," << high;
    }
  }
}

TEST(BitsTest, RandomValuesMatchNaive) {
  std::uint64_t state = 0x9E3779B97F4A7C15;
  for (int i = 0; i < 100000; ++i) {
    std::uint64_t value = next_random(state);
    // Thin some values out so low and high bit counts are both exercised.
    if (i % 3 == 1) value &= next_random(state);
    if (i % 3 == 2) value |= next_random(state);
    if (value == 0) continue;
    ASSERT_EQ(lowest_set_bit(value), naive_lowest(value)) << std::hex << value;
    ASSERT_EQ(highest_set_bit(value), naive_highest(value)) << std::hex << value;
    ASSERT_EQ(population_count(value), naive_count(value)) << std::hex << value;
    auto low_half = static_cast<std::uint32_t>(value);
    if (low_half != 0) {
      ASSERT_EQ(lowest_set_bit(low_half), naive_lowest(low_half)) << std::hex << low_half;
      ASSERT_EQ(highest_set_bit(low_half), naive_highest(low_half)) << std::hex << low_half;
    }
  }
}

}  // namespace
}  // namespace alligator::detail
