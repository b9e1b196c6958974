// Alligator's size classes: the specification every other part (allocator, model, tests) uses
// (allocator/README.md, "Size classes").
//
// A request of n bytes (0 <= n <= 16384) is served by the smallest class whose size is >= n, from
// a MiniPage of k_c 2 KiB slots holding floor(2048 k_c / class size) Segments. Larger requests
// are large blocks.
//
// Every Segment must be aligned for any object of its request size: min(kMaxAlign, the largest
// power of two <= n). A MiniPage starts on a 2 KiB boundary, so a class size that is a multiple
// of kMaxAlign (or a power of two below it) makes all of its Segments aligned. kMaxAlign is
// alignof(max_align_t): 8 on wasm32, 16 on i686 and x86_64, which gives two tables.
//
// The classes: 8, then every multiple of kMaxAlign up to 64, then eight steps per doubling up to
// 1024 and sixteen from 1024 to 16384, each step rounded up to a multiple of kMaxAlign:
//   wasm32 (kMaxAlign 8, 104 classes): 8 16 24 32 40 48 56 64 72 80 88 96 104 112 120 128 144
//     160 ... 256 (steps of 16), 288 ... 512 (32), 576 ... 1024 (64), 1088 ... 2048 (64),
//     2176 ... 4096 (128), 4352 ... 8192 (256), 8704 ... 16384 (512)
//   i686, x86_64 (kMaxAlign 16, 97 classes): 8 16 32 48 64 80 96 112 128, then the same.
// Fine steps matter because real programs ask for a few sizes over and over, often a power of
// two plus a header (SQLite's 1032 and 4272 bytes, tree-sitter's 84 to 108): every step of
// rounding is lost on each of their blocks.
//
// k_c is the number of slots, 1 to 16, whose MiniPage leaves the smallest share of its bytes
// after its last Segment (the fewest slots among equals), counting only MiniPages of at most 128
// Segments (so that thread caches have a mark bit for each, allocator/README.md, Threads); class
// 8 has one slot of 256. Examples: 88 bytes, 4 slots, 93 Segments, 8 bytes unused; 1088 bytes, 8
// slots, 15 Segments, 64 bytes unused; 4096, 2 slots, 1 Segment.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace alligator {

inline constexpr std::size_t kMaxAlign = alignof(std::max_align_t);
// The slot: the unit MiniPages and large blocks are made of (a one-slot MiniPage's size).
inline constexpr std::size_t kMiniPageSize = 2048;
inline constexpr std::size_t kLargestClassSize = 16384;
inline constexpr std::size_t kMaxSegmentsPerMiniPage = 256;
// More Segments than this only for class 8 (thread caches mark Segment i with bit 128 + i).
inline constexpr std::size_t kMaxSegmentsPerMultiSlotChoice = 128;
inline constexpr std::size_t kMaxMiniPageSlots = 16;

namespace detail {
// Writes the class sizes for `align` to `out` (when not null); returns how many there are.
constexpr std::size_t generate_class_sizes(std::size_t align, std::uint16_t* out) {
  std::size_t count = 0;
  auto add = [&](std::size_t size) {
    if (out != nullptr) out[count] = static_cast<std::uint16_t>(size);
    ++count;
  };
  add(8);
  for (std::size_t size = align; size <= 64; size += align) {
    if (size > 8) add(size);
  }
  for (std::size_t base = 64; base < kLargestClassSize; base *= 2) {
    std::size_t step = base / (base < 1024 ? 8 : 16);
    if (step < align) step = align;
    for (std::size_t size = base + step; size <= 2 * base; size += step) add(size);
  }
  return count;
}
template <std::size_t kAlign>
constexpr auto class_size_table() {
  std::array<std::uint16_t, generate_class_sizes(kAlign, nullptr)> table{};
  generate_class_sizes(kAlign, table.data());
  return table;
}
}  // namespace detail

inline constexpr auto kClassSizesAlign8 = detail::class_size_table<8>();
inline constexpr auto kClassSizesAlign16 = detail::class_size_table<16>();
static_assert(kClassSizesAlign8.size() == 104 && kClassSizesAlign16.size() == 97);

// This target's table. (The static_assert stays outside the lambda: outside a template, a
// discarded `if constexpr` branch is still checked, so inside it fired on wasm32.)
static_assert(kMaxAlign == 8 || kMaxAlign == 16,
              "a class table exists for max_align_t of 8 and 16 only");
inline constexpr auto kClassSizes = [] {
  if constexpr (kMaxAlign == 8) {
    return kClassSizesAlign8;
  } else {
    return kClassSizesAlign16;
  }
}();
inline constexpr std::size_t kClassCount = kClassSizes.size();

constexpr std::size_t class_size(std::size_t size_class) { return kClassSizes[size_class]; }
// k_c: the slots (1 to 16) leaving the least share of the MiniPage after its last Segment, the
// fewest such, among MiniPages of at most 128 Segments; class 8 takes one slot (256 Segments).
constexpr std::size_t mini_page_slots_for_size(std::size_t size) {
  if (size == 8) return 1;
  std::size_t best = 1;
  for (std::size_t slots = 2; slots <= kMaxMiniPageSlots; ++slots) {
    if (slots * kMiniPageSize / size > kMaxSegmentsPerMultiSlotChoice) break;
    // slack(slots) / slots < slack(best) / best, without a division.
    if (slots * kMiniPageSize % size * best < best * kMiniPageSize % size * slots) best = slots;
  }
  return best;
}
constexpr std::size_t mini_page_slots(std::size_t size_class) {
  return mini_page_slots_for_size(kClassSizes[size_class]);
}
constexpr std::size_t segments_per_mini_page(std::size_t size_class) {
  return mini_page_slots(size_class) * kMiniPageSize / kClassSizes[size_class];
}

// The alignment a block of `size` bytes is given without an explicit request.
constexpr std::size_t natural_alignment(std::size_t size) {
  std::size_t alignment = 1;
  while (alignment < kMaxAlign && alignment * 2 <= size) alignment *= 2;
  return alignment;
}

}  // namespace alligator
