#include "pattern.hpp"

#include <array>
#include <cstdint>
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

// The first i < bytes where a[i] != b[i], or bytes. The checks read every live byte of blocks
// of MiBs at every step. Where memcmp is a byte loop (the libcs of Emscripten and wasm32-wasi:
// the wasm Growth suite spent 96% of its time in it), words are compared, 32 bytes a branch;
// elsewhere memcmp (glibc's: 48-52 GB/s against these words' 19-20 on a 4 MiB block) passes equal
// blocks, and the words find the first difference of a wrong one.
std::size_t mismatch(const unsigned char* a, const unsigned char* b, std::size_t bytes) {
#if !defined(__wasm__) && !(defined(ALLIGATOR_VALGRIND) && ALLIGATOR_VALGRIND)
  if (std::memcmp(a, b, bytes) == 0) return bytes;
#endif
  constexpr std::size_t kStride = 4 * sizeof(std::uint64_t);  // one branch per 32 bytes
  std::size_t i = 0;
  for (; i + kStride <= bytes; i += kStride) {
    std::uint64_t x[4];
    std::uint64_t y[4];
    std::memcpy(x, a + i, kStride);
    std::memcpy(y, b + i, kStride);
    if (((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3])) != 0) break;
  }
  for (; i + sizeof(std::uint64_t) <= bytes; i += sizeof(std::uint64_t)) {
    std::uint64_t x;
    std::uint64_t y;
    std::memcpy(&x, a + i, sizeof x);
    std::memcpy(&y, b + i, sizeof y);
    if (x != y) break;
  }
  while (i < bytes && a[i] == b[i]) ++i;
  return i;
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
  const auto* bytes_read = reinterpret_cast<const unsigned char*>(block);
  for (std::size_t done = 0; done < bytes;) {
    std::size_t chunk = bytes - done < kPeriod ? bytes - done : kPeriod;
    const unsigned char* expected = source.data() + (phase + done) % kPeriod;
    const std::size_t at = mismatch(bytes_read + done, expected, chunk);
    if (at < chunk) return done + at;
    done += chunk;
  }
  return std::nullopt;
}

std::optional<std::size_t> Pattern::first_nonzero(const std::byte* block, std::size_t bytes) {
  static const unsigned char zeros[kPeriod] = {};
  const auto* bytes_read = reinterpret_cast<const unsigned char*>(block);
  for (std::size_t done = 0; done < bytes;) {
    std::size_t chunk = bytes - done < kPeriod ? bytes - done : kPeriod;
    const std::size_t at = mismatch(bytes_read + done, zeros, chunk);
    if (at < chunk) return done + at;
    done += chunk;
  }
  return std::nullopt;
}

}  // namespace alligator::properties
