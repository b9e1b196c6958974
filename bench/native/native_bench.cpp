// Native (g++ -m32, i686: wasm32's pointer size) measurements of the allocators' own code, over
// one simulated wasm memory (native_shim.c): Alligator (alligator::Heap from allocator/src, over
// the shim's sbrk), and Emscripten's dlmalloc.c and emmalloc.c compiled from
// /usr/share/emscripten/system/lib with Emscripten's configuration (bench.py).
// One allocator per binary: -DBENCH_ALLIGATOR, -DBENCH_DLMALLOC or -DBENCH_EMMALLOC.
//
// The workload: a live set of blocks whose sizes are drawn 90% from 1..256 bytes, 9% from
// 257..2048 and 1% from 2049..16384; each operation frees a random live block and allocates
// one of a new random size in its place (an alloc+free pair). The live set is filled, then
// churned (max(live, 10^5) operations) before anything is measured.
//
//   native_bench latency <live> <operations> [<samples file>]
//       rdtsc (lfence-fenced) around each pair. Prints
//       "LATENCY <p50> <p99> <max> <overhead> <step>": percentiles of the pairs' TSC ticks minus
//       the overhead (the median of 10^4 empty measurements), that overhead, and the timer's
//       step (virtual machines may advance the TSC coarsely). With a samples file, also writes every pair's ticks
//       there, in order (uint32, native byte order): the sequence is the same in every run, so
//       bench.py takes each pair's median over the runs, which removes the interrupts and
//       preemptions that hit single runs.
//   native_bench steps <live> <operations>
//       The measured operations run between Callgrind client requests; under
//       valgrind --tool=callgrind --instr-atstart=no --collect-atstart=no the instructions
//       counted are those of the pairs alone (operation sizes and indexes are drawn before).
#include <algorithm>
#include <cinttypes>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <valgrind/callgrind.h>
#include <x86intrin.h>

extern "C" {
void bench_sim_init(std::size_t max_bytes);
void* bench_sim_sbrk(std::intptr_t increment);
}

#if defined(BENCH_ALLIGATOR)
#include <alligator/heap.hpp>
namespace {
constexpr const char* kName = "alligator";
// The memory native_shim.c gives dlmalloc and emmalloc, so that all three pay the same for
// growth. (alligator::SimulatedMemory commits each grow with mprotect, a system call the others'
// growth does not make: about a quarter of Alligator's slowest pairs.) The break starts
// 64 KiB-aligned and only Alligator moves it, in whole wasm pages, so each grow is a page run.
struct SharedSimulatedMemory {
  std::byte* grow(std::size_t pages) {
    // Past the 1 GiB region (and before sbrk's signed increment could wrap): refused.
    if (pages > (std::size_t{1} << 30) / alligator::kWasmPageSize) return nullptr;
    void* start = bench_sim_sbrk(static_cast<std::intptr_t>(pages * alligator::kWasmPageSize));
    return start == reinterpret_cast<void*>(-1) ? nullptr : static_cast<std::byte*>(start);
  }
};
SharedSimulatedMemory memory;
alligator::Heap<SharedSimulatedMemory> heap(memory);
void setup() { bench_sim_init(std::size_t{1} << 30); }
inline void* bench_malloc(std::size_t size) { return heap.allocate(size, 1); }
inline void bench_free(void* block) { heap.deallocate(block); }
}  // namespace
#elif defined(BENCH_DLMALLOC) || defined(BENCH_EMMALLOC)
extern "C" {
void* dlmalloc(std::size_t size);
void dlfree(void* block);
void* emmalloc_malloc(std::size_t size);
void emmalloc_free(void* block);
}
namespace {
void setup() { bench_sim_init(std::size_t{1} << 30); }
#if defined(BENCH_DLMALLOC)
constexpr const char* kName = "dlmalloc";
inline void* bench_malloc(std::size_t size) { return dlmalloc(size); }
inline void bench_free(void* block) { dlfree(block); }
#else
constexpr const char* kName = "emmalloc";
inline void* bench_malloc(std::size_t size) { return emmalloc_malloc(size); }
inline void bench_free(void* block) { emmalloc_free(block); }
#endif
}  // namespace
#else
#error "define BENCH_ALLIGATOR, BENCH_DLMALLOC or BENCH_EMMALLOC"
#endif

