// Size -> class in one table lookup, and Segment offset -> index without a division.
#pragma once

#include <alligator/size_classes.hpp>

#include <array>
#include <cstddef>
#include <cstdint>

namespace alligator::detail {

inline constexpr std::size_t kSizeGranule = 8;

// class_by_granule[(size + 7) / 8] = smallest class with class_size >= size, for 0 <= size <= 2048.
inline constexpr auto kClassByGranule = [] {
  std::array<std::uint8_t, kLargestClassSize / kSizeGranule + 1> table{};
  std::size_t size_class = 0;
  for (std::size_t granule = 0; granule < table.size(); ++granule) {
    while (kClassSizes[size_class] < granule * kSizeGranule) ++size_class;
    table[granule] = static_cast<std::uint8_t>(size_class);
  }
  return table;
}();

// Precondition: size <= kLargestClassSize.
constexpr unsigned class_of_size(std::size_t size) {
  return kClassByGranule[(size + kSizeGranule - 1) / kSizeGranule];
}

// floor(2^23 / size) + 1: offset * reciprocal >> 23 == offset / size for every offset < 2048
// (the error, below offset / 2^23 <= 2^-12, stays under 1 / size for sizes up to 2048), and the
// product stays below 2^32, so one 32-bit multiply does it on every target. Checked for every
// offset and class at compile time, below segment_of_offset.
inline constexpr unsigned kReciprocalShift = 23;
inline constexpr auto kSegmentReciprocal = [] {
  std::array<std::uint32_t, kClassCount> table{};
  for (std::size_t size_class = 0; size_class < kClassCount; ++size_class) {
    table[size_class] =
        static_cast<std::uint32_t>((std::uint32_t{1} << kReciprocalShift) / kClassSizes[size_class] + 1);
  }
  return table;
}();
static_assert(std::uint64_t{kMiniPageSize} * ((std::uint64_t{1} << kReciprocalShift) / 8 + 1) <
                  (std::uint64_t{1} << 32),
              "offset * reciprocal fits in 32 bits");

// floor(2048 / class size), looked up rather than divided when a free vector is refilled.
inline constexpr auto kSegmentsPerMiniPage = [] {
  std::array<std::uint16_t, kClassCount> table{};
  for (std::size_t size_class = 0; size_class < kClassCount; ++size_class) {
    table[size_class] = static_cast<std::uint16_t>(segments_per_mini_page(size_class));
  }
  return table;
}();

constexpr unsigned segment_of_offset(std::size_t offset, unsigned size_class) {
  return (static_cast<std::uint32_t>(offset) * kSegmentReciprocal[size_class]) >> kReciprocalShift;
}
static_assert([] {
  for (unsigned size_class = 0; size_class < kClassCount; ++size_class) {
    for (std::size_t offset = 0; offset < kMiniPageSize; ++offset) {
      if (segment_of_offset(offset, size_class) != offset / kClassSizes[size_class]) return false;
    }
  }
  return true;
}(), "segment_of_offset divides exactly for every offset in a MiniPage and every class");

// Whether `offset` (< 2048) starts a Segment, from the same product: its low 23 bits are
// q * (reciprocal * size - 2^23) <= offset < 2048 when offset = q * size, and at least
// reciprocal > 2^23 / 2048 = 4096 otherwise. So no multiply back by the class size is needed.
constexpr bool is_segment_start(std::size_t offset, unsigned size_class) {
  constexpr std::uint32_t kFraction = (std::uint32_t{1} << kReciprocalShift) - 1;
  return ((static_cast<std::uint32_t>(offset) * kSegmentReciprocal[size_class]) & kFraction) <
         kMiniPageSize;
}
static_assert([] {
  for (unsigned size_class = 0; size_class < kClassCount; ++size_class) {
    for (std::size_t offset = 0; offset < kMiniPageSize; ++offset) {
      if (is_segment_start(offset, size_class) != (offset % kClassSizes[size_class] == 0)) {
        return false;
      }
    }
  }
  return true;
}(), "is_segment_start is exact for every offset in a MiniPage and every class");

static_assert([] {
  for (std::size_t c = 0; c + 1 < kClassCount; ++c) {
    if (kClassSizes[c] >= kClassSizes[c + 1]) return false;
  }
  return true;
}(), "class sizes strictly increase");
// Requests served by a class are at most its size, and natural alignment grows with size, so
// a class is aligned for all of them if it is for its own size.
static_assert([] {
  for (std::size_t size : kClassSizes) {
    if (size % natural_alignment(size) != 0) return false;
  }
  return true;
}(), "every class keeps the natural alignment of the requests it serves");
static_assert(kClassSizes[kClassCount - 1] == kLargestClassSize);
static_assert(kMiniPageSize / kClassSizes[0] <= kMaxSegmentsPerMiniPage);

}  // namespace alligator::detail
