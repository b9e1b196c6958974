// Block contents the executor can recognise: byte i of a block filled at phase p is
// bytes[(p + i) mod 65521], from a fixed pseudo-random sequence. A prime period keeps a block's
// contents from repeating at any power-of-two stride, so a copy from the wrong offset, a
// zeroed or stale page, or another block's bytes all read back wrong. Checking compares the
// block with the same sequence, so verifying every live block after every step stays cheap.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

namespace alligator::properties {

class Pattern {
 public:
  static constexpr std::size_t kPeriod = 65521;

  static void write(std::byte* block, std::size_t bytes, std::size_t phase);
  // The first byte of block[0, bytes) that differs from phase's pattern, if any.
  static std::optional<std::size_t> first_difference(const std::byte* block, std::size_t bytes,
                                                     std::size_t phase);
  // The first non-zero byte, if any.
  static std::optional<std::size_t> first_nonzero(const std::byte* block, std::size_t bytes);
};

}  // namespace alligator::properties
