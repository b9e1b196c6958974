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
  // Words of the target's native width: 64 bits on x86_64 and on wasm32 (whose i64 operations
  // are native), 32 on i686, where a 64-bit shift or test takes several instructions.
#if defined(__wasm__) || UINTPTR_MAX > 0xFFFFFFFFu
  using Word = std::uint64_t;
#else
  using Word = std::uint32_t;
#endif
  static constexpr unsigned kWordBits = sizeof(Word) * 8;
  static constexpr unsigned kWords = kMaxSegmentsPerMiniPage / kWordBits;

  void clear_all() {
    for (auto& word : words_) word = 0;
  }
  bool test(unsigned segment) const {
    return (words_[segment / kWordBits] >> (segment % kWordBits)) & 1U;
  }
  void set(unsigned segment) { words_[segment / kWordBits] |= Word{1} << (segment % kWordBits); }
  void reset(unsigned segment) {
    words_[segment / kWordBits] &= ~(Word{1} << (segment % kWordBits));
  }
  // Whether the word holding `segment` has any bit set: a cheap "not empty" that spares a free
  // the whole-bitmap scan unless the word it cleared is now zero.
  bool word_has_live(unsigned segment) const { return words_[segment / kWordBits] != 0; }

  bool empty() const {
    Word any = 0;
    for (Word word : words_) any |= word;
    return any == 0;
  }
  unsigned count() const {
    unsigned total = 0;
    for (Word word : words_) total += population_count(word);
    return total;
  }

  // Calls visit(segment) for each clear bit below `segments`, highest index first.
  // Bounded by kWords words and one call per clear bit (at most 256).
  // Precondition: segments <= 256. Only the last word needs a mask.
  template <class Visit>
  void for_each_clear_descending(unsigned segments, Visit&& visit) const {
    if (segments == 0) return;
    unsigned word = (segments - 1) / kWordBits;
    Word clear = ~words_[word] & (~Word{0} >> (kWordBits - (segments - word * kWordBits)));
    for (;;) {
      while (clear != 0) {
        unsigned bit = highest_set_bit(clear);
        visit(word * kWordBits + bit);
        clear ^= Word{1} << bit;
      }
      if (word == 0) return;
      clear = ~words_[--word];
    }
  }

  // Bits 64 i to 64 i + 63, whatever the word size (SpanView's layout).
  std::uint64_t word64(unsigned index) const {
    std::uint64_t bits = 0;
    for (unsigned part = 0; part < 64 / kWordBits; ++part) {
      bits |= std::uint64_t{words_[index * (64 / kWordBits) + part]} << (part * kWordBits);
    }
    return bits;
  }

 private:
  Word words_[kWords];
};

}  // namespace alligator::detail
