// Emscripten's -sSAFE_HEAP=1 (a debugging build users reach for) with liballigator as malloc.
// Its instrumentation needs emscripten_get_sbrk_ptr (without it the program did not link) and
// checks every load and store against the break stored there: memory the heap grows into later
// is usable only if growth keeps that break up to date. So this program writes and reads blocks
// while the heap grows to hold them (from 2 MiB of memory), then a 48 MiB one, and checks the
// break against sbrk(0), the blocks and the heap.
#include <alligator/alligator.h>

#include <emscripten/heap.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {
int failures = 0;
void check(bool ok, const char* what) {
  if (!ok) {
    std::printf("FAIL: %s\n", what);
    ++failures;
  }
}
// Writes the block end to end, then reads it back.
bool fill_and_check(unsigned char* block, std::size_t size, unsigned char value) {
  std::memset(block, value, size);
  for (std::size_t i = 0; i < size; ++i) {
    if (block[i] != value) return false;
  }
  return true;
}
}  // namespace

int main() {
  std::uintptr_t* brk = emscripten_get_sbrk_ptr();
  check(*brk == reinterpret_cast<std::uintptr_t>(sbrk(0)), "the break is sbrk(0)");
  std::uintptr_t before = *brk;

  constexpr int kBlocks = 400;
  unsigned char* blocks[kBlocks];
  for (int i = 0; i < kBlocks; ++i) {
    std::size_t size = 1 + static_cast<std::size_t>(i) * 97 % 30000;
    blocks[i] = static_cast<unsigned char*>(std::malloc(size));
    check(blocks[i] != nullptr && fill_and_check(blocks[i], size, static_cast<unsigned char>(i)),
          "each block is writable end to end as the heap grows");
  }

  // Far more than the memory the program started with: the heap must grow for it.
  constexpr std::size_t kBig = std::size_t{48} << 20;
  auto* big = static_cast<unsigned char*>(std::malloc(kBig));
  check(big != nullptr, "the large block is allocated");
  check(*brk > before, "growth moved the break past where it started");
  check(*brk >= reinterpret_cast<std::uintptr_t>(big) + kBig, "the break covers the new block");
  check(*brk == reinterpret_cast<std::uintptr_t>(sbrk(0)), "the break is still sbrk(0)");
  check(*brk <= emscripten_get_heap_size(), "the break lies inside wasm memory");
  if (big != nullptr) check(fill_and_check(big, kBig, 0x5A), "the grown-into block is writable");

  // Past -sMAXIMUM_MEMORY: the memory source refuses, and the break stays where it was.
  std::uintptr_t last = *brk;
  void* too_big = std::malloc(std::size_t{200} << 20);
  check(too_big == nullptr && *brk == last, "a refused growth leaves the break");

  for (auto* block : blocks) std::free(block);
  std::free(big);
  check(alligator_validate(nullptr, 0) == 0, "the heap validates");
  if (failures != 0) return EXIT_FAILURE;
  std::printf("safe_heap: passed\n");
  return EXIT_SUCCESS;
}
