// liballigator.a exports the malloc family: calls through the standard names must reach
// Alligator's process-wide heap, not the target's built-in allocator. Exits non-zero, naming
// each function that was not served by Alligator or broke its contract.
#include "../program_checks.hpp"
#include <alligator/alligator.h>
#include <alligator/global_heap.hpp>

#include <malloc.h>

#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#if defined(__EMSCRIPTEN__)
#include <unistd.h>
#endif

#if defined(__wasi__)
// wasi-libc builds no memalign and so declares none; liballigator exports it on every target.
extern "C" void* memalign(std::size_t alignment, std::size_t size);
#endif

#if defined(__wasm__)
extern "C" unsigned char __heap_base;  // where the heap begins (memory_source.hpp)
#endif

// mallinfo and malloc_trim (where ALLIGATOR_EXPORTS_MALLINFO, alligator.h, says): Emscripten's
// <malloc.h> declares no malloc_trim (its <emscripten/emmalloc.h> does).
#if defined(ALLIGATOR_EXPORTS_MALLINFO) && defined(__EMSCRIPTEN__)
extern "C" int malloc_trim(std::size_t pad);
#endif

using program_checks::check;
using program_checks::failures;

namespace {

bool served(const void* block) { return block != nullptr && alligator::global_heap().owns(block); }

bool aligned(const void* block, std::size_t alignment) {
  return reinterpret_cast<std::uintptr_t>(block) % alignment == 0;
}

}  // namespace

