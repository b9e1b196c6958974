// The segment bitmap of one MiniPage: bit i is set while Segment i is handed out.
//
// 256 bits cover the largest Segment count (2048 / 8). Bits at and above the MiniPage's Segment
// count are clear, but for the cached marks: in a MiniPage of at most 128 Segments (every class
// but 8 bytes), bit 128 + i set says that Segment i, live, is held by a thread cache
// (allocator/README.md, Threads). Marks are set only while stats and validate hold every cache
// (ThreadCachesHeld, which sets and then clears them): never otherwise, and never in a heap
// without thread caches. validate() checks both. The bitmap is the truth about which Segments
// are live: live counts, "full" and "empty" are derived from it rather than stored beside it.
//
// With thread caches (ALLIGATOR_THREAD_CACHE) a cache's owner reads live bits without the heap's
// lock (a free checks that its block is live), so every access to a word is atomic there
// (relaxed: the locks order the rest).
#pragma once

#include <alligator/detail/bits.hpp>
#include <alligator/detail/thread_config.hpp>
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
    for (unsigned word = 0; word < kWords; ++word) store(word, 0);
  }
  bool test(unsigned segment) const {
    return (load(segment / kWordBits) >> (segment % kWordBits)) & 1U;
  }
  void set(unsigned segment) {
    store(segment / kWordBits, load(segment / kWordBits) | Word{1} << (segment % kWordBits));
  }
  void reset(unsigned segment) {
    store(segment / kWordBits, load(segment / kWordBits) & ~(Word{1} << (segment % kWordBits)));
  }
  // Whether the word holding `segment` has any bit set: a cheap "not empty" that spares a free
  // the whole-bitmap scan unless the word it cleared is now zero.
  bool word_has_live(unsigned segment) const { return load(segment / kWordBits) != 0; }

  // Empty: no live Segment in a MiniPage of `segments` Segments. Marks are not looked at.
  bool empty(unsigned segments = kMaxSegmentsPerMiniPage) const {
    Word any = 0;
    for (unsigned word = 0; word < live_words(segments); ++word) any |= load(word);
    return any == 0;
  }
  // Live Segments of a MiniPage of `segments` Segments (cached ones included), and cached ones
  // (marks of live Segments: the same moment's mark on a Segment that is not live is left out).
  unsigned count(unsigned segments = kMaxSegmentsPerMiniPage) const {
    unsigned total = 0;
    for (unsigned word = 0; word < live_words(segments); ++word) {
      total += population_count(load(word));
    }
    return total;
  }
  unsigned count_cached(unsigned segments) const {
    if (segments > kCachedOffset) return 0;
    unsigned total = 0;
    for (unsigned word = 0; word < kCachedOffset / kWordBits; ++word) {
      total += population_count(load(kCachedOffset / kWordBits + word) & load(word));
    }
    return total;
  }

  // Cached marks (allocator/README.md, Threads): only in MiniPages of at most kCachedOffset
  // Segments. Set and cleared only under the heap's lock with every cache held
  // (ThreadCachesHeld, validate).
  static constexpr unsigned kCachedOffset = kMaxSegmentsPerMiniPage / 2;
  // The words that hold live bits: all of them without thread caches (a constant, so loops over
  // them unroll as before), and below the marks in MiniPages that have marks.
  static constexpr unsigned live_words(unsigned segments) {
    return !ALLIGATOR_THREAD_CACHE || segments > kCachedOffset ? kWords : kCachedOffset / kWordBits;
  }
  bool cached(unsigned segment) const { return test(kCachedOffset + segment); }
  void mark_cached(unsigned segment) { set(kCachedOffset + segment); }
  void unmark_cached(unsigned segment) { reset(kCachedOffset + segment); }

  // Where a MiniPage of `segments` Segments (1 to 256) ends in its bitmap: the word holding bit
  // segments - 1, and the shifts that make the masks of word 0's bits below `segments` (all of
  // them unless word 0 is the last) and of the last word's: ~Word{0} >> shift. Word 0 comes
  // first, so the common MiniPage of one word is served without a loop. The fourth byte is
  // segments - 1, so the Segment count needs no table of its own. Per class in ClassTables
  // (size_class_map.hpp), four bytes each: whole masks would take 24, and 2.5 KB in all.
  struct Shape {
    std::uint8_t first_shift;
    std::uint8_t last_word;
    std::uint8_t last_shift;
    std::uint8_t last_segment;
  };
  static constexpr Shape shape(unsigned segments) {
    auto last = static_cast<std::uint8_t>((segments - 1) / kWordBits);
    auto last_shift = static_cast<std::uint8_t>((last + 1) * kWordBits - segments);
    return {last == 0 ? last_shift : std::uint8_t{0}, last, last_shift,
            static_cast<std::uint8_t>(segments - 1)};
  }
  static constexpr Word first_mask(const Shape& shape) { return ~Word{0} >> shape.first_shift; }
  static constexpr Word last_mask(const Shape& shape) { return ~Word{0} >> shape.last_shift; }

  // The lowest clear bit below the MiniPage's Segment count, which it sets; kNoSegment when
  // every one is set. The current MiniPage serves its class this way, so fresh MiniPages and
  // spares made current hand out their Segments in address order. Constant time: at most kWords
  // words (4 on wasm32 and x86_64, 8 on i686), and only the smallest classes have more than one.
  static constexpr unsigned kNoSegment = ~0U;
  unsigned take_lowest_clear(const Shape& shape) {
    if (Word clear = ~load(0) & first_mask(shape); clear != 0) return take(0, clear);
    for (unsigned word = 1; word < shape.last_word; ++word) {
      if (Word clear = ~load(word); clear != 0) return take(word, clear);
    }
    if (shape.last_word == 0) return kNoSegment;
    Word clear = ~load(shape.last_word) & last_mask(shape);
    return clear != 0 ? take(shape.last_word, clear) : kNoSegment;
  }
  // Whether a bit below the Segment count is clear (the MiniPage is not full). Same bound.
  bool has_clear(const Shape& shape) const {
    if ((~load(0) & first_mask(shape)) != 0) return true;
    for (unsigned word = 1; word < shape.last_word; ++word) {
      if (~load(word) != 0) return true;
    }
    return shape.last_word != 0 && (~load(shape.last_word) & last_mask(shape)) != 0;
  }

  // Bits 64 i to 64 i + 63, whatever the word size (SpanView's layout).
  std::uint64_t word64(unsigned index) const {
    std::uint64_t bits = 0;
    for (unsigned part = 0; part < 64 / kWordBits; ++part) {
      bits |= std::uint64_t{load(index * (64 / kWordBits) + part)} << (part * kWordBits);
    }
    return bits;
  }

 private:
  unsigned take(unsigned word, Word clear) {
    unsigned bit = lowest_set_bit(clear);
    store(word, load(word) | Word{1} << bit);
    return word * kWordBits + bit;
  }

