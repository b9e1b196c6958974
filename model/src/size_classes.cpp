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

// Both tables end with the medium classes: 768 896 1024, then eight steps per doubling.
constexpr std::size_t kMediumClasses[] = {
    768,  896,  1024,
    1152, 1280, 1408, 1536, 1664, 1792, 1920, 2048,
    2304, 2560, 2816, 3072, 3328, 3584, 3840, 4096,
    4608, 5120, 5632, 6144, 6656, 7168, 7680, 8192,
    9216, 10240, 11264, 12288, 13312, 14336, 15360, 16384};

// k_c: 1 when s <= 672, otherwise the fewest slots whose bytes s divides.
std::size_t mini_page_slots(std::size_t size) {
  if (size <= kLargestOneSlotClass) return 1;
  std::size_t slots = 1;
  while ((slots * kSlotBytes) % size != 0) ++slots;
  return slots;
}

}  // namespace

SizeClasses::SizeClasses(std::size_t max_align) : max_align_(max_align) {
  if (max_align == 8) {
    sizes_ = {8,   16,  24,  32,  40,  48,  56,  64,  80,  96,  112,
              128, 144, 160, 192, 224, 256, 288, 336, 400, 512, 672};
  } else if (max_align == 16) {
    sizes_ = {8,   16,  32,  48,  64,  80,  96,  112, 128, 144,
              160, 192, 224, 256, 288, 336, 400, 512, 672};
  } else {
    model_bug("the README defines class tables for max_align_t 8 and 16 only");
  }
  for (std::size_t size : kMediumClasses) sizes_.push_back(size);
  for (std::size_t size : sizes_) {
    slots_.push_back(mini_page_slots(size));
    if (slots_.back() > kMaxMiniPageSlots) model_bug("a MiniPage of more than 15 slots");
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
