// The reference model's size classes, written from allocator/README.md ("Size classes",
// "Alignment rule"), not from the allocator's tables: the model must be able to disagree.
//
//   alignof(max_align_t) 8  (wasm32):       8 16 24 32 40 48 56 64 72 80 88 96 104 112 120 128,
//                                           then the rest (104 classes)
//   alignof(max_align_t) 16 (i686, x86_64): 8 16 32 48 64 80 96 112 128, then the rest (97)
//   the rest: 144 .. 256 by 16, 288 .. 512 by 32, 576 .. 1024 by 64, 1088 .. 2048 by 64,
//             2176 .. 4096 by 128, 4352 .. 8192 by 256, 8704 .. 16384 by 512.
//
// A request of n <= 16384 bytes with alignment a <= 2048 is small: the smallest class whose size
// is >= max(n, 1) and a multiple of a. Anything else is large. Plain loops, no tables of tables.
//
// A MiniPage of class size s spans k_c slots (1 to 16): the k leaving the smallest share
// (2048 k mod s) / (2048 k) unused, the fewest among equal shares, among the k with
// floor(2048 k / s) <= 128; class 8 takes one slot (256 Segments). It holds floor(2048 k_c / s)
// Segments; Segment i starts at byte i * s of the MiniPage's first slot.
#pragma once

#include <alligator/model/geometry.hpp>

#include <cstddef>
#include <optional>
#include <vector>

namespace alligator::model {

class SizeClasses {
 public:
  // `max_align` is alignof(max_align_t) of the target being modelled: 8 or 16.
  explicit SizeClasses(std::size_t max_align = alignof(std::max_align_t));

  std::size_t max_align() const { return max_align_; }
  std::size_t count() const { return sizes_.size(); }
  std::size_t size(std::size_t size_class) const { return sizes_.at(size_class); }
  // k_c: the slots a MiniPage of the class spans (1 to 16).
  std::size_t slots(std::size_t size_class) const { return slots_.at(size_class); }
  // floor(2048 k_c / size): Segment i starts at byte i * size of the MiniPage's first slot.
  std::size_t segments(std::size_t size_class) const {
    return slots(size_class) * kSlotBytes / size(size_class);
  }
  const std::vector<std::size_t>& sizes() const { return sizes_; }

  // The class serving `size` bytes at `alignment` (a power of two), or nothing when the request
  // is large.
  std::optional<std::size_t> class_for(std::size_t size, std::size_t alignment) const;
  // The class whose size is exactly `bytes`, if there is one.
  std::optional<std::size_t> class_of_size(std::size_t bytes) const;

  // min(max_align, largest power of two <= max(size, 1)): the alignment every block of `size`
  // bytes has, whatever was asked.
  std::size_t natural_alignment(std::size_t size) const;

 private:
  std::size_t max_align_;
  std::vector<std::size_t> sizes_;
  std::vector<std::size_t> slots_;  // k_c, by class
};

// The largest small request: n <= 16384 bytes (with alignment <= 2048) gets a Segment.
inline constexpr std::size_t kLargestSmallBytes = 16384;
// The largest alignment a small request may ask for.
inline constexpr std::size_t kLargestSmallAlignment = 2048;
// k_c is chosen among MiniPages of at most this many Segments (class 8 excepted).
inline constexpr std::size_t kMostSegmentsChosen = 128;

bool is_power_of_two(std::size_t value);

}  // namespace alligator::model
