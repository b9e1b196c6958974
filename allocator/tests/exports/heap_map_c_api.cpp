// The heap map's C API on the process heap, through liballigator's malloc: both calls write a
// whole page, the map covers the heap stats() describes, and neither the drawing nor stdio
// allocated while the heap was walked (the writer fails if the two walks differ). Under
// Emscripten the program is linked with -sNODERAWFS=1, so the file lands on the host.
//   heap_map_c_api OUT.html
#include "../program_checks.hpp"
#include <alligator/alligator.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

using program_checks::check;
using program_checks::failures;

namespace {

std::string read_all(const char* path) {
  std::string text;
  if (std::FILE* file = std::fopen(path, "r")) {
    char piece[4096];
    for (std::size_t n; (n = std::fread(piece, 1, sizeof piece, file)) > 0;) text.append(piece, n);
    std::fclose(file);
  }
  return text;
}

// The map's heap is every wasm page taken, and in wasm the rest of the page __heap_base lies in
// (the first growth takes it, allocator/README.md): whole slots, less than a page more.
bool covers_the_heap(const std::string& map, const alligator_stats& stats) {
  const std::string key = "data-heap-bytes=\"";
  std::size_t at = map.find(key);
  if (at == std::string::npos) return false;
  std::size_t bytes = std::strtoull(map.c_str() + at + key.size(), nullptr, 10);
  return bytes / 65536 == stats.wasm_pages && bytes % 2048 == 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: heap_map_c_api OUT.html\n");
    return EXIT_FAILURE;
  }
  // Something to draw: small blocks of two classes, large blocks, holes between them.
  void* blocks[200];
  for (int i = 0; i < 200; ++i) blocks[i] = std::malloc(i % 10 == 0 ? 6000 + i : 24 + i % 3 * 40);
  for (int i = 0; i < 200; i += 3) std::free(blocks[i]);

  check(alligator_write_heap_map(argv[1]) == 0, "alligator_write_heap_map writes the map");
  alligator_stats stats{};
  alligator_get_stats(&stats);
  const std::string map = read_all(argv[1]);
  check(covers_the_heap(map, stats), "the map covers every wasm page taken");
  check(map.find("The heap changed") == std::string::npos, "the heap stood still while drawn");
  check(map.size() > 1000 && map.compare(map.size() - 8, 8, "</html>\n") == 0,
        "the map is a whole page");
  check(map.find("MiniPage, class 64 bytes") != std::string::npos,
        "the map describes the small blocks' MiniPages");

  std::FILE* file = std::fopen(argv[1], "w");
  check(file != nullptr && alligator_write_heap_map_to(file) == 0,
        "alligator_write_heap_map_to writes into an open stream");
  alligator_get_stats(&stats);  // reading the first map grew the heap
  if (file != nullptr) std::fclose(file);
  check(covers_the_heap(read_all(argv[1]), stats), "the stream got the heap as it is now");
  check(alligator_write_heap_map("/nonexistent-directory/map.html") == -1,
        "an unwritable path gives -1");
  // -1 exactly, as alligator.h says (scripts/mutants seed 53: -2 passed every test).
  std::FILE* read_only = std::fopen(argv[1], "r");
  check(read_only != nullptr && alligator_write_heap_map_to(read_only) == -1,
        "a stream that refuses writes gives -1");
  if (read_only != nullptr) std::fclose(read_only);

  for (int i = 0; i < 200; ++i) {
    if (i % 3 != 0) std::free(blocks[i]);
  }
  if (failures != 0) return EXIT_FAILURE;
  std::printf("heap map of %zu wasm pages written to %s (%zu bytes)\n", stats.wasm_pages, argv[1],
              map.size());
  return EXIT_SUCCESS;
}
