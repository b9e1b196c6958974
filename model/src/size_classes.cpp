// The class lists are copied from allocator/README.md by hand; size_classes_test.cpp checks them
// against the README's stated properties (counts, k_c and Segment counts, alignment).
#include <alligator/model/size_classes.hpp>

#include "model_bug.hpp"


namespace alligator::model {

bool is_power_of_two(std::size_t value) {
  if (value == 0) return false;
  while (value % 2 == 0) value /= 2;
  return value == 1;
}

namespace {

// "the rest (both tables)": after 128, (first, last, step) runs as the README lists them.
struct Run {
  std::size_t first, last, step;
};
constexpr Run kRest[] = {{144, 256, 16},    {288, 512, 32},    {576, 1024, 64},
                         {1088, 2048, 64},  {2176, 4096, 128}, {4352, 8192, 256},
                         {8704, 16384, 512}};

// k_c: among 1..16 slots whose MiniPage holds at most 128 Segments, the one leaving the
// smallest share of its bytes unused; the fewest slots on a tie. Class 8: one slot. (Shares of
// equal fractions divide to the same double, and unequal ones here differ far above rounding.)
std::size_t mini_page_slots(std::size_t size) {
  if (size == 8) return 1;
  std::size_t best = 0;
  double best_share = 2.0;
  for (std::size_t k = 1; k <= kMaxMiniPageSlots; ++k) {
    const std::size_t bytes = k * kSlotBytes;
    const std::size_t segments = bytes / size;
    if (segments > kMostSegmentsChosen) break;
    const double share = static_cast<double>(bytes - segments * size) / static_cast<double>(bytes);
    if (share < best_share) {
      best = k;
      best_share = share;
    }
  }
  return best;
}

}  // namespace

SizeClasses::SizeClasses(std::size_t max_align) : max_align_(max_align) {
  if (max_align == 8) {
    sizes_ = {8, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88, 96, 104, 112, 120, 128};
  } else if (max_align == 16) {
    sizes_ = {8, 16, 32, 48, 64, 80, 96, 112, 128};
  } else {
    model_bug("the README defines class tables for max_align_t 8 and 16 only");
  }
  for (const Run& run : kRest) {
    for (std::size_t size = run.first; size <= run.last; size += run.step) sizes_.push_back(size);
  }
  for (std::size_t size : sizes_) {
    slots_.push_back(mini_page_slots(size));
    if (slots_.back() > kMaxMiniPageSlots) model_bug("a MiniPage of more than 16 slots");
  }
}

std::optional<std::size_t> SizeClasses::class_for(std::size_t size, std::size_t alignment) const {
  if (size > kLargestSmallBytes || alignment > kLargestSmallAlignment) return std::nullopt;
  std::size_t wanted = size == 0 ? 1 : size;
  for (std::size_t c = 0; c < sizes_.size(); ++c) {
    if (sizes_[c] >= wanted && sizes_[c] % alignment == 0) return c;
  }
  return std::nullopt;  // unreachable: 16384 is a multiple of every alignment <= 2048
}

std::optional<std::size_t> SizeClasses::class_of_size(std::size_t bytes) const {
  for (std::size_t c = 0; c < sizes_.size(); ++c) {
    if (sizes_[c] == bytes) return c;
  }
  return std::nullopt;
}

std::size_t SizeClasses::natural_alignment(std::size_t size) const {
  std::size_t alignment = 1;
  while (alignment < max_align_ && alignment * 2 <= size) alignment *= 2;
  return alignment;
}

}  // namespace alligator::model
