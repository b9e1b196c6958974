// peak_large_set: 20 large blocks live at once, sizes uniform in 1..32 MiB; each step frees a
// random one and allocates a new one in its place (issue 17: "about 20 large blocks of several
// MiB live, replaced at random"). 400 replacements from a fixed seed, or from "seed=N" after the
// mode (bench.py runs six seeds). Each block's first and last bytes are marked and checked before
// it is freed (writing whole blocks would only cost time: the figure is the memory size, which
// writing does not change). Built with -fno-builtin.
//
// RESULT: wasm memory size at the end, bytes (lower is better); a NULL prints "OOM malloc(n) ...".
#include "common.hpp"

namespace {

constexpr std::size_t kLive = 20;
constexpr std::size_t kReplacements = 400;
constexpr std::uint32_t kMiB = 1u << 20;

struct Block {
  void* block = nullptr;
  std::uint32_t size = 0;
  std::uint8_t tag = 0;
};

Block blocks[kLive];  // static: the list takes nothing from the allocator

void allocate(Block& entry, Rng& rng, std::size_t step) {
  entry.size = rng.range(kMiB, 32 * kMiB);
  entry.tag = static_cast<std::uint8_t>(rng.next32());
  entry.block = std::malloc(entry.size);
  if (entry.block == nullptr) peak_out_of_memory("malloc", entry.size, step);
  check_alignment(entry.block, natural_alignment(entry.size));
  mark_block(entry.block, entry.size, entry.tag);
}

}  // namespace

int main(int argc, char** argv) {
  Rng rng(seed_from_arguments(argc, argv, 0x5EED0017));
  std::uint64_t digest = 0;
  for (std::size_t i = 0; i < kLive; ++i) allocate(blocks[i], rng, i);
  for (std::size_t step = 0; step < kReplacements; ++step) {
    Block& victim = blocks[rng.next32() % kLive];
    check_block(victim.block, victim.size, victim.tag);
    digest += victim.size;
    std::free(victim.block);
    allocate(victim, rng, kLive + step);
  }
  for (Block& entry : blocks) check_block(entry.block, entry.size, entry.tag);
  print_peak_result(digest);
  if (!draw_heap_map_if_asked(argc, argv)) return 1;  // the heap at its end, before the last free
  for (Block& entry : blocks) std::free(entry.block);
  return 0;
}
