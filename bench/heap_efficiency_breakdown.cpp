// heap_efficiency_breakdown: where Alligator's memory goes when bench/heap_efficiency.cpp first
// fails. Replays that workload's steps (same seed, sizes, alignments and free choices) on a
// Heap over a SimulatedMemory of the memory the benchmark's heap had, and at the first null
// prints the share of that memory in class rounding, the table, MiniPages' ends (after their last
// Segment), free Segments (those of current MiniPages apart) and free spans. Built for wasm, so
// the class table is the wasm one:
//
//   em++ -O2 -std=c++20 -Iallocator/include -Ishim/include bench/heap_efficiency_breakdown.cpp \
//       allocator/src/{heap_core,span_heap,small_path,bitmap_pool,growth,introspection}.cpp \
//       shim/src/simulated_memory.cpp -sALLOW_MEMORY_GROWTH=1 -sMAXIMUM_MEMORY=1GB \
//       -sWASM_ASYNC_COMPILATION=0 -o out/heap_efficiency_breakdown.js
//   node out/heap_efficiency_breakdown.js [BYTES] [--larger-class] [--classes]
//
// BYTES: the heap's memory (default 66246016, what heap_efficiency's Alligator run reports as
// "grown": from __heap_base to the end of memory). The replay's memory is its whole wasm pages
// and, before them, the rest of the page __heap_base lies in from the next 2 KiB boundary, as
// Emscripten's shim hands it out (SimulatedMemory's first_lead), so it fails at the same step.
// --larger-class: a request that fails is tried again at each larger class size, to see whether
// free Segments of larger classes would carry the run further. --classes: the free bytes of each
// class's MiniPages.
#include <alligator/heap.hpp>
#include <alligator/shim/simulated_memory.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <utility>
#include <vector>

#include "common.hpp"

int main(int argc, char** argv) {
  std::size_t bytes = 66246016;
  bool larger_class = false, per_class = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--larger-class") == 0) {
      larger_class = true;
    } else if (std::strcmp(argv[i], "--classes") == 0) {
      per_class = true;
    } else {
      bytes = std::strtoul(argv[i], nullptr, 10);
    }
  }
  alligator::SimulatedMemory memory(bytes / 65536 * 65536, bytes % 65536);
  alligator::Heap heap(memory);

  // The same draws, in the same order, as bench/heap_efficiency.cpp.
  struct Block {
    void* block;
    std::uint32_t size;
  };
  Rng rng(0x5EED0004);
  std::vector<Block> blocks;
  std::uint64_t live = 0, allocations = 0, served_larger = 0;
  std::uint32_t failed = 0;
  for (;;) {
    if (!blocks.empty() && rng.next32() % 3 == 0) {
      std::size_t index = rng.next32() % blocks.size();
      heap.deallocate(blocks[index].block);
      live -= blocks[index].size;
      blocks[index] = blocks.back();
      blocks.pop_back();
      continue;
    }
    std::uint32_t size = rng.next32() % 2 == 0 ? rng.range(1, 256) : rng.range(1, 10000);
    std::size_t alignment = natural_alignment(size);
    void* block = heap.allocate(size, alignment);
    for (std::size_t c = 0; block == nullptr && larger_class && c < alligator::kClassCount; ++c) {
      std::size_t larger = alligator::class_size(c);
      if (larger > size) block = heap.allocate(larger, alignment);
      if (block != nullptr) ++served_larger;
    }
    if (block == nullptr) {
      failed = size;
      break;
    }
    rng.next32();  // the benchmark draws the block's tag here
    blocks.push_back({block, size});
    live += size;
    ++allocations;
  }

  alligator::HeapStats stats = heap.stats();
  double memory_bytes = 0;  // the heap's bytes: its wasm pages and the first growth's lead
  heap.walk([&](const alligator::SpanView& span) {
    memory_bytes += static_cast<double>(span.bytes);
  });
  auto share = [&](double part) { return 100 * part / memory_bytes; };
  double free_segments = 0, in_current = 0, ends = 0;
  std::map<unsigned, double> free_by_class;
  heap.walk([&](const alligator::SpanView& span) {
    if (span.kind != alligator::SpanKind::mini_page) return;
    double size = static_cast<double>(alligator::class_size(span.size_class));
    double free_bytes = (span.segments - span.live_segments) * size;
    free_segments += free_bytes;
    if (span.current) in_current += free_bytes;
    ends += static_cast<double>(span.bytes) - span.segments * size;
    free_by_class[static_cast<unsigned>(size)] += free_bytes;
  });
  std::printf("first failure: malloc(%u) after %llu allocations; %llu bytes live in %zu blocks\n",
              failed, static_cast<unsigned long long>(allocations),
              static_cast<unsigned long long>(live), blocks.size());
  if (larger_class) {
    std::printf("requests served by a larger class: %llu\n",
                static_cast<unsigned long long>(served_larger));
  }
  std::printf("live / memory: %.4f of %.0f bytes\n", live / memory_bytes, memory_bytes);
  double rounding = static_cast<double>(stats.bytes_in_use) - static_cast<double>(live);
  std::printf("class rounding     %6.2f%%\n", share(rounding));
  std::printf("table              %6.2f%%\n", share(static_cast<double>(stats.metadata_bytes)));
  std::printf("MiniPages' ends    %6.2f%%\n", share(ends));
  std::printf("free Segments      %6.2f%% (in current MiniPages %.2f%%)\n", share(free_segments),
              share(in_current));
  std::printf("free spans         %6.2f%%\n", share(static_cast<double>(stats.free_bytes)));
  if (per_class) {
    for (const auto& [size, free_bytes] : free_by_class) {
      std::printf("  class %5u: %8.0f bytes in free Segments\n", size, free_bytes);
    }
  }
  return 0;
}