namespace {

struct Rng {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::uint32_t range(std::uint32_t low, std::uint32_t high) {
    return low + static_cast<std::uint32_t>(next() % (std::uint64_t{high} - low + 1));
  }
};

std::uint32_t random_size(Rng& rng) {
  std::uint32_t pick = rng.range(0, 99);
  if (pick < 90) return rng.range(1, 256);
  if (pick < 99) return rng.range(257, 2048);
  return rng.range(2049, 16384);
}

struct Block {
  unsigned char* block;
  std::uint32_t size;
};

[[noreturn]] void fail(const char* what, const void* block) {
  std::printf("CORRUPT %s: %s at %p\n", kName, what, block);
  std::fflush(stdout);
  std::exit(3);
}

unsigned char* allocate(std::uint32_t size) {
  auto* block = static_cast<unsigned char*>(bench_malloc(size));
  if (block == nullptr) {
    std::printf("OOM %s\n", kName);
    std::exit(2);
  }
  return block;
}

void mark(const Block& entry) {
  entry.block[0] = static_cast<unsigned char>(entry.size);
  if (entry.size > 1) entry.block[entry.size - 1] = static_cast<unsigned char>(entry.size >> 3);
}

void check(const Block& entry) {
  if (entry.block[0] != static_cast<unsigned char>(entry.size) ||
      (entry.size > 1 &&
       entry.block[entry.size - 1] != static_cast<unsigned char>(entry.size >> 3))) {
    fail("block contents changed", entry.block);
  }
}

std::vector<Block> fill_and_churn(Rng& rng, std::size_t live) {
  std::vector<Block> blocks(live);
  for (Block& entry : blocks) {
    entry.size = random_size(rng);
    entry.block = allocate(entry.size);
    mark(entry);
  }
  std::size_t churn = std::max<std::size_t>(live, 100000);
  for (std::size_t i = 0; i < churn; ++i) {
    Block& entry = blocks[rng.next() % live];
    check(entry);
    bench_free(entry.block);
    entry.size = random_size(rng);
    entry.block = allocate(entry.size);
    mark(entry);
  }
  return blocks;
}

// lfence as inline assembly: -m32 targets i686 without SSE2, where _mm_lfence is unavailable
// (every x86 CPU that runs this has it).
inline std::uint64_t ticks() {
  asm volatile("lfence" ::: "memory");
  std::uint64_t now = __rdtsc();
  asm volatile("lfence" ::: "memory");
  return now;
}

int latency(std::size_t live, std::size_t operations, const char* samples_path) {
  Rng rng{0x5EED0005};
  std::vector<Block> blocks = fill_and_churn(rng, live);
  std::vector<std::uint32_t> indexes(operations), sizes(operations);
  for (std::size_t i = 0; i < operations; ++i) {
    indexes[i] = static_cast<std::uint32_t>(rng.next() % live);
    sizes[i] = random_size(rng);
  }
  std::vector<std::uint64_t> empty(10000);
  for (auto& sample : empty) {
    std::uint64_t start = ticks();
    sample = ticks() - start;
  }
  std::sort(empty.begin(), empty.end());
  std::uint64_t overhead = empty[empty.size() / 2];
  // The timer's step. Virtual machines may advance the TSC coarsely (the empty measurements then
  // take a few values, e.g. 49, 73/74, 98): cluster the frequent values (a difference of 1 is
  // rounding) and take the smallest gap between clusters; on a fine-grained TSC every frequent
  // value joins one cluster and the step is 1.
  double step = 1;
  {
    std::vector<std::uint64_t> frequent;
    for (std::size_t i = 0; i < empty.size();) {
      std::size_t j = i;
      while (j < empty.size() && empty[j] == empty[i]) ++j;
      if (j - i >= empty.size() / 200) frequent.push_back(empty[i]);
      i = j;
    }
    std::vector<double> centers;
    for (std::size_t i = 0; i < frequent.size();) {
      std::size_t j = i + 1;
      while (j < frequent.size() && frequent[j] - frequent[j - 1] <= 1) ++j;
      centers.push_back((frequent[i] + frequent[j - 1]) / 2.0);
      i = j;
    }
    for (std::size_t i = 1; i < centers.size(); ++i) {
      step = i == 1 ? centers[1] - centers[0] : std::min(step, centers[i] - centers[i - 1]);
    }
  }

  std::vector<std::uint64_t> samples(operations);
  for (std::size_t i = 0; i < operations; ++i) {
    Block& entry = blocks[indexes[i]];
    check(entry);
    std::uint64_t start = ticks();
    bench_free(entry.block);
    void* block = bench_malloc(sizes[i]);
    std::uint64_t stop = ticks();
    if (block == nullptr) {
      std::printf("OOM %s\n", kName);
      return 2;
    }
    entry = {static_cast<unsigned char*>(block), sizes[i]};
    mark(entry);
    std::uint64_t elapsed = stop - start;
    samples[i] = elapsed > overhead ? elapsed - overhead : 0;
  }
  for (const Block& entry : blocks) check(entry);
  if (samples_path != nullptr) {
    std::vector<std::uint32_t> narrow(operations);
    for (std::size_t i = 0; i < operations; ++i) {
      narrow[i] = static_cast<std::uint32_t>(std::min<std::uint64_t>(samples[i], UINT32_MAX));
    }
    std::FILE* file = std::fopen(samples_path, "wb");
    if (file == nullptr || std::fwrite(narrow.data(), 4, operations, file) != operations ||
        std::fclose(file) != 0) {
      std::perror(samples_path);
      return 1;
    }
  }
  std::sort(samples.begin(), samples.end());
  auto percentile = [&](double p) {
    return samples[std::min(samples.size() - 1, static_cast<std::size_t>(p * samples.size()))];
  };
  std::printf("LATENCY %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %.1f\n",
              percentile(0.50), percentile(0.99), samples.back(), overhead, step);
  return 0;
}

int steps(std::size_t live, std::size_t operations) {
  Rng rng{0x5EED0006};
  std::vector<Block> blocks = fill_and_churn(rng, live);
  std::vector<std::uint32_t> indexes(operations), sizes(operations);
  for (std::size_t i = 0; i < operations; ++i) {
    indexes[i] = static_cast<std::uint32_t>(rng.next() % live);
    sizes[i] = random_size(rng);
  }
  CALLGRIND_START_INSTRUMENTATION;
  CALLGRIND_TOGGLE_COLLECT;
  for (std::size_t i = 0; i < operations; ++i) {
    Block& entry = blocks[indexes[i]];
    bench_free(entry.block);
    entry.block = static_cast<unsigned char*>(bench_malloc(sizes[i]));
    entry.size = sizes[i];
  }
  CALLGRIND_TOGGLE_COLLECT;
  CALLGRIND_STOP_INSTRUMENTATION;
  for (Block& entry : blocks) {
    if (entry.block == nullptr) {
      std::printf("OOM %s\n", kName);
      return 2;
    }
  }
  std::printf("STEPS %s live=%zu operations=%zu\n", kName, live, operations);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4 && !(argc == 5 && std::strcmp(argv[1], "latency") == 0)) {
    std::fprintf(stderr, "usage: %s latency|steps <live> <operations> [<samples file>]\n",
                 argv[0]);
    return 1;
  }
  setup();
  std::size_t live = std::strtoull(argv[2], nullptr, 10);
  std::size_t operations = std::strtoull(argv[3], nullptr, 10);
  if (live == 0 || operations == 0) return 1;
  if (std::strcmp(argv[1], "latency") == 0) {
    return latency(live, operations, argc == 5 ? argv[4] : nullptr);
  }
  if (std::strcmp(argv[1], "steps") == 0) return steps(live, operations);
  return 1;
}
