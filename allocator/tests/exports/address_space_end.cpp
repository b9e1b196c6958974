// malloc at the end of wasm32's 4 GiB address space (Emscripten: -sMAXIMUM_MEMORY=4GB; wasm32-wasi:
// wasm-ld sets no maximum, so memory may grow to all 65,536 pages). Blocks of shrinking sizes,
// down to 2 KiB, fill the memory until not one more fits: every failure must be nullptr with
// errno ENOMEM, never an abort. No memory source may hand out the last page, whose end, 2^32,
// is 0 in 32 bits (memory_source.hpp): wasm32-wasi's once did, its break read 0 afterwards, and
// the next growth handed out the heap's start again, which the heap diagnosed and aborted on.
// Then everything frees, the validator finds nothing, and the largest size fits as often again.
#include "../program_checks.hpp"

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

using program_checks::check;
using program_checks::failures;

namespace {

constexpr std::size_t kMaxBlocks = 4096;
void* blocks[kMaxBlocks];
std::size_t block_count = 0;

// Allocates blocks of `size` until one fails; returns how many it got.
std::size_t fill(std::size_t size) {
  std::size_t got = 0;
  while (block_count < kMaxBlocks) {
    errno = 0;
    void* block = std::malloc(size);
    if (block == nullptr) {
      check(errno == ENOMEM, "a failed malloc sets errno to ENOMEM");
      return got;
    }
    blocks[block_count++] = block;
    ++got;
  }
  check(false, "the memory held more blocks than this program keeps");
  return got;
}

}  // namespace

int main() {
  constexpr std::size_t kLargest = std::size_t{512} << 20;
  std::size_t largest = fill(kLargest);
  std::printf("%zu-byte blocks: %zu\n", kLargest, largest);
  for (std::size_t size = kLargest / 8; size >= 2048; size /= 8) {
    std::printf("%zu-byte blocks: %zu\n", size, fill(size));
  }
  std::uintptr_t highest = 0;
  for (std::size_t i = 0; i < block_count; ++i) {
    auto start = reinterpret_cast<std::uintptr_t>(blocks[i]);
    if (start > highest) highest = start;
  }
  std::printf("%zu blocks in all; the highest starts at %#zx\n", block_count,
              static_cast<std::size_t>(highest));
  check(highest > (std::uintptr_t{0xF} << 28), "the blocks reach past 3.75 GiB");
  // The memory is full: more requests fail the same way, again and again.
  for (int i = 0; i < 3; ++i) {
    errno = 0;
    check(std::malloc(64 * 1024) == nullptr && errno == ENOMEM,
          "a full memory refuses 64 KiB with ENOMEM");
  }
  check(program_checks::heap_is_valid(), "the full heap is valid");
  while (block_count > 0) std::free(blocks[--block_count]);
  check(program_checks::heap_is_valid(), "the emptied heap is valid");
  check(fill(kLargest) == largest, "everything freed, as many of the largest blocks fit again");
  while (block_count > 0) std::free(blocks[--block_count]);
  if (failures != 0) return 1;
  std::printf("address_space_end: passed\n");
  return 0;
}
