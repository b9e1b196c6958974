// A C++ program on Alligator's heap: malloc through alligator::alligator, operator new/delete
// through alligator::new_delete. Prints Alligator's stats while its blocks are live and checks
// that Alligator's heap owns them.
#include <alligator/alligator.h>
#include <alligator/global_heap.hpp>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

int main() {
  std::map<std::string, std::vector<int>> index;
  for (int i = 0; i < 1000; ++i) {
    index["key number " + std::to_string(i % 97)].push_back(i);
  }
  auto node = std::make_unique<std::string>("a string too long for the small-string buffer");
  void* block = std::malloc(100);

  alligator_stats stats{};
  alligator_get_stats(&stats);
  std::printf("app: alligator live blocks %zu, bytes in use %zu, wasm pages %zu\n",
              stats.live_blocks, stats.bytes_in_use, stats.wasm_pages);
  auto& heap = alligator::global_heap();
  bool ok = stats.live_blocks > 97 && heap.owns(block) && heap.owns(node.get()) &&
            heap.owns(node->data()) && heap.owns(index.begin()->second.data());
  std::free(block);
  ok = ok && alligator_validate(nullptr, 0) == 0;
  std::printf("app: %s\n", ok ? "served by Alligator" : "NOT served by Alligator");
  return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
