// Out of memory under Emscripten, through the real malloc: a program linked with -sMALLOC=none
// and liballigator.a, whose memory may grow only to a small -sMAXIMUM_MEMORY, allocates until
// malloc returns NULL: large blocks, then smaller ones down to 2 KiB (one slot each), so every
// last slot is used and smaller sizes then fail at once. Checks: errno is ENOMEM, the heap
// validates, memory reached its maximum; then everything is freed and the same allocations
// succeed again without growing memory (freed memory is reused, never lost). Compiled with
// -fno-builtin and every block is written, so no call can be elided.
// Exits 0 and prints "out_of_memory: passed" only if every check held.
#include "../program_checks.hpp"
#include <alligator/alligator.h>

#include <emscripten/heap.h>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#ifndef MAXIMUM_MEMORY
#error "build with -DMAXIMUM_MEMORY=<the -sMAXIMUM_MEMORY value>"
#endif

using program_checks::check;
using program_checks::failures;
using program_checks::heap_is_valid;

namespace {

// Each block stores the previous one's address in its first bytes: a linked list threads every
// block (so each pointer is used) without needing memory of its own.
struct Chain {
  void* head = nullptr;
  std::size_t count = 0;
};

constexpr std::size_t kSizes[] = {256 * 1024, 64 * 1024, 6000, 2048, 200, 8};

// Allocates blocks of `size` until malloc fails (or `limit` blocks); true if the failure set
// errno to ENOMEM (or the limit was reached first, when a limit is given).
bool fill(Chain& chain, std::size_t size, std::size_t limit) {
  for (std::size_t i = 0; i < limit; ++i) {
    errno = 0;
    void* block = std::malloc(size);
    if (block == nullptr) return limit == SIZE_MAX && errno == ENOMEM;
    std::memset(block, 0xA5, size);
    std::memcpy(block, &chain.head, sizeof chain.head);
    chain.head = block;
    ++chain.count;
  }
  return true;
}

std::size_t release(Chain& chain) {
  std::size_t freed = 0;
  while (chain.head != nullptr) {
    void* next;
    std::memcpy(&next, chain.head, sizeof next);
    std::free(chain.head);
    chain.head = next;
    ++freed;
  }
  chain.count = 0;
  return freed;
}

}  // namespace

int main() {
  constexpr std::size_t kClasses = sizeof kSizes / sizeof kSizes[0];
  Chain chains[kClasses];
  std::size_t counts[kClasses];

  // First round: fill memory with each size in turn until malloc says no.
  for (std::size_t c = 0; c < kClasses; ++c) {
    bool enomem = fill(chains[c], kSizes[c], SIZE_MAX);
    counts[c] = chains[c].count;
    std::printf("malloc(%zu) x %zu, then NULL\n", kSizes[c], counts[c]);
    check(enomem, "malloc returned NULL with errno == ENOMEM");
  }
  // Small sizes after 2 KiB usually get nothing: 2 KiB blocks take one whole slot each, so when
  // they fail no slot is left for a new MiniPage of any class. Their NULL must set errno too.
  // After the 256 KiB blocks fewer than 128 slots are left; whether 32 of them remain for a
  // 64 KiB block depends on the table's length (with 16-byte records, 31 are left at 32 MiB), so
  // the smaller large sizes together must have been served.
  check(counts[0] > 0 && counts[1] + counts[2] > 0, "large blocks were served");
  errno = 0;
  check(std::calloc(1, 16) == nullptr && errno == ENOMEM, "calloc fails with ENOMEM too");
  errno = 0;
  void* moved = std::realloc(chains[kClasses - 1].head, 4096);
  check(moved == nullptr && errno == ENOMEM, "realloc fails with ENOMEM");
  if (moved != nullptr) chains[kClasses - 1].head = moved;  // keep the chain intact regardless
  check(heap_is_valid(), "the heap is valid when full");

  alligator_stats full{};
  alligator_get_stats(&full);
  std::size_t heap_size = emscripten_get_heap_size();
  std::printf("full: %zu wasm pages, %zu live blocks, %zu bytes in use, memory %zu of %zu bytes\n",
              full.wasm_pages, full.live_blocks, full.bytes_in_use, heap_size,
              static_cast<std::size_t>(MAXIMUM_MEMORY));
  check(heap_size == static_cast<std::size_t>(MAXIMUM_MEMORY), "memory grew to its maximum");
  check(full.free_bytes == 0, "every slot of the heap is in use");
  std::size_t total = 0;
  for (std::size_t count : counts) total += count;
  check(full.live_blocks >= total, "every block is live");

  std::size_t freed = 0;
  for (Chain& chain : chains) freed += release(chain);
  alligator_stats empty{};
  alligator_get_stats(&empty);
  std::printf("freed %zu blocks: %zu live blocks, %zu free bytes\n", freed, empty.live_blocks,
              empty.free_bytes);
  check(empty.bytes_in_use < full.bytes_in_use / 100, "freeing returned the memory");
  check(heap_is_valid(), "the heap is valid after freeing everything");

  // Second round: the same allocations again, all served from the memory already taken.
  for (std::size_t c = 0; c < kClasses; ++c) {
    check(fill(chains[c], kSizes[c], counts[c]), "the same allocations succeed again");
  }
  alligator_stats again{};
  alligator_get_stats(&again);
  std::printf("again: %zu wasm pages, %zu live blocks\n", again.wasm_pages, again.live_blocks);
  check(again.wasm_pages == full.wasm_pages, "the second round did not grow memory");
  check(emscripten_get_heap_size() == heap_size, "memory size is unchanged");
  check(heap_is_valid(), "the heap is valid after the second round");
  for (Chain& chain : chains) release(chain);

  if (failures != 0) {
    std::fprintf(stderr, "out_of_memory: %d checks failed\n", failures);
    return EXIT_FAILURE;
  }
  std::printf("out_of_memory: passed\n");
  return EXIT_SUCCESS;
}
