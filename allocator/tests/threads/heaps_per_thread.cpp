// heaps_per_thread: several threads, each with a Heap of its own over a SimulatedMemory of its
// own, released at the same moment, so that their first MiniPages write and read the per-class
// tables at once (size_class_map.hpp, ClassTables: one thread writes them, the others wait, then
// all read them). Nothing else is shared, so a race checker's report here is about those tables:
// run under ThreadSanitizer (host) and helgrind (memcheck), it fails on any report. Each thread
// then allocates a block of every small class and a few large ones, writes and checks each, frees
// them all and validates its heap.
//
// Usage: heaps_per_thread [rounds]   each round starts fresh heaps in every thread (default 1;
// only the process's first round can race on the tables). Prints "heaps_per_thread: passed" and
// exits 0, or names the first failure and exits 1.
#include <alligator/heap.hpp>
#include <alligator/shim/simulated_memory.hpp>
#include <alligator/size_classes.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

namespace {

constexpr unsigned kThreads = 4;
constexpr std::size_t kMemoryBytes = std::size_t{8} << 20;
constexpr std::size_t kLargeSizes[] = {20000, 70000, 300000};

std::atomic<bool> failed{false};

void fail(unsigned thread, const char* what, std::size_t size) {
  std::printf("FAIL: thread %u: %s (%zu bytes)\n", thread, what, size);
  failed.store(true);
}

struct Block {
  unsigned char* pointer;
  std::size_t size;
};

void run(unsigned thread, std::atomic<unsigned>& ready) {
  alligator::SimulatedMemory memory(kMemoryBytes);
  alligator::Heap<alligator::SimulatedMemory> heap(memory);
  ready.fetch_add(1);
  while (ready.load() < kThreads) {
  }
  std::vector<Block> blocks;
  blocks.reserve(alligator::kClassSizes.size() + std::size(kLargeSizes));
  auto fill = [thread](std::size_t index) { return static_cast<unsigned char>(thread * 31 + index); };
  for (std::size_t size : alligator::kClassSizes) blocks.push_back({nullptr, size});
  for (std::size_t size : kLargeSizes) blocks.push_back({nullptr, size});
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    blocks[i].pointer = static_cast<unsigned char*>(heap.allocate(blocks[i].size));
    if (blocks[i].pointer == nullptr) return fail(thread, "allocation failed", blocks[i].size);
    std::memset(blocks[i].pointer, fill(i), blocks[i].size);
  }
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    if (heap.usable_size(blocks[i].pointer) < blocks[i].size) {
      return fail(thread, "usable size below the request", blocks[i].size);
    }
    for (std::size_t byte = 0; byte < blocks[i].size; ++byte) {
      if (blocks[i].pointer[byte] != fill(i)) return fail(thread, "content changed", blocks[i].size);
    }
    heap.deallocate(blocks[i].pointer);
  }
  if (!heap.validate().ok()) return fail(thread, "validate() found a broken invariant", 0);
  if (heap.stats().live_blocks != 0) return fail(thread, "blocks left live", 0);
}

}  // namespace

int main(int argc, char** argv) {
  int rounds = argc > 1 ? std::atoi(argv[1]) : 1;
  for (int round = 0; round < rounds && !failed.load(); ++round) {
    std::atomic<unsigned> ready{0};
    std::vector<std::thread> threads;
    for (unsigned thread = 0; thread < kThreads; ++thread) {
      threads.emplace_back(run, thread, std::ref(ready));
    }
    for (std::thread& thread : threads) thread.join();
  }
  if (failed.load()) return 1;
  std::printf("heaps_per_thread: passed\n");
  return 0;
}
