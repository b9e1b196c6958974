// peak_mixed_lifetimes: small, medium and large blocks with random lifetimes (issue 17: "many
// medium blocks and random lifetimes"). Three pools, each with its own capacity:
//
//   small   1..256 bytes        up to 20000 live   (70% of the steps)
//   medium  257 bytes..64 KiB   up to  2000 live   (25%)
//   large   64 KiB..4 MiB       up to    40 live   ( 5%)
//
// Each step picks a pool; below its capacity it allocates (3 in 5) or frees a random live block
// of the pool (2 in 5), at capacity it frees one. Freeing a random block gives every block a
// random (geometric) lifetime, and the pools fill to their capacity and churn there: about
// 2.5 MB small, 65 MB medium and 80 MB large live. 400000 steps from a fixed seed, or from
// "seed=N" after the mode (bench.py runs six seeds). Each block's first and last bytes are
// marked and checked before it is freed. Built with -fno-builtin.
//
// RESULT: wasm memory size at the end, bytes (lower is better); a NULL prints "OOM malloc(n) ...".
#include "common.hpp"

namespace {

struct Block {
  void* block;
  std::uint32_t size;
  std::uint8_t tag;
};

struct Pool {
  std::uint32_t low, high;  // sizes uniform in [low, high]
  std::size_t capacity;
  Block* blocks;
  std::size_t count;
};

// Static: the lists take nothing from the allocator.
Block small_blocks[20000];
Block medium_blocks[2000];
Block large_blocks[40];
Pool pools[] = {
    {1, 256, 20000, small_blocks, 0},
    {257, 64 * 1024, 2000, medium_blocks, 0},
    {64 * 1024 + 1, 4 << 20, 40, large_blocks, 0},
};
constexpr std::size_t kSteps = 400000;

}  // namespace

int main(int argc, char** argv) {
  Rng rng(seed_from_arguments(argc, argv, 0x5EED0018));
  std::uint64_t digest = 0;
  for (std::size_t step = 0; step < kSteps; ++step) {
    std::uint32_t pick = rng.next32() % 100;
    Pool& pool = pools[pick < 70 ? 0 : pick < 95 ? 1 : 2];
    bool allocate = pool.count < pool.capacity && (pool.count == 0 || rng.next32() % 5 < 3);
    if (!allocate) {
      std::size_t index = rng.next32() % pool.count;
      Block& victim = pool.blocks[index];
      check_block(victim.block, victim.size, victim.tag);
      digest += victim.size;
      std::free(victim.block);
      victim = pool.blocks[--pool.count];
      continue;
    }
    std::uint32_t size = rng.range(pool.low, pool.high);
    void* block = std::malloc(size);
    if (block == nullptr) peak_out_of_memory("malloc", size, step);
    check_alignment(block, natural_alignment(size));
    Block& entry = pool.blocks[pool.count++];
    entry = {block, size, static_cast<std::uint8_t>(rng.next32())};
    mark_block(block, size, entry.tag);
  }
  for (Pool& pool : pools) {
    for (std::size_t i = 0; i < pool.count; ++i) {
      check_block(pool.blocks[i].block, pool.blocks[i].size, pool.blocks[i].tag);
    }
  }
  print_peak_result(digest);
  if (!draw_heap_map_if_asked(argc, argv)) return 1;  // the heap at its end, its blocks live
  return 0;
}
