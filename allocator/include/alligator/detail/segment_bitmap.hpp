// The segment bitmap of one MiniPage: bit i is set while Segment i is handed out.
//
// 256 bits cover the largest Segment count (2048 / 8). Bits at and above the MiniPage's Segment
// count are always clear; validate() checks it. The bitmap is the truth about which Segments are
// live: live counts, "full" and "empty" are derived from it rather than stored beside it.
#pragma once

#include <alligator/detail/bits.hpp>
#include <alligator/size_classes.hpp>

#include <array>
#include <cstddef>
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

  // Where a MiniPage of `segments` Segments (1 to 256) ends in its bitmap: the word holding bit
  // segments - 1, and the mask of that word's bits below `segments`. Per class in kBitmapShape.
  struct Shape {
    std::uint32_t last_word;
    Word last_mask;
  };
  static constexpr Shape shape(unsigned segments) {
    unsigned last = (segments - 1) / kWordBits;
    return {last, ~Word{0} >> ((last + 1) * kWordBits - segments)};
  }

  // The lowest clear bit below the MiniPage's Segment count, which it sets; kNoSegment when
  // every one is set. The current MiniPage serves its class this way, so fresh MiniPages and
  // spares made current hand out their Segments in address order. Constant time: at most kWords
  // words (4 on wasm32 and x86_64, 8 on i686), and only the smallest classes have more than one.
  static constexpr unsigned kNoSegment = ~0U;
  unsigned take_lowest_clear(const Shape& shape) {
    for (unsigned word = 0; word < shape.last_word; ++word) {
      if (Word clear = ~words_[word]; clear != 0) return take(word, clear);
    }
    Word clear = ~words_[shape.last_word] & shape.last_mask;
    return clear != 0 ? take(shape.last_word, clear) : kNoSegment;
  }
  // Whether a bit below the Segment count is clear (the MiniPage is not full). Same bound.
  bool has_clear(const Shape& shape) const {
    for (unsigned word = 0; word < shape.last_word; ++word) {
      if (~words_[word] != 0) return true;
    }
    return (~words_[shape.last_word] & shape.last_mask) != 0;
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
  unsigned take(unsigned word, Word clear) {
    unsigned bit = lowest_set_bit(clear);
    words_[word] |= Word{1} << bit;
    return word * kWordBits + bit;
  }

  Word words_[kWords];
};

// Each class's SegmentBitmap::Shape, looked up rather than computed on every allocation.
inline constexpr auto kBitmapShape = [] {
  std::array<SegmentBitmap::Shape, kClassCount> table{};
  for (std::size_t size_class = 0; size_class < kClassCount; ++size_class) {
    table[size_class] =
        SegmentBitmap::shape(static_cast<unsigned>(segments_per_mini_page(size_class)));
  }
  return table;
}();

}  // namespace alligator::detail
