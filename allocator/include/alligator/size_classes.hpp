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
// wasm32 (kMaxAlign 8): 22 one-slot classes, then 35 medium ones, 57 in all.
//   size      8  16  24  32  40  48  56  64  80  96 112 128 144 160 192 224 256 288 336 400 512 672
//   segments 256 128 85  64  51  42  36  32  25  21  18  16  14  12  10   9   8   7   6   5   4   3
// i686, x86_64 (kMaxAlign 16): the same without 24, 40 and 56, 54 in all.
// Medium classes (both tables), with the slots k_c of their MiniPages and their Segments:
//   size   768 896 1024 1152 1280 1408 1536 1664 1792 1920 2048
//   slots    3   7    1    9    5   11    3   13    7   15    1
//   segs     8  16    2   16    8   16    4   16    8   16    1
//   then 2304 .. 4096 in steps of 256, 4608 .. 8192 in steps of 512, 9216 .. 16384 in steps of
//   1024: k_c = size / gcd(size, 2048) slots (at most 15), 1 to 8 Segments.
//
// The one-slot sizes waste at most 128 of a MiniPage's 2048 bytes (most waste <= 48) and round a
// request up by at most a third from 64 to 672 bytes. 768, 896 and 1024 round up by at most a
// sixth; above 1024, eight classes per doubling round up by at most 12.5%. From 768 on a MiniPage
// of k_c slots holds its Segments without slack.
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
inline constexpr std::size_t kMaxMiniPageSlots = 15;

inline constexpr std::array<std::uint16_t, 57> kClassSizesAlign8 = {
    8,     16,    24,    32,    40,    48,    56,    64,    80,    96,    112,   128,
    144,   160,   192,   224,   256,   288,   336,   400,   512,   672,   768,   896,
    1024,  1152,  1280,  1408,  1536,  1664,  1792,  1920,  2048,  2304,  2560,  2816,
    3072,  3328,  3584,  3840,  4096,  4608,  5120,  5632,  6144,  6656,  7168,  7680,
    8192,  9216,  10240, 11264, 12288, 13312, 14336, 15360, 16384};
inline constexpr std::array<std::uint16_t, 54> kClassSizesAlign16 = {
    8,     16,    32,    48,    64,    80,    96,    112,   128,   144,   160,   192,
    224,   256,   288,   336,   400,   512,   672,   768,   896,   1024,  1152,  1280,
    1408,  1536,  1664,  1792,  1920,  2048,  2304,  2560,  2816,  3072,  3328,  3584,
    3840,  4096,  4608,  5120,  5632,  6144,  6656,  7168,  7680,  8192,  9216,  10240,
    11264, 12288, 13312, 14336, 15360, 16384};

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
// k_c: 1 up to 672 bytes, else the fewest slots whose bytes the class size divides.
constexpr std::size_t mini_page_slots(std::size_t size_class) {
  std::size_t size = kClassSizes[size_class];
  if (size <= 672) return 1;
  std::size_t divisor = kMiniPageSize;  // gcd(size, 2048): the largest power of two dividing both
  while (size % divisor != 0) divisor /= 2;
  return size / divisor;
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
