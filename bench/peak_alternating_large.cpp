// peak_alternating_large: one large block at a time, each 4 MiB larger than the last, from
// 20 MiB to 100 MiB: allocate, write in full, free (issue 17's "alternating large blocks").
// Each freed block and the memory grown for the next should merge into one free run, so the
// memory needed stays near the largest block (dlmalloc: 25 -> 30 -> 36 -> 43 MiB over the first
// four). Built with -fno-builtin.
//
// RESULT: wasm memory size at the end, bytes (lower is better); a NULL prints "OOM malloc(n) ...".
#include "common.hpp"

int main(int argc, char** argv) {
  constexpr std::size_t kMiB = std::size_t{1} << 20;
  std::uint64_t digest = 0;
  std::size_t step = 0;
  for (std::size_t n = 20 * kMiB; n <= 100 * kMiB; n += 4 * kMiB, ++step) {
    auto* block = static_cast<unsigned char*>(std::malloc(n));
    if (block == nullptr) peak_out_of_memory("malloc", n, step);
    std::memset(block, 1, n);
    digest += block[0] + block[n - 1];
    std::free(block);
  }
  print_peak_result(digest);
  if (!draw_heap_map_if_asked(argc, argv)) return 1;  // the heap at its end, every block freed
  return 0;
}
