// Hello, world! on Alligator's heap: the C way (malloc) and the C++ way (new), then Alligator's
// own account of the memory it handed out. Linked with liballigator.a (the malloc exports; on
// Emscripten with -sMALLOC=none) and alligator_new_delete (operator new/delete), so both reach
// the one process-wide heap. Exits non-zero if any block came from somewhere else.
#include <alligator/alligator.h>
#include <alligator/global_heap.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

int main() {
  const char hello[] = "Hello, world!";
  auto* greeting = static_cast<char*>(std::malloc(sizeof hello));  // C: malloc
  if (greeting == nullptr) return EXIT_FAILURE;
  std::memcpy(greeting, hello, sizeof hello);
  auto* served_by = new std::string("Alligator served this greeting");  // C++: new

  // Too long for the string's inline buffer, so its characters live on the heap too.
  bool alligator_served = alligator::global_heap().owns(greeting) &&
                          alligator::global_heap().owns(served_by) &&
                          alligator::global_heap().owns(served_by->data());
  std::printf("%s %s from its own heap (malloc and new).\n", greeting, served_by->c_str());

  alligator_stats stats{};
  alligator_get_stats(&stats);
  std::printf("  MiniPages in use: %zu\n", stats.mini_pages);
  std::printf("  wasm pages grown: %zu (64 KiB each)\n", stats.wasm_pages);
  std::printf("  live blocks:      %zu\n", stats.live_blocks);
  std::printf("  bytes in use:     %zu\n", stats.bytes_in_use);

  delete served_by;
  std::free(greeting);

  if (!alligator_served) {
    std::fprintf(stderr, "hello_world: a block did not come from Alligator's heap\n");
    return EXIT_FAILURE;
  }
  std::printf("Every block came from Alligator.\n");
  return EXIT_SUCCESS;
}
