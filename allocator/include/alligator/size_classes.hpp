// Alligator's size classes: the specification every other part (allocator, model, tests) uses.
//
// A request of n bytes (0 <= n <= 2048) is served by the smallest class whose size is >= n, from
// a 2 KiB MiniPage holding floor(2048 / class size) Segments. Larger requests are large blocks.
//
// Every Segment must be aligned for any object of its request size: min(kMaxAlign, the largest
// power of two <= n). A MiniPage starts on a 2 KiB boundary, so a class size that is a multiple
// of kMaxAlign (or a power of two below it) makes all of its Segments aligned. kMaxAlign is
// alignof(max_align_t): 8 on wasm32, 16 on i686 and x86_64, which gives two tables.
//
// wasm32 (kMaxAlign 8), 24 classes:
//   class     0   1   2   3   4   5   6   7   8   9  10  11  12  13  14  15  16  17  18  19  20
//   size      8  16  24  32  40  48  56  64  80  96 112 128 144 160 192 224 256 288 336 400 512
//   segments 256 128 85  64  51  42  36  32  25  21  18  16  14  12  10   9   8   7   6   5   4
//   class    21   22   23
//   size    672 1024 2048
//   segments  3    2    1
//
// i686, x86_64 (kMaxAlign 16), 21 classes: the table above without 24, 40 and 56.
//   class     0   1   2   3   4   5   6   7   8   9  10  11  12  13  14  15  16  17  18  19  20
//   size      8  16  32  48  64  80  96 112 128 144 160 192 224 256 288 336 400 512 672 1024 2048
//
// The sizes are chosen so a MiniPage wastes at most 128 of its 2048 bytes (most waste <= 48) and
// a request is rounded up by at most a third from 64 to 672 bytes. Above 672 the steps are 1024
// and 2048, because a 2 KiB MiniPage holds three, two or one Segments there.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace alligator {

inline constexpr std::size_t kMaxAlign = alignof(std::max_align_t);
inline constexpr std::size_t kMiniPageSize = 2048;
inline constexpr std::size_t kLargestClassSize = kMiniPageSize;
inline constexpr std::size_t kMaxSegmentsPerMiniPage = 256;

inline constexpr std::array<std::uint16_t, 24> kClassSizesAlign8 = {
    8,   16,  24,  32,  40,  48,  56,  64,  80,  96,  112, 128,
    144, 160, 192, 224, 256, 288, 336, 400, 512, 672, 1024, 2048};
inline constexpr std::array<std::uint16_t, 21> kClassSizesAlign16 = {
    8,   16,  32,  48,  64,  80,  96,  112, 128, 144, 160,
    192, 224, 256, 288, 336, 400, 512, 672, 1024, 2048};

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
constexpr std::size_t segments_per_mini_page(std::size_t size_class) {
  return kMiniPageSize / kClassSizes[size_class];
}

// The alignment a block of `size` bytes is given without an explicit request.
constexpr std::size_t natural_alignment(std::size_t size) {
  std::size_t alignment = 1;
  while (alignment < kMaxAlign && alignment * 2 <= size) alignment *= 2;
  return alignment;
}

}  // namespace alligator