#if ALLIGATOR_THREAD_CACHE
  Word load(unsigned word) const { return __atomic_load_n(&words_[word], __ATOMIC_RELAXED); }
  void store(unsigned word, Word value) { __atomic_store_n(&words_[word], value, __ATOMIC_RELAXED); }
#else
  Word load(unsigned word) const { return words_[word]; }
  void store(unsigned word, Word value) { words_[word] = value; }
#endif

  Word words_[kWords];
};

// Each class's SegmentBitmap::Shape, for constant expressions and tests; the allocator reads the
// copy in ClassTables (size_class_map.hpp).
static_assert(sizeof(SegmentBitmap::Shape) == 4);
inline constexpr auto kBitmapShape = [] {
  std::array<SegmentBitmap::Shape, kClassCount> table{};
  for (std::size_t size_class = 0; size_class < kClassCount; ++size_class) {
    table[size_class] =
        SegmentBitmap::shape(static_cast<unsigned>(segments_per_mini_page(size_class)));
  }
  return table;
}();
static_assert([] {
  for (unsigned size_class = 0; size_class < kClassCount; ++size_class) {
    if (kBitmapShape[size_class].last_segment + 1U != segments_per_mini_page(size_class)) {
      return false;
    }
  }
  return true;
}(), "a Shape's last Segment is the class's Segment count less one");

}  // namespace alligator::detail
