// random_actions: random allocate / free / reallocate, after talc's "random actions" benchmark.
//
// A pool of kSlots slots; each action picks a random slot. An empty slot is allocated; a full
// one is freed (2 in 3) or reallocated (1 in 3). That keeps about 60% of the slots live (at least
// 50 blocks after the first few hundred actions). Sizes are uniform in 1..10000 bytes; the
// alignment is 8 << (tz / 2), tz = trailing zeros of a random 16-bit number (8: 75%, 16: 19%,
// 32: 4.7%, ... up to 2048), so alignments above 8 go through posix_memalign. A reallocated block
// keeps malloc's alignment only (C's realloc promises no more). Every block's first and last
// bytes are checked before it is freed or reallocated.
//
// RESULT: actions per microsecond (higher is better).
#include "common.hpp"

#include <cstdlib>

namespace {

constexpr std::size_t kSlots = 256;
constexpr std::uint32_t kMaxSize = 10000;

struct Slot {
  void* block = nullptr;
  std::uint32_t size = 0;
  std::uint8_t tag = 0;
};

Slot slots[kSlots];
std::uint64_t digest = 0;
std::uint64_t peak_live = 0;

std::size_t random_alignment(Rng& rng) {
  auto bits = static_cast<std::uint16_t>(rng.next32());
  unsigned tz = bits == 0 ? 16 : __builtin_ctz(bits);
  return std::size_t{8} << (tz / 2);
}

void run(Rng& rng, std::uint64_t actions) {
  std::uint64_t live = 0;
  for (std::uint64_t i = 0; i < actions; ++i) {
    Slot& slot = slots[rng.next32() % kSlots];
    std::uint32_t choice = rng.next32() % 3;
    if (slot.block == nullptr) {
      std::uint32_t size = rng.range(1, kMaxSize);
      std::size_t alignment = random_alignment(rng);
      void* block = nullptr;
      if (alignment <= 8) {
        block = std::malloc(size);
      } else if (posix_memalign(&block, alignment, size) != 0) {
        block = nullptr;
      }
      if (block == nullptr) out_of_memory("allocate");
      check_alignment(block, alignment > 8 ? alignment : natural_alignment(size));
      slot = {block, size, static_cast<std::uint8_t>(rng.next32())};
      mark_block(block, size, slot.tag);
      digest += size;
      if (++live > peak_live) peak_live = live;
    } else if (choice < 2) {
      check_block(slot.block, slot.size, slot.tag);
      std::free(slot.block);
      slot.block = nullptr;
      --live;
    } else {
      check_block(slot.block, slot.size, slot.tag);
      std::uint32_t size = rng.range(1, kMaxSize);
      void* block = std::realloc(slot.block, size);
      if (block == nullptr) out_of_memory("reallocate");
      check_alignment(block, natural_alignment(size));
      // The first byte always survives; the old last byte survives when it is still inside.
      auto* bytes = static_cast<unsigned char*>(block);
      if (bytes[0] != slot.tag) corrupt("realloc lost the first byte", block);
      if (slot.size > 1 && slot.size <= size &&
          bytes[slot.size - 1] != static_cast<unsigned char>(slot.tag ^ 0x5A)) {
        corrupt("realloc lost the last byte", block);
      }
      slot.block = block;
      slot.size = size;
      mark_block(block, size, slot.tag);
      digest += size;
    }
  }
}

void free_all() {
  for (Slot& slot : slots) {
    if (slot.block != nullptr) {
      check_block(slot.block, slot.size, slot.tag);
      std::free(slot.block);
      slot.block = nullptr;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  bool full = full_run(argc, argv);
  std::uint64_t actions = full ? 4000000 : 1000000;
  Rng rng(0x5EED0001);
  run(rng, actions / 10);  // warm-up: JIT tier-up, first growth
  free_all();
  double start = now_us();
  run(rng, actions);
  double elapsed = now_us() - start;
  free_all();
  if (peak_live < 50) corrupt("too few live blocks", nullptr);
  print_result(static_cast<double>(actions) / elapsed, digest);
  return 0;
}
