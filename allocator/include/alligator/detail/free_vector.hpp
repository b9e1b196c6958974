// The free vector of one size class: a stack of the free Segment indexes of that class's current
// MiniPage, so a free Segment is found in constant time (the seed's design).
//
// Invariant (checked by validate()): the vector holds exactly the clear bits of the current
// MiniPage's bitmap, each once. 256 one-byte entries cover the largest Segment count (class 8).
#pragma once

#include <alligator/size_classes.hpp>

#include <cstdint>

namespace alligator::detail {

class FreeVector {
 public:
  bool empty() const { return count_ == 0; }
  unsigned size() const { return count_; }
  void clear() { count_ = 0; }
  void push(unsigned segment) { indexes_[count_++] = static_cast<std::uint8_t>(segment); }
  unsigned pop() { return indexes_[--count_]; }
  unsigned operator[](unsigned position) const { return indexes_[position]; }

  // Fills with every Segment of a fresh MiniPage so pops hand them out in address order.
  void fill_fresh(unsigned segments) {
    for (unsigned segment = 0; segment < segments; ++segment) {
      indexes_[segment] = static_cast<std::uint8_t>(segments - 1 - segment);
    }
    count_ = static_cast<std::uint16_t>(segments);
  }

 private:
  std::uint8_t indexes_[kMaxSegmentsPerMiniPage] = {};
  std::uint16_t count_ = 0;
};

}  // namespace alligator::detail
