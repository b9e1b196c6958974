// Memory growth through the real malloc (issue 17): what a program sees of how the heap grows.
// Linked with -sMALLOC=none and liballigator.a, memory growing from 1 MiB to -sMAXIMUM_MEMORY
// (MAXIMUM_MEMORY here too), a 64 KiB stack, -fno-builtin so no call is elided. One scenario per
// run, named by argv[1]:
//
//   regrown_malloc    for (n = 8 MiB; n <= 200 MiB; n += 4 MiB) { free(p); p = malloc(n);
//                     memset(p, 1, n); } completes (needs MAXIMUM_MEMORY >= 512 MiB)
//   regrown_realloc   the same with p = realloc(p, n), the contents kept at every step
//   realloc_steps     a buffer grown by realloc 64 KiB at a time until NULL reaches at least
//                     58 MiB of a 64 MiB maximum; it keeps its contents, NULL sets ENOMEM
//   alternating       malloc, write and free 20, 24, ... 100 MiB: after each, the memory the
//                     heap took is at most 1.1 x the largest block so far + 1 MiB
//
// Each prints what it measured and "memory_growth <scenario>: passed" only if every check held.
#include "../program_checks.hpp"
#include <alligator/alligator.h>

#include <emscripten/heap.h>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#ifndef MAXIMUM_MEMORY
#error "build with -DMAXIMUM_MEMORY=<the -sMAXIMUM_MEMORY value>"
#endif

using program_checks::check;
using program_checks::failures;
using program_checks::heap_is_valid;

namespace {

constexpr std::size_t kKiB = 1024;
constexpr std::size_t kMiB = 1024 * kKiB;

double mib(std::size_t bytes) { return static_cast<double>(bytes) / kMiB; }

// free + malloc, or realloc, from 8 MiB to 200 MiB in 4 MiB steps, each buffer written in full.
void regrown(bool use_realloc) {
  const char* call = use_realloc ? "realloc" : "malloc";
  unsigned char* buffer = nullptr;
  std::size_t kept = 0;
  for (std::size_t n = 8 * kMiB; n <= 200 * kMiB; n += 4 * kMiB) {
    void* next;
    if (use_realloc) {
      next = std::realloc(buffer, n);
    } else {
      std::free(buffer);
      buffer = nullptr;
      next = std::malloc(n);
    }
    if (next == nullptr) {
      std::printf("%s(%zu MiB) returned NULL with memory at %.1f MiB\n", call, n / kMiB,
                  mib(emscripten_get_heap_size()));
      check(false, "every buffer up to 200 MiB is served");
      std::free(buffer);
      return;
    }
    buffer = static_cast<unsigned char*>(next);
    if (use_realloc && kept != 0) {
      check(buffer[0] == 1 && buffer[kept - 1] == 1, "realloc keeps the contents");
    }
    std::memset(buffer, 1, n);
    kept = n;
  }
  std::printf("%s up to 200 MiB: memory at the end %.1f MiB of %.0f MiB\n", call,
              mib(emscripten_get_heap_size()), mib(MAXIMUM_MEMORY));
  check(heap_is_valid(), "the heap is valid");
  std::free(buffer);
}

// realloc in 64 KiB steps until it fails. One byte per step marks the step's 64 KiB, so every
// byte realloc had to carry can be checked at the end (writing the whole buffer each step would
// cost quadratic time).
void realloc_steps() {
  constexpr std::size_t kStep = 64 * kKiB;
  unsigned char* buffer = nullptr;
  std::size_t size = 0;
  for (;;) {
    errno = 0;
    void* next = std::realloc(buffer, size + kStep);
    if (next == nullptr) {
      check(errno == ENOMEM, "the failing realloc sets ENOMEM");
      break;
    }
    buffer = static_cast<unsigned char*>(next);
    buffer[size] = static_cast<unsigned char>(size / kStep);
    size += kStep;
  }
  std::size_t memory = emscripten_get_heap_size();
  alligator_stats stats{};
  alligator_get_stats(&stats);
  std::printf("realloc in 64 KiB steps reached %zu bytes (%.1f MiB); memory %.1f of %.0f MiB, "
              "%.1f MiB free in the heap\n",
              size, mib(size), mib(memory), mib(MAXIMUM_MEMORY), mib(stats.free_bytes));
  check(size >= 58 * kMiB, "the buffer reaches at least 58 MiB");
  bool kept = true;
  for (std::size_t offset = 0; offset < size; offset += kStep) {
    kept = kept && buffer[offset] == static_cast<unsigned char>(offset / kStep);
  }
  check(kept, "realloc kept every step's byte");
  check(heap_is_valid(), "the heap is valid");
  std::free(buffer);
}

// One large block at a time, 4 MiB larger each time: freed blocks and new pages must merge. The
// bound applies to the pages the heap took from linear memory (alligator_stats.wasm_pages): the
// wasm memory itself also holds the static data and stack, and Emscripten's resize grows it by at
// least 20% at a time whatever the allocator asked for (dlmalloc's goes 34.9 -> 41.9 MiB for a
// 36 MiB block), so its size is printed beside.
void alternating() {
  std::size_t first_over = 0;
  for (std::size_t n = 20 * kMiB; n <= 100 * kMiB; n += 4 * kMiB) {
    auto* block = static_cast<unsigned char*>(std::malloc(n));
    alligator_stats stats{};
    alligator_get_stats(&stats);
    std::size_t heap = stats.wasm_pages * 65536;
    std::size_t bound = n + n / 10 + kMiB;  // the largest block so far is this one
    std::printf("malloc(%zu MiB): heap %.1f MiB (bound %.1f MiB), wasm memory %.1f MiB\n",
                n / kMiB, mib(heap), mib(bound), mib(emscripten_get_heap_size()));
    if (block == nullptr) {
      check(false, "every block up to 100 MiB is served");
      return;
    }
    std::memset(block, 1, n);
    std::free(block);
    if (heap > bound && first_over == 0) first_over = n;
  }
  if (first_over != 0) {
    std::printf("the heap first exceeded the bound at malloc(%zu MiB)\n", first_over / kMiB);
  }
  check(first_over == 0, "the heap stays under 1.1 x the largest block + 1 MiB");
  check(heap_is_valid(), "the heap is valid");
}

}  // namespace

int main(int argc, char** argv) {
  const char* scenario = argc > 1 ? argv[1] : "";
  if (std::strcmp(scenario, "regrown_malloc") == 0) {
    regrown(false);
  } else if (std::strcmp(scenario, "regrown_realloc") == 0) {
    regrown(true);
  } else if (std::strcmp(scenario, "realloc_steps") == 0) {
    realloc_steps();
  } else if (std::strcmp(scenario, "alternating") == 0) {
    alternating();
  } else {
    std::fprintf(stderr, "FAIL: unknown scenario '%s'\n", scenario);
    return EXIT_FAILURE;
  }
  if (failures != 0) {
    std::fprintf(stderr, "memory_growth %s: %d checks failed\n", scenario, failures);
    return EXIT_FAILURE;
  }
  std::printf("memory_growth %s: passed\n", scenario);
  return EXIT_SUCCESS;
}
