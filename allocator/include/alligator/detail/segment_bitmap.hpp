// The segment bitmap of one MiniPage: bit i is set while Segment i is handed out.
//
// 256 bits cover the largest Segment count (2048 / 8). Bits at and above the MiniPage's Segment
// count are always clear; validate() checks it. The bitmap is the truth about which Segments are
// live: live counts, "full" and "empty" are derived from it rather than stored beside it.
#pragma once

#include <alligator/detail/bits.hpp>
#include <alligator/size_classes.hpp>

#include <cstdint>

namespace alligator::detail {

class SegmentBitmap {
 public:
  static constexpr unsigned kWords = kMaxSegmentsPerMiniPage / 64;

  void clear_all() {
    for (auto& word : words_) word = 0;
  }
  bool test(unsigned segment) const { return (words_[segment / 64] >> (segment % 64)) & 1U; }
  void set(unsigned segment) { words_[segment / 64] |= std::uint64_t{1} << (segment % 64); }
  void reset(unsigned segment) { words_[segment / 64] &= ~(std::uint64_t{1} << (segment % 64)); }

  bool empty() const { return (words_[0] | words_[1] | words_[2] | words_[3]) == 0; }
  unsigned count() const {
    return population_count(words_[0]) + population_count(words_[1]) +
           population_count(words_[2]) + population_count(words_[3]);
  }

  // Calls visit(segment) for each clear bit below `segments`, highest index first.
  // Bounded by kWords words and one call per clear bit (at most 256).
  template <class Visit>
  void for_each_clear_descending(unsigned segments, Visit&& visit) const {
    for (unsigned word = kWords; word-- > 0;) {
      unsigned first = word * 64;
      if (first >= segments) continue;
      unsigned width = segments - first < 64 ? segments - first : 64;
      std::uint64_t valid = width == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << width) - 1;
      std::uint64_t clear = ~words_[word] & valid;
      while (clear != 0) {
        unsigned bit = highest_set_bit(clear);
        visit(first + bit);
        clear &= ~(std::uint64_t{1} << bit);
      }
    }
  }

  const std::uint64_t* words() const { return words_; }

 private:
  std::uint64_t words_[kWords];
};

}  // namespace alligator::detail
