// The executor's block contents (pattern.hpp): a block reads back as written at any phase, and
// the first wrong byte is found exactly wherever it lies: in a word or its tail, either side of
// the period's end, at any alignment of the block (on wasm and under Valgrind the checks compare
// 32 bytes a branch, then 8, then single bytes; elsewhere memcmp passes equal blocks first).
#include "../src/pattern.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <optional>
#include <vector>

namespace alligator::properties {
namespace {

constexpr std::size_t kPeriod = Pattern::kPeriod;
// Past two periods, ending in a partial word.
constexpr std::size_t kBlockBytes = 2 * kPeriod + 4099;

// Positions where a word-at-a-time loop could go wrong: the first and last words, each side of
// the period's end, and the tail shorter than a word.
std::vector<std::size_t> edge_positions(std::size_t bytes) {
  std::vector<std::size_t> positions;
  for (std::size_t i = 0; i < 17; ++i) positions.push_back(i);
  for (std::size_t i = kPeriod - 9; i < kPeriod + 9; ++i) positions.push_back(i);
  for (std::size_t i = bytes - 17; i < bytes; ++i) positions.push_back(i);
  return positions;
}

TEST(Pattern, ReadsBackAsWrittenAtEveryPhaseAndAlignment) {
  std::vector<std::byte> memory(kBlockBytes + 8);
  for (std::size_t offset = 0; offset < 8; ++offset) {
    for (std::size_t phase : {std::size_t{0}, std::size_t{7}, kPeriod - 3}) {
      for (std::size_t bytes : {std::size_t{0}, std::size_t{1}, std::size_t{7}, std::size_t{8},
                                std::size_t{9}, kPeriod, kBlockBytes}) {
        Pattern::write(memory.data() + offset, bytes, phase);
        EXPECT_EQ(Pattern::first_difference(memory.data() + offset, bytes, phase), std::nullopt)
            << "offset " << offset << ", phase " << phase << ", " << bytes << " bytes";
      }
    }
  }
}

TEST(Pattern, FindsTheFirstWrongByteWhereverItLies) {
  std::vector<std::byte> memory(kBlockBytes + 8);
  for (std::size_t offset : {std::size_t{0}, std::size_t{3}}) {
    std::byte* block = memory.data() + offset;
    const std::size_t phase = 11;
    Pattern::write(block, kBlockBytes, phase);
    for (std::size_t position : edge_positions(kBlockBytes)) {
      block[position] ^= std::byte{0x40};
      EXPECT_EQ(Pattern::first_difference(block, kBlockBytes, phase), position)
          << "offset " << offset;
      // A later wrong byte does not hide it.
      block[kBlockBytes - 1] ^= std::byte{0x01};
      EXPECT_EQ(Pattern::first_difference(block, kBlockBytes, phase), position)
          << "offset " << offset;
      block[kBlockBytes - 1] ^= std::byte{0x01};
      block[position] ^= std::byte{0x40};
    }
    // Read at another phase, the block is wrong from its first byte or close to it.
    EXPECT_NE(Pattern::first_difference(block, kBlockBytes, phase + 1), std::nullopt);
  }
}

TEST(Pattern, FindsTheFirstNonzeroByteWhereverItLies) {
  std::vector<std::byte> memory(kBlockBytes + 8);
  for (std::size_t offset : {std::size_t{0}, std::size_t{5}}) {
    std::byte* block = memory.data() + offset;
    EXPECT_EQ(Pattern::first_nonzero(block, kBlockBytes), std::nullopt);
    for (std::size_t position : edge_positions(kBlockBytes)) {
      block[position] = std::byte{0x80};
      EXPECT_EQ(Pattern::first_nonzero(block, kBlockBytes), position) << "offset " << offset;
      // Outside the range checked, it is not seen.
      EXPECT_EQ(Pattern::first_nonzero(block, position), std::nullopt) << "offset " << offset;
      block[position] = std::byte{0};
    }
  }
}

}  // namespace
}  // namespace alligator::properties