int main() {
  alligator_stats before{};
  alligator_get_stats(&before);

  void* from_malloc = std::malloc(100);
  check(served(from_malloc), "malloc served by Alligator");
  std::memset(from_malloc, 0xA5, 100);

  // Where the heap begins (memory_source.hpp): in wasm at __heap_base rounded up to 2 KiB, its
  // first growth taking the rest of that page; on hosts, simulated memory, on a page.
  const std::byte* heap_start = nullptr;
  alligator::global_heap().walk([&heap_start](const alligator::SpanView& span) {
    if (heap_start == nullptr) heap_start = span.start;
  });
  auto start = reinterpret_cast<std::uintptr_t>(heap_start);
#if defined(__wasm__)
  auto heap_base = reinterpret_cast<std::uintptr_t>(&__heap_base);
  check(start == ((heap_base + 2047) & ~std::uintptr_t{2047}),
        "the heap begins at __heap_base, rounded up to 2 KiB");
#else
  check(start != 0 && start % 65536 == 0, "the simulated memory's heap begins on a page");
#endif

  auto* from_calloc = static_cast<unsigned char*>(std::calloc(10, 30));
  check(served(from_calloc), "calloc served by Alligator");
  bool zeroed = from_calloc != nullptr;
  for (std::size_t i = 0; zeroed && i < 300; ++i) zeroed = from_calloc[i] == 0;
  check(zeroed, "calloc zeroes its block");

  auto* from_realloc = static_cast<unsigned char*>(std::realloc(from_malloc, 5000));
  check(served(from_realloc), "realloc served by Alligator");
  bool kept = from_realloc != nullptr;
  for (std::size_t i = 0; kept && i < 100; ++i) kept = from_realloc[i] == 0xA5;
  check(kept, "realloc keeps the contents");

  void* from_aligned_alloc = aligned_alloc(64, 128);
  check(served(from_aligned_alloc), "aligned_alloc served by Alligator");
  check(aligned(from_aligned_alloc, 64), "aligned_alloc honours its alignment");

  void* from_posix_memalign = nullptr;
  check(posix_memalign(&from_posix_memalign, 256, 40) == 0, "posix_memalign succeeds");
  check(served(from_posix_memalign), "posix_memalign served by Alligator");
  check(aligned(from_posix_memalign, 256), "posix_memalign honours its alignment");

  void* from_memalign = memalign(4096, 10);
  check(served(from_memalign), "memalign served by Alligator");
  check(aligned(from_memalign, 4096), "memalign honours its alignment");

#if defined(__EMSCRIPTEN__)
  // sbrk(n) hands out n bytes as a block of Alligator's heap, 16-aligned, never freed.
  void* from_sbrk = sbrk(100);
  check(from_sbrk != reinterpret_cast<void*>(-1) && served(from_sbrk),
        "sbrk served by Alligator");
  check(aligned(from_sbrk, 16), "sbrk's block is 16-aligned");
#endif

  check(malloc_usable_size(from_realloc) >= 5000, "malloc_usable_size covers the request");
  check(malloc_usable_size(nullptr) == 0, "malloc_usable_size(NULL) is 0");

  alligator_stats during{};
  alligator_get_stats(&during);
  check(during.live_blocks >= before.live_blocks + 5, "alligator_get_stats counts the blocks");

#if defined(ALLIGATOR_EXPORTS_MALLINFO)
  // mallinfo's figures are this heap's: a system allocator's arena is not Alligator's pages.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"  // glibc: deprecated for mallinfo2
  struct mallinfo info = mallinfo();
#pragma GCC diagnostic pop
  alligator_stats now{};
  alligator_get_stats(&now);
  // The heap's bytes: its wasm pages, and in wasm the rest of the page __heap_base lies in.
  std::size_t heap_bytes = 0;
  alligator::global_heap().walk(
      [&heap_bytes](const alligator::SpanView& span) { heap_bytes += span.bytes; });
  check(static_cast<std::size_t>(info.arena) == heap_bytes &&
            heap_bytes / 65536 == now.wasm_pages,
        "mallinfo's arena is Alligator's heap: its pages and the rest of the first");
  check(static_cast<std::size_t>(info.uordblks) == now.bytes_in_use,
        "mallinfo's uordblks is Alligator's bytes in use");
  check(info.uordblks + info.fordblks == info.arena, "mallinfo: uordblks + fordblks = arena");
  std::size_t free_spans = 0;
  alligator::global_heap().walk([&free_spans](const alligator::SpanView& span) {
    if (span.kind == alligator::SpanKind::free) ++free_spans;
  });
  check(static_cast<std::size_t>(info.ordblks) == free_spans, "mallinfo's ordblks is the free spans");
  check(info.hblks == 0 && info.hblkhd == 0 && info.keepcost == 0,
        "mallinfo: no mapped regions, nothing to give back to the system");
#if defined(ALLIGATOR_EXPORTS_MALLINFO2)
  struct mallinfo2 info2 = mallinfo2();
  check(info2.arena == heap_bytes && info2.uordblks == now.bytes_in_use,
        "mallinfo2 reports Alligator's heap");
  // Every field mallinfo has (scripts/mutants seed 55: a wrong fordblks passed every test).
  check(info2.uordblks + info2.fordblks == info2.arena && info2.ordblks == free_spans,
        "mallinfo2: uordblks + fordblks = arena, ordblks the free spans");
  check(info2.hblks == 0 && info2.hblkhd == 0 && info2.keepcost == 0 && info2.smblks == 0 &&
            info2.usmblks == 0 && info2.fsmblks == 0,
        "mallinfo2: no mapped regions or fastbins, nothing to give back to the system");
#endif
#endif

  std::free(from_realloc);
  std::free(from_calloc);
  std::free(from_aligned_alloc);
  std::free(from_posix_memalign);
  std::free(from_memalign);
  std::free(nullptr);

#if defined(ALLIGATOR_EXPORTS_MALLINFO)
  // Once nothing is kept (the first call), a 3000-byte block (above what thread caches hold)
  // gets a fresh MiniPage and, freed, leaves it empty: kept as the current one or a spare,
  // malloc_trim gives it back to the free spans, and then finds nothing.
  malloc_trim(0);
  std::free(std::malloc(3000));
  check(malloc_trim(0) == 1, "malloc_trim gives back an emptied MiniPage");
  check(malloc_trim(0) == 0, "a second malloc_trim finds nothing kept");
#endif

#if defined(ALLIGATOR_EXPORTS_MALLOPT)
  // The answers Emscripten 3.1.6's dlmalloc gives (measured), and the heap unchanged by them.
  alligator_stats before_mallopt{};
  alligator_get_stats(&before_mallopt);
  struct Setting {
    int setting, value, answer;
  };
  const Setting settings[] = {
      {M_TRIM_THRESHOLD, 0, 1},   {M_TRIM_THRESHOLD, -1, 1}, {M_MMAP_THRESHOLD, 0, 1},
      {M_MMAP_THRESHOLD, -1, 1},  {M_GRANULARITY, 4096, 1},  {M_GRANULARITY, 65536, 1},
      {M_GRANULARITY, 1 << 20, 1}, {M_GRANULARITY, 0, 0},    {M_GRANULARITY, 3, 0},
      {M_GRANULARITY, 2048, 0},   {M_GRANULARITY, 100000, 0}, {M_GRANULARITY, -1, 0},
      {M_GRANULARITY, INT_MIN, 1}, {M_GRANULARITY, -4096, 0}, {1, 1, 0},
      {-4, 1, 0},                 {0, 0, 0}};
  for (const Setting& setting : settings) {
    int answer = mallopt(setting.setting, setting.value);
    if (answer != setting.answer) {
      std::fprintf(stderr, "mallopt(%d, %d) returned %d, dlmalloc %d\n", setting.setting,
                   setting.value, answer, setting.answer);
      check(false, "mallopt answers as dlmalloc does");
    }
  }
  alligator_stats after_mallopt{};
  alligator_get_stats(&after_mallopt);
  check(std::memcmp(&before_mallopt, &after_mallopt, sizeof before_mallopt) == 0,
        "mallopt leaves the heap as it was");
#endif

  char message[256] = "";
  check(alligator_validate(message, sizeof message) == 0, "the heap validates afterwards");
  if (message[0] != '\0') std::fprintf(stderr, "validate: %s\n", message);

  if (failures != 0) return EXIT_FAILURE;
  std::printf("malloc family served by Alligator: malloc calloc realloc aligned_alloc "
              "posix_memalign memalign malloc_usable_size free%s\n",
#if defined(ALLIGATOR_EXPORTS_MALLINFO)
              " mallinfo malloc_trim"
#else
              ""
#endif
#if defined(ALLIGATOR_EXPORTS_MALLOPT)
              " mallopt"
#else
              ""
#endif
  );
  return EXIT_SUCCESS;
}
