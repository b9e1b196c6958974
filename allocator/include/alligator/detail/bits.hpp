// Bit helpers. Thin wrappers over <bit> that state their preconditions, so every caller reads the
// same way on 32-bit (wasm32, i686) and 64-bit hosts. Known-answer tests: tests/bits_test.cpp.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>

namespace alligator::detail {

// Index of the lowest set bit. Precondition: value != 0.
constexpr unsigned lowest_set_bit(std::uint64_t value) {
  return static_cast<unsigned>(std::countr_zero(value));
}
constexpr unsigned lowest_set_bit(std::uint32_t value) {
  return static_cast<unsigned>(std::countr_zero(value));
}

// Index of the highest set bit, floor(log2(value)). Precondition: value != 0.
constexpr unsigned highest_set_bit(std::uint64_t value) {
  return 63U - static_cast<unsigned>(std::countl_zero(value));
}
constexpr unsigned highest_set_bit(std::uint32_t value) {
  return 31U - static_cast<unsigned>(std::countl_zero(value));
}

constexpr unsigned population_count(std::uint64_t value) {
  return static_cast<unsigned>(std::popcount(value));
}
constexpr unsigned population_count(std::uint32_t value) {
  return static_cast<unsigned>(std::popcount(value));
}

// Not std::has_single_bit: that is a popcount, a library call on i686 without -mpopcnt.
constexpr bool is_power_of_two(std::size_t value) {
  return value != 0 && (value & (value - 1)) == 0;
}

// Rounds `value` up to a multiple of `alignment`, a power of two. Precondition: no overflow.
constexpr std::size_t align_up(std::size_t value, std::size_t alignment) {
  return (value + alignment - 1) & ~(alignment - 1);
}

}  // namespace alligator::detail
