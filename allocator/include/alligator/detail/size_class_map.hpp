// Size -> class by one table lookup (up to 1 KiB) or a few shifts (above), and Segment offset ->
// index without a division.
#pragma once

#include <alligator/detail/bits.hpp>
#include <alligator/detail/segment_bitmap.hpp>
#include <alligator/size_classes.hpp>

#include <array>
#include <cstddef>
#include <cstdint>

namespace alligator::detail {

inline constexpr std::size_t kSizeGranule = 8;
// Up to 1024 bytes a table by 8-byte granule (129 entries); above, the classes are sixteen steps
// per doubling, so the class follows from the size's highest bit with no table.
inline constexpr std::size_t kFineLookupLimit = 1024;
inline constexpr unsigned kStepsPerMediumDoubling = 16;

// The smallest class with class_size >= size, for 0 <= size <= limit, indexed by
// ceil(size / granule).
template <std::size_t kLimit, std::size_t kGranule>
constexpr auto class_lookup_table() {
  std::array<std::uint8_t, kLimit / kGranule + 1> table{};
  std::size_t size_class = 0;
  for (std::size_t index = 0; index < table.size(); ++index) {
    while (kClassSizes[size_class] < index * kGranule) ++size_class;
    table[index] = static_cast<std::uint8_t>(size_class);
  }
  return table;
}
inline constexpr auto kClassByGranule = class_lookup_table<kFineLookupLimit, kSizeGranule>();
// The first class above 1024 bytes (1088): class 0 of the medium arithmetic.
inline constexpr unsigned kFirstMediumClass = kClassByGranule[kFineLookupLimit / kSizeGranule] + 1;

// Precondition: kFineLookupLimit < size <= kLargestClassSize. For size in (2^d, 2^(d+1)], d =
// highest_set_bit(size - 1) (10 to 13), the steps are 2^(d-4) bytes and the size needs step
// ceil((size - 2^d) / 2^(d-4)) = ((size - 1 - 2^d) >> (d - 4)) + 1 of its doubling.
constexpr unsigned class_of_medium_size(std::size_t size) {
  const auto below = static_cast<std::uint32_t>(size - 1);
  const unsigned d = highest_set_bit(below);
  return kFirstMediumClass + (d - 10) * kStepsPerMediumDoubling +
         ((below - (std::uint32_t{1} << d)) >> (d - 4));
}
static_assert([] {
  unsigned expected = 0;
  for (std::size_t size = kFineLookupLimit + 1; size <= kLargestClassSize; ++size) {
    while (kClassSizes[expected] < size) ++expected;
    if (class_of_medium_size(size) != expected) return false;
  }
  return true;
}(), "the medium arithmetic is the smallest class >= size for every medium size");
// Precondition: size <= kLargestClassSize.
constexpr unsigned class_of_size(std::size_t size) {
  if (size <= kFineLookupLimit) return kClassByGranule[(size + kSizeGranule - 1) / kSizeGranule];
  return class_of_medium_size(size);
}

// The slots of a class's MiniPage, and its Segment count, for constant expressions and tests (the
// allocator reads ClassTables, below).
inline constexpr auto kMiniPageSlots = [] {
  std::array<std::uint8_t, kClassCount> table{};
  for (std::size_t size_class = 0; size_class < kClassCount; ++size_class) {
    table[size_class] = static_cast<std::uint8_t>(mini_page_slots(size_class));
  }
  return table;
}();
inline constexpr auto kSegmentsPerMiniPage = [] {
  std::array<std::uint16_t, kClassCount> table{};
  for (std::size_t size_class = 0; size_class < kClassCount; ++size_class) {
    table[size_class] = static_cast<std::uint16_t>(segments_per_mini_page(size_class));
  }
  return table;
}();
static_assert([] {
  for (std::size_t size_class = 0; size_class < kClassCount; ++size_class) {
    if (mini_page_slots(size_class) > kMaxMiniPageSlots ||
        segments_per_mini_page(size_class) > kMaxSegmentsPerMiniPage ||
        segments_per_mini_page(size_class) == 0) {
      return false;
    }
  }
  return true;
}(), "MiniPages span at most 16 slots and 256 Segments");

// Segment index from the byte offset in a MiniPage, without a division: with
// r = floor(2^32 / size) + 1 = 2^32 / size + d (0 < d <= 1), offset * r / 2^32 is
// offset / size + offset * d / 2^32, and the second term stays below 1 / size while
// offset * size < 2^32 (offsets are below 16 * 2048 and sizes at most 16384, so always): the floor
// is offset / size exactly. One 32 x 32 -> 64-bit multiply on every target.
inline constexpr unsigned kReciprocalShift = 32;
constexpr std::uint32_t segment_reciprocal_of(std::size_t size) {
  return static_cast<std::uint32_t>((std::uint64_t{1} << kReciprocalShift) / size + 1);
}
inline constexpr auto kSegmentReciprocal = [] {
  std::array<std::uint32_t, kClassCount> table{};
  for (std::size_t size_class = 0; size_class < kClassCount; ++size_class) {
    table[size_class] = segment_reciprocal_of(kClassSizes[size_class]);
  }
  return table;
}();
static_assert(std::uint64_t{kMaxMiniPageSlots * kMiniPageSize} * kLargestClassSize <
                  (std::uint64_t{1} << kReciprocalShift),
              "offset * size < 2^32, so the reciprocal's floor is exact");

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

// The per-class values the allocator reads at run time (all but the class sizes, which requests
// map to before any MiniPage exists), computed from the constant tables' rules into
// zero-initialized memory, which costs a wasm module nothing, where the same tables as data took
// 936 bytes of it (code_size). HeapCore::spare_or_new_mini_page calls ensure_class_tables before
// it makes a MiniPage, and nothing reads them before that call has returned, in the same thread or
// one it happened before: every read is for a MiniPage's class (a record, a current or owned
// MiniPage, a block), or, in allocate_without_mini_page, for the class whose MiniPage that call
// failed to make. Each copy of the library (liballigator.a, liballigatorc.so) has its own.
struct ClassTables {
  std::uint32_t segment_reciprocal[kClassCount];
  SegmentBitmap::Shape bitmap_shape[kClassCount];
  std::uint8_t mini_page_slots[kClassCount];
  unsigned state;  // kClassTablesReady once written (ensure_class_tables)
};
inline constexpr unsigned kClassTablesWriting = 1;
inline constexpr unsigned kClassTablesReady = 2;
extern ClassTables class_tables;  // small_path.cpp
// small_path.cpp, out of line: writes the tables unless another thread has (or is: then it waits
// for it), and returns once they are ready.
void fill_class_tables();
// Acquire: a thread that sees them ready sees what the writer wrote (heaps in several threads).
// Valgrind builds always call the out-of-line function, which tells helgrind of that order.
inline void ensure_class_tables() {
#if defined(ALLIGATOR_VALGRIND) && ALLIGATOR_VALGRIND
  fill_class_tables();
#else
  if (__atomic_load_n(&class_tables.state, __ATOMIC_ACQUIRE) != kClassTablesReady) {
    fill_class_tables();
  }
#endif
}

inline const SegmentBitmap::Shape& bitmap_shape(unsigned size_class) {
  return class_tables.bitmap_shape[size_class];
}
inline unsigned segments_in(unsigned size_class) {
  return class_tables.bitmap_shape[size_class].last_segment + 1U;
}
inline std::uint32_t mini_page_slot_count(unsigned size_class) {
  return class_tables.mini_page_slots[size_class];
}
inline std::uint64_t segment_product(std::size_t offset, unsigned size_class) {
  return std::uint64_t{static_cast<std::uint32_t>(offset)} *
         class_tables.segment_reciprocal[size_class];
}
inline unsigned segment_of_offset(std::size_t offset, unsigned size_class) {
  return static_cast<unsigned>(segment_product(offset, size_class) >> kReciprocalShift);
}
// Whether `offset` starts a Segment, from the same product: its low 32 bits are
// q * (r * size - 2^32) <= q * size = offset < 2^15 when offset = q * size, and at least
// r > 2^32 / 16384 = 2^18 otherwise (no wrap: (q + 1) * size <= 16 * 2048 < r). So no multiply
// back by the class size is needed. allocator/tests/size_class_test.cpp checks both functions for
// every offset of every class's MiniPage (too many for a constant expression).
inline constexpr std::uint32_t kSegmentStartBound = 1U << 15;
static_assert(kMaxMiniPageSlots * kMiniPageSize <= kSegmentStartBound);
inline bool is_segment_start(std::size_t offset, unsigned size_class) {
  return static_cast<std::uint32_t>(segment_product(offset, size_class)) < kSegmentStartBound;
}

}  // namespace alligator::detail
