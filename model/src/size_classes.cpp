// The class lists are copied from allocator/README.md by hand; size_classes_test.cpp checks them
// against the README's stated properties (counts, Segment counts, alignment).
#include <alligator/model/size_classes.hpp>

#include "model_bug.hpp"


namespace alligator::model {

bool is_power_of_two(std::size_t value) {
  if (value == 0) return false;
  while (value % 2 == 0) value /= 2;
  return value == 1;
}

SizeClasses::SizeClasses(std::size_t max_align) : max_align_(max_align) {
  if (max_align == 8) {
    sizes_ = {8,   16,  24,  32,  40,  48,  56,  64,  80,  96,  112, 128,
              144, 160, 192, 224, 256, 288, 336, 400, 512, 672, 1024, 2048};
  } else if (max_align == 16) {
    sizes_ = {8,   16,  32,  48,  64,  80,  96,  112, 128, 144, 160,
              192, 224, 256, 288, 336, 400, 512, 672, 1024, 2048};
  } else {
    model_bug("the README defines class tables for max_align_t 8 and 16 only");
  }
}

std::optional<std::size_t> SizeClasses::class_for(std::size_t size, std::size_t alignment) const {
  if (size > kSlotBytes || alignment > kSlotBytes) return std::nullopt;
  std::size_t wanted = size == 0 ? 1 : size;
  for (std::size_t c = 0; c < sizes_.size(); ++c) {
    if (sizes_[c] >= wanted && sizes_[c] % alignment == 0) return c;
  }
  return std::nullopt;  // unreachable: 2048 is a multiple of every alignment <= 2048
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
