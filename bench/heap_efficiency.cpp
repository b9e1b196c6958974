// heap_efficiency: how much of the memory an allocator takes holds live data when it first
// fails. Built with -sINITIAL_MEMORY=2MB -sMAXIMUM_MEMORY=64MB -sALLOW_MEMORY_GROWTH=1
// -sTOTAL_STACK=64KB -fno-builtin (the same for every allocator).
//
// Each step frees a random live block (1 in 3) or allocates a new one: half the sizes are small
// (1..256 bytes), half uniform in 1..10000. Every block is written (first and last byte) and
// checked before it is freed. At the first malloc that returns NULL:
//
//   live  = the bytes requested by the blocks still live
//   grown = emscripten_get_heap_size() at that moment - &__heap_base
//           (all the linear memory past the program's static data and stack that the allocator
//           had, whether it was there at start-up or grown since; the same for every allocator)
//
// RESULT: live / grown, a ratio (higher is better). The bump allocator never frees, so it keeps
// only the blocks that happen to be live at the end.
//
// `heap_efficiency MODE MAP.html`, linked with Alligator, also draws Alligator's heap at that
// moment as a heap map (alligator.h; the link needs -sNODERAWFS=1 to write the host's file).
#include "common.hpp"

#include <emscripten/heap.h>

#include <cstdlib>
#include <vector>

extern "C" unsigned char __heap_base;

namespace {

struct Block {
  void* block;
  std::uint32_t size;
  std::uint8_t tag;
};

}  // namespace

int main(int argc, char** argv) {
  Rng rng(0x5EED0004);
  // The list of live blocks is static data (below __heap_base), so it takes nothing from the
  // allocators. 64 MiB holds about 26000 blocks of these sizes (mean 2564 bytes); 65536 is ample
  // and checked.
  constexpr std::size_t kCapacity = 65536;
  static Block blocks[kCapacity];
  std::size_t count = 0;
  std::uint64_t live_bytes = 0;
  std::uint64_t allocations = 0;
  for (;;) {
    if (count > 0 && rng.next32() % 3 == 0) {
      std::size_t index = rng.next32() % count;
      Block& victim = blocks[index];
      check_block(victim.block, victim.size, victim.tag);
      std::free(victim.block);
      live_bytes -= victim.size;
      victim = blocks[--count];
      continue;
    }
    std::uint32_t size = rng.next32() % 2 == 0 ? rng.range(1, 256) : rng.range(1, 10000);
    void* block = std::malloc(size);
    if (block == nullptr) break;
    check_alignment(block, natural_alignment(size));
    if (count == kCapacity) corrupt("too many live blocks for the list", nullptr);
    Block& entry = blocks[count++];
    entry = {block, size, static_cast<std::uint8_t>(rng.next32())};
    mark_block(block, size, entry.tag);
    live_bytes += size;
    ++allocations;
  }
  std::size_t heap_size = emscripten_get_heap_size();
  std::size_t grown = heap_size - reinterpret_cast<std::uintptr_t>(&__heap_base);
  for (std::size_t i = 0; i < count; ++i) check_block(blocks[i].block, blocks[i].size, blocks[i].tag);
  std::printf("live %llu bytes in %zu blocks after %llu allocations; heap %zu bytes, grown %zu\n",
              static_cast<unsigned long long>(live_bytes), count,
              static_cast<unsigned long long>(allocations), heap_size, grown);
  // CHECK: nothing allocator-independent is left to compare (where it fails depends on the
  // allocator), so the digest is 0 for all.
  print_result(static_cast<double>(live_bytes) / static_cast<double>(grown), 0);
  return draw_heap_map_if_asked(argc, argv) ? 0 : 1;
}
