// small_churn: a steady live set of 10^4 small blocks, randomly replaced.
//
// The set is filled with blocks of 1..2048 bytes (uniform); then each step frees a random block
// (after checking its first and last bytes) and allocates one of a new random size in its place.
//
// RESULT: operations per microsecond, counting the free and the malloc of a step as one
// operation each (higher is better).
#include "common.hpp"

#include <cstdlib>

namespace {

constexpr std::size_t kLive = 10000;
constexpr std::uint32_t kMaxSize = 2048;

struct Block {
  void* block;
  std::uint32_t size;
  std::uint8_t tag;
};

Block live[kLive];
std::uint64_t digest = 0;

void* allocate(std::uint32_t size) {
  void* block = std::malloc(size);
  if (block == nullptr) out_of_memory("malloc");
  check_alignment(block, natural_alignment(size));
  return block;
}

void fill(Rng& rng) {
  for (Block& entry : live) {
    std::uint32_t size = rng.range(1, kMaxSize);
    entry = {allocate(size), size, static_cast<std::uint8_t>(rng.next32())};
    mark_block(entry.block, size, entry.tag);
  }
}

void churn(Rng& rng, std::uint64_t steps) {
  for (std::uint64_t i = 0; i < steps; ++i) {
    Block& entry = live[rng.next32() % kLive];
    check_block(entry.block, entry.size, entry.tag);
    std::free(entry.block);
    std::uint32_t size = rng.range(1, kMaxSize);
    entry = {allocate(size), size, static_cast<std::uint8_t>(rng.next32())};
    mark_block(entry.block, size, entry.tag);
    digest += size;
  }
}

void empty() {
  for (Block& entry : live) {
    check_block(entry.block, entry.size, entry.tag);
    std::free(entry.block);
  }
}

}  // namespace

int main(int argc, char** argv) {
  bool full = full_run(argc, argv);
  std::uint64_t steps = full ? 8000000 : 1000000;
  Rng rng(0x5EED0002);
  fill(rng);
  churn(rng, steps / 10);  // warm-up: JIT tier-up, steady state
  double start = now_us();
  churn(rng, steps);
  double elapsed = now_us() - start;
  empty();
  print_result(2.0 * static_cast<double>(steps) / elapsed, digest);
  return 0;
}
