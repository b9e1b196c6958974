// peak_regrown_realloc: peak_regrown_buffer with realloc: one buffer grown 4 MiB at a time from
// 8 MiB to 200 MiB, written in full after each step (issue 17):
//
//   for (n = 8 MiB; n <= 200 MiB; n += 4 MiB) { p = realloc(p, n); memset(p, 1, n); }
//
// A buffer at the top of the heap can grow in place; one that must move each time needs room
// for the old and the new copy. Every step checks the bytes realloc carried over (first, last).
// Built with -fno-builtin.
//
// RESULT: wasm memory size at the end, bytes (lower is better); a NULL prints "OOM realloc(n) ...".
#include "common.hpp"

int main(int argc, char** argv) {
  constexpr std::size_t kMiB = std::size_t{1} << 20;
  unsigned char* buffer = nullptr;
  std::size_t kept = 0;
  std::uint64_t digest = 0;
  std::size_t step = 0;
  for (std::size_t n = 8 * kMiB; n <= 200 * kMiB; n += 4 * kMiB, ++step) {
    buffer = static_cast<unsigned char*>(std::realloc(buffer, n));
    if (buffer == nullptr) peak_out_of_memory("realloc", n, step);
    if (kept != 0 && (buffer[0] != 1 || buffer[kept - 1] != 1)) {
      corrupt("realloc lost the contents", buffer);
    }
    std::memset(buffer, 1, n);
    kept = n;
    digest += buffer[0] + buffer[n - 1];
  }
  print_peak_result(digest);
  if (!draw_heap_map_if_asked(argc, argv)) return 1;  // the heap at its end, before the last free
  std::free(buffer);
  return 0;
}
