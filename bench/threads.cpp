// threads: the same malloc/free churn in 1, 2 or 4 threads at once (built with -pthread).
//
// Each thread keeps its own 1000 live blocks of 1..512 bytes (uniform) and, per step, frees a
// random one (after checking its first and last bytes) and allocates one of a new random size
// in its place. Every thread does the same number of steps, from its own fixed seed; the clock
// runs on the main thread from releasing the started threads to joining the last one.
//
//   threads.js <quick|full>:<threads>     (one argument: bench.py passes the mode as one)
//
// RESULT: operations per microsecond over all threads, a free and a malloc counting as one
// operation each (higher is better).
//
// Built with THREADS_WITHOUT_ALLOCATOR (the bump column of the threads rows), the steps call no
// allocator: each entry keeps one 512-byte block, allocated before the clock starts, and its
// "new" block is that one again. The rest is the same work, so its speedup from 1 to 2 threads is
// the most any allocator could reach on the machine that ran it.
#include "common.hpp"

#include <atomic>
#include <thread>
#include <vector>

namespace {

constexpr std::size_t kLive = 1000;
constexpr std::uint32_t kMaxSize = 512;

struct Block {
  void* block;
  std::uint32_t size;
  std::uint8_t tag;
};

std::atomic<unsigned> ready{0};
std::atomic<bool> go{false};

void* allocate(std::uint32_t size) {
  void* block = std::malloc(size);
  if (block == nullptr) out_of_memory("malloc");
  check_alignment(block, natural_alignment(size));
  return block;
}

void churn(unsigned thread, std::uint64_t steps, std::uint64_t* digest) {
  Rng rng(0x5EED0000u + thread);
  std::vector<Block> live(kLive);
  for (Block& entry : live) {
    std::uint32_t size = rng.range(1, kMaxSize);
#if defined(THREADS_WITHOUT_ALLOCATOR)
    entry = {allocate(kMaxSize), size, static_cast<std::uint8_t>(rng.next32())};
#else
    entry = {allocate(size), size, static_cast<std::uint8_t>(rng.next32())};
#endif
    mark_block(entry.block, size, entry.tag);
  }
  ++ready;
  while (!go.load(std::memory_order_acquire)) {
  }
  std::uint64_t sum = 0;
  for (std::uint64_t i = 0; i < steps; ++i) {
    Block& entry = live[rng.next32() % kLive];
    check_block(entry.block, entry.size, entry.tag);
    std::uint32_t size = rng.range(1, kMaxSize);
#if defined(THREADS_WITHOUT_ALLOCATOR)
    entry = {entry.block, size, static_cast<std::uint8_t>(rng.next32())};
#else
    std::free(entry.block);
    entry = {allocate(size), size, static_cast<std::uint8_t>(rng.next32())};
#endif
    mark_block(entry.block, size, entry.tag);
    sum += size;
  }
  for (Block& entry : live) {
    check_block(entry.block, entry.size, entry.tag);
    std::free(entry.block);
  }
  *digest = sum;
}

}  // namespace

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "quick:1";
  const char* colon = std::strchr(mode, ':');
  unsigned threads = colon != nullptr ? static_cast<unsigned>(std::atoi(colon + 1)) : 0;
  if (threads == 0 || threads > 4) {
    std::printf("usage: threads <quick|full>:<1..4>\n");
    return 1;
  }
  std::uint64_t steps = std::strncmp(mode, "full", 4) == 0 ? 2000000 : 400000;
  std::vector<std::uint64_t> digests(threads);
  std::vector<std::thread> workers;
  for (unsigned thread = 0; thread < threads; ++thread) {
    workers.emplace_back(churn, thread, steps, &digests[thread]);
  }
  while (ready.load() != threads) {
  }
  double start = now_us();
  go.store(true, std::memory_order_release);
  for (std::thread& worker : workers) worker.join();
  double elapsed = now_us() - start;
  std::uint64_t check = 0;
  for (std::uint64_t digest : digests) check += digest;
  print_result(2.0 * static_cast<double>(steps) * threads / elapsed, check);
  return 0;
}
