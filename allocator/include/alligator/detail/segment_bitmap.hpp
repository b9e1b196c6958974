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
  // segments - 1, and the shifts that make the masks of word 0's bits below `segments` (all of
  // them unless word 0 is the last) and of the last word's: ~Word{0} >> shift. Word 0 comes
  // first, so the common MiniPage of one word is served without a loop. Per class in
  // kBitmapShape, four bytes each (whole masks would take 24, 1.4 KB of data in all).
  struct Shape {
    std::uint8_t first_shift;
    std::uint8_t last_word;
    std::uint8_t last_shift;
    std::uint8_t unused = 0;
  };
  static constexpr Shape shape(unsigned segments) {
    auto last = static_cast<std::uint8_t>((segments - 1) / kWordBits);
    auto last_shift = static_cast<std::uint8_t>((last + 1) * kWordBits - segments);
    return {last == 0 ? last_shift : std::uint8_t{0}, last, last_shift};
  }
  static constexpr Word first_mask(const Shape& shape) { return ~Word{0} >> shape.first_shift; }
  static constexpr Word last_mask(const Shape& shape) { return ~Word{0} >> shape.last_shift; }

  // The lowest clear bit below the MiniPage's Segment count, which it sets; kNoSegment when
  // every one is set. The current MiniPage serves its class this way, so fresh MiniPages and
  // spares made current hand out their Segments in address order. Constant time: at most kWords
  // words (4 on wasm32 and x86_64, 8 on i686), and only the smallest classes have more than one.
  static constexpr unsigned kNoSegment = ~0U;
  unsigned take_lowest_clear(const Shape& shape) {
    if (Word clear = ~words_[0] & first_mask(shape); clear != 0) return take(0, clear);
    for (unsigned word = 1; word < shape.last_word; ++word) {
      if (Word clear = ~words_[word]; clear != 0) return take(word, clear);
    }
    if (shape.last_word == 0) return kNoSegment;
    Word clear = ~words_[shape.last_word] & last_mask(shape);
    return clear != 0 ? take(shape.last_word, clear) : kNoSegment;
  }
  // Whether a bit below the Segment count is clear (the MiniPage is not full). Same bound.
  bool has_clear(const Shape& shape) const {
    if ((~words_[0] & first_mask(shape)) != 0) return true;
    for (unsigned word = 1; word < shape.last_word; ++word) {
      if (~words_[word] != 0) return true;
    }
    return shape.last_word != 0 && (~words_[shape.last_word] & last_mask(shape)) != 0;
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
static_assert(sizeof(SegmentBitmap::Shape) == 4);
inline constexpr auto kBitmapShape = [] {
  std::array<SegmentBitmap::Shape, kClassCount> table{};
  for (std::size_t size_class = 0; size_class < kClassCount; ++size_class) {
    table[size_class] =
        SegmentBitmap::shape(static_cast<unsigned>(segments_per_mini_page(size_class)));
  }
  return table;
}();

}  // namespace alligator::detail
