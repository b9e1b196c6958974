#include "pattern.hpp"

#include <array>
#include <cstring>

namespace alligator::properties {
namespace {

// Two periods back to back: any run of up to one period starting in the first is contiguous.
const std::array<unsigned char, 2 * Pattern::kPeriod>& sequence() {
  static const auto bytes = [] {
    std::array<unsigned char, 2 * Pattern::kPeriod> table{};
    std::uint32_t state = 0x9e3779b9U;
    for (std::size_t i = 0; i < Pattern::kPeriod; ++i) {
      state ^= state << 13;
      state ^= state >> 17;
      state ^= state << 5;
      table[i] = static_cast<unsigned char>(state >> 24);
      table[i + Pattern::kPeriod] = table[i];
    }
    return table;
  }();
  return bytes;
}

}  // namespace

void Pattern::write(std::byte* block, std::size_t bytes, std::size_t phase) {
  const auto& source = sequence();
  for (std::size_t done = 0; done < bytes;) {
    std::size_t chunk = bytes - done < kPeriod ? bytes - done : kPeriod;
    std::memcpy(block + done, source.data() + (phase + done) % kPeriod, chunk);
    done += chunk;
  }
}

std::optional<std::size_t> Pattern::first_difference(const std::byte* block, std::size_t bytes,
                                                     std::size_t phase) {
  const auto& source = sequence();
  for (std::size_t done = 0; done < bytes;) {
    std::size_t chunk = bytes - done < kPeriod ? bytes - done : kPeriod;
    const unsigned char* expected = source.data() + (phase + done) % kPeriod;
    if (std::memcmp(block + done, expected, chunk) != 0) {
      for (std::size_t i = 0; i < chunk; ++i) {
        if (static_cast<unsigned char>(block[done + i]) != expected[i]) return done + i;
      }
    }
    done += chunk;
  }
  return std::nullopt;
}

std::optional<std::size_t> Pattern::first_nonzero(const std::byte* block, std::size_t bytes) {
  for (std::size_t i = 0; i < bytes; ++i) {
    if (block[i] != std::byte{0}) return i;
  }
  return std::nullopt;
}

}  // namespace alligator::properties
