// peak_regrown_buffer: one buffer live at a time, freed and allocated again 4 MiB larger each
// step, from 8 MiB to 200 MiB, and written in full (issue 17's "regrown buffer"):
//
//   for (n = 8 MiB; n <= 200 MiB; n += 4 MiB) { free(p); p = malloc(n); memset(p, 1, n); }
//
// An allocator whose new pages join the free memory at the top needs little more than the
// largest buffer (dlmalloc: about 206 MiB). Built with -fno-builtin, so no call is elided.
//
// RESULT: wasm memory size at the end, bytes (lower is better); a NULL prints "OOM malloc(n) ...".
#include "common.hpp"

int main(int argc, char** argv) {
  constexpr std::size_t kMiB = std::size_t{1} << 20;
  unsigned char* buffer = nullptr;
  std::uint64_t digest = 0;
  std::size_t step = 0;
  for (std::size_t n = 8 * kMiB; n <= 200 * kMiB; n += 4 * kMiB, ++step) {
    std::free(buffer);
    buffer = static_cast<unsigned char*>(std::malloc(n));
    if (buffer == nullptr) peak_out_of_memory("malloc", n, step);
    std::memset(buffer, 1, n);
    digest += buffer[0] + buffer[n - 1];
  }
  print_peak_result(digest);
  if (!draw_heap_map_if_asked(argc, argv)) return 1;  // the heap at its end, before the last free
  std::free(buffer);
  return 0;
}
