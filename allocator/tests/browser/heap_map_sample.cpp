// Writes the heap map of a sample workload, for the browser test and the README's picture:
//   heap_map_sample OUT.html [mixed|big]
//   mixed  heap_efficiency's mix on a Heap<SimulatedMemory> of 8 MiB: each step frees a random
//          live block (1 in 3) or allocates one, half the sizes 1..256 bytes and half 1..10000,
//          for 3,000 steps; then every block of 96 to 256 bytes is freed (a class drained late)
//   big    a 1 GiB heap: large blocks of 64 KiB to 4 MiB with small blocks between them, every
//          third freed (drawn in aggregated cells)
// Prints "heap_bytes N" (wasm pages taken x 64 KiB, from stats()): what the map must add up to.
#include <alligator/heap.hpp>
#include <alligator/heap_map.hpp>
#include <alligator/shim/simulated_memory.hpp>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

namespace {

struct Rng {  // xorshift64*: the same sequence everywhere
  std::uint64_t state;
  std::uint32_t next() {
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return static_cast<std::uint32_t>((state * 0x2545F4914F6CDD1Dull) >> 32);
  }
  std::uint32_t range(std::uint32_t low, std::uint32_t high) { return low + next() % (high - low + 1); }
};

struct Block {
  void* pointer;
  std::uint32_t size;
};

}  // namespace

int main(int argc, char** argv) {
  const bool big = argc == 3 && std::strcmp(argv[2], "big") == 0;
  if (argc < 2 || argc > 3 || (argc == 3 && !big && std::strcmp(argv[2], "mixed") != 0)) {
    std::fprintf(stderr, "usage: heap_map_sample OUT.html [mixed|big]\n");
    return 2;
  }
  alligator::SimulatedMemory memory(big ? std::size_t{1} << 30 : std::size_t{8} << 20);
  alligator::Heap heap(memory);
  Rng rng{0x5EED0004};
  std::vector<Block> live;
  if (big) {
    for (;;) {
      std::uint32_t size = live.size() % 8 == 7 ? rng.range(1, 2048) : rng.range(65536, 4 << 20);
      void* pointer = heap.allocate(size);
      if (pointer == nullptr) break;
      live.push_back({pointer, size});
    }
    for (std::size_t i = 0; i < live.size(); i += 3) heap.deallocate(live[i].pointer);
  } else {
    for (int step = 0; step < 3000; ++step) {
      if (!live.empty() && rng.next() % 3 == 0) {
        std::size_t index = rng.next() % live.size();
        heap.deallocate(live[index].pointer);
        live[index] = live.back();
        live.pop_back();
        continue;
      }
      std::uint32_t size = rng.next() % 2 == 0 ? rng.range(1, 256) : rng.range(1, 10000);
      if (void* pointer = heap.allocate(size)) live.push_back({pointer, size});
    }
    for (const Block& block : live) {
      if (block.size > 96 && block.size <= 256) heap.deallocate(block.pointer);
    }
  }
  std::FILE* file = std::fopen(argv[1], "w");
  if (file == nullptr) {
    std::fprintf(stderr, "heap_map_sample: cannot write %s\n", argv[1]);
    return 1;
  }
  bool written = alligator::write_heap_map(
      heap, file, big ? "Sample: a 1 GiB heap of large blocks" : "Sample: heap_efficiency's mix");
  written = std::fclose(file) == 0 && written;
  if (!written) {
    std::fprintf(stderr, "heap_map_sample: writing %s failed\n", argv[1]);
    return 1;
  }
  std::printf("heap_bytes %zu\n", heap.stats().wasm_pages * std::size_t{65536});
  return 0;
}
