// Segregated free lists of free spans, indexed by span length in slots, found in constant time.
//
// The mapping is TLSF's two-level one: lengths below 64 slots (128 KiB) have a bin each; above,
// each power of two is split into 32 bins. Insertion files a span under the bin of its length (rounded down);
// a search for n slots starts at the bin of n rounded up to its bin's next boundary, so every
// span in any bin it finds is long enough ("good fit": at most 1/16 larger than needed, or the
// smallest larger size). Below 64 slots the fit is exact. Two levels of bitmaps find the first non-empty bin without a loop over
// bins. Links live in the slot descriptors (next/prev), never in the free memory itself.
#pragma once

#include <alligator/detail/bits.hpp>
#include <alligator/detail/slot_descriptor.hpp>

#include <cstdint>

namespace alligator::detail {

inline constexpr unsigned kBinSubdivisionBits = 5;
inline constexpr unsigned kBinSubdivisions = 1U << kBinSubdivisionBits;
// Lengths up to kMaxSlots (2^21): powers 5..21 above the 32 exact bins.
inline constexpr unsigned kBinCount = kBinSubdivisions + (22 - kBinSubdivisionBits) * kBinSubdivisions;
inline constexpr unsigned kBinWords = (kBinCount + 63) / 64;

// The bin a span of `slots` (>= 1) is filed under.
constexpr unsigned bin_of_length(std::uint32_t slots) {
  if (slots < kBinSubdivisions) return slots;
  unsigned power = highest_set_bit(slots);
  unsigned sub = (slots >> (power - kBinSubdivisionBits)) & (kBinSubdivisions - 1);
  return kBinSubdivisions + (power - kBinSubdivisionBits) * kBinSubdivisions + sub;
}

// The first bin whose every span holds at least `slots` (>= 1) slots.
constexpr unsigned first_bin_fitting(std::uint32_t slots) {
  if (slots < kBinSubdivisions) return slots;
  unsigned power = highest_set_bit(slots);
  std::uint32_t round = (std::uint32_t{1} << (power - kBinSubdivisionBits)) - 1;
  return bin_of_length(slots + round);
}

// The smallest length filed under `bin`, for validation.
constexpr std::uint32_t smallest_length_in_bin(unsigned bin) {
  if (bin < kBinSubdivisions) return bin;
  unsigned power = (bin - kBinSubdivisions) / kBinSubdivisions + kBinSubdivisionBits;
  unsigned sub = (bin - kBinSubdivisions) % kBinSubdivisions;
  return (std::uint32_t{1} << power) + (std::uint32_t{sub} << (power - kBinSubdivisionBits));
}

class SpanBins {
 public:
  std::uint32_t head(unsigned bin) const { return heads_[bin]; }
  void set_head(unsigned bin, std::uint32_t slot) {
    heads_[bin] = slot;
    std::uint64_t bit = std::uint64_t{1} << (bin % 64);
    if (slot == kNoSlot) {
      nonempty_[bin / 64] &= ~bit;
      if (nonempty_[bin / 64] == 0) nonempty_words_ &= ~(1U << (bin / 64));
    } else {
      nonempty_[bin / 64] |= bit;
      nonempty_words_ |= 1U << (bin / 64);
    }
  }
  // First non-empty bin at or after `bin`, or kBinCount. Two bitmap lookups, no loop over bins.
  unsigned first_nonempty_from(unsigned bin) const {
    if (bin >= kBinCount) return kBinCount;
    unsigned word = bin / 64;
    std::uint64_t here = nonempty_[word] & (~std::uint64_t{0} << (bin % 64));
    if (here != 0) return word * 64 + lowest_set_bit(here);
    std::uint32_t later = (nonempty_words_ >> (word + 1)) << (word + 1);
    if (later == 0) return kBinCount;
    unsigned next_word = lowest_set_bit(later);
    return next_word * 64 + lowest_set_bit(nonempty_[next_word]);
  }
  bool bin_marked_nonempty(unsigned bin) const { return (nonempty_[bin / 64] >> (bin % 64)) & 1U; }

 private:
  friend struct TestAccess;  // allocator/tests/heap_test_access.hpp (the validator's tests)

  std::uint32_t heads_[kBinCount] = {};
  std::uint64_t nonempty_[kBinWords] = {};
  std::uint32_t nonempty_words_ = 0;
};

}  // namespace alligator::detail
