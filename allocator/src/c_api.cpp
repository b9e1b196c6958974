// liballigator's exported C functions: the malloc family (the drop-in for the system allocator,
// Emscripten's -sMALLOC=none), the seed's layout interface, and introspection.
//
// Each function runs one heap operation under the process heap's lock (process_heap_lock.hpp;
// nothing in single-threaded builds). Functions that call another entry point (the
// emscripten_builtin_* and __libc_* names) take no lock of their own: it is not recursive.
#include <alligator/alligator.h>
#include <alligator/global_heap.hpp>
#include <alligator/malloc_family.hpp>

#include "cold_code.hpp"
#include "fast_path.hpp"
#include "process_heap_lock.hpp"
#include "thread_cache.hpp"

#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstring>

// mallinfo's struct: Emscripten's <malloc.h> (its compat header, dlmalloc's layout) and glibc's.
#if defined(ALLIGATOR_EXPORTS_MALLINFO)
#include <malloc.h>
#endif

#if defined(__EMSCRIPTEN__)
extern "C" unsigned char __heap_base;
#endif

namespace {
using Locked = alligator::detail::ProcessHeapLockHolder;
alligator::MallocFamily family() { return alligator::MallocFamily(alligator::global_heap().core()); }
}  // namespace

#define ALLIGATOR_EXPORT extern "C" __attribute__((visibility("default")))

// malloc calls the heap's out-of-line fast path (HeapCore::allocate: one copy of it; a second,
// inlined into malloc, made no C workload faster), free the inline one.
ALLIGATOR_EXPORT void* malloc(size_t size) {
#if ALLIGATOR_THREAD_CACHE
  if (void* block = alligator::detail::thread_cache_allocate(size)) return block;
#endif
  void* block;
  {
    Locked locked;
    block = alligator::global_heap().core().allocate(size, 1);
  }
  if (block == nullptr) errno = ENOMEM;
  return block;
}
ALLIGATOR_EXPORT void free(void* block) {
#if ALLIGATOR_THREAD_CACHE
  if (alligator::detail::thread_cache_free(block)) return;
#endif
  Locked locked;
  alligator::global_heap().core().deallocate_inline(block);
}
// calloc's memset and realloc's copy run under the lock too: they are part of one MallocFamily
// operation, which this file does not split.
ALLIGATOR_EXPORT void* calloc(size_t count, size_t size) {
  Locked locked;
  return family().calloc(count, size);
}
ALLIGATOR_EXPORT void* realloc(void* block, size_t size) {
  Locked locked;
  return family().realloc(block, size);
}
ALLIGATOR_EXPORT void* reallocarray(void* block, size_t count, size_t size) {
  Locked locked;
  return family().reallocarray(block, count, size);
}
ALLIGATOR_EXPORT void* aligned_alloc(size_t alignment, size_t size) {
  Locked locked;
  return family().aligned_alloc(alignment, size);
}
ALLIGATOR_EXPORT void* memalign(size_t alignment, size_t size) {
  Locked locked;
  return family().memalign(alignment, size);
}
ALLIGATOR_EXPORT int posix_memalign(void** result, size_t alignment, size_t size) {
  Locked locked;
  return family().posix_memalign(result, alignment, size);
}
ALLIGATOR_EXPORT void* valloc(size_t size) {
  Locked locked;
  return family().valloc(size);
}
ALLIGATOR_EXPORT void* pvalloc(size_t size) {
  Locked locked;
  return family().pvalloc(size);
}
ALLIGATOR_EXPORT size_t malloc_usable_size(void* block) {
  Locked locked;
  return family().malloc_usable_size(block);
}

#if defined(ALLIGATOR_EXPORTS_MALLINFO)
// What Emscripten's dlmalloc and emmalloc (and glibc) export beside the malloc family, so that a
// program calling them links and gets figures about this heap (README.md, Usage).
namespace {
// mallinfo's figures, in dlmalloc's sense: arena = uordblks + fordblks.
struct MallocFigures {
  std::size_t arena;       // bytes taken from the memory source (every span's)
  std::size_t free_spans;  // ordblks
  std::size_t in_use;      // uordblks: usable bytes of live blocks (not those caches hold)
};
MallocFigures malloc_figures() {
  Locked locked;
#if ALLIGATOR_THREAD_CACHE
  alligator::detail::ThreadCachesHeld caches_still;
#endif
  const auto& heap = alligator::global_heap();
  alligator::HeapStats stats = heap.stats();
  std::size_t free_spans = 0;
  std::size_t arena = 0;  // whole wasm pages, and the rest of the page the heap began in
  heap.walk([&free_spans, &arena](const alligator::SpanView& span) {
    if (span.kind == alligator::SpanKind::free) ++free_spans;
    arena += span.bytes;
  });
  return {arena, free_spans, stats.bytes_in_use};
}
// mallinfo's fields are int: a figure past INT_MAX reads INT_MAX.
int saturated(std::size_t value) {
  return value > static_cast<std::size_t>(INT_MAX) ? INT_MAX : static_cast<int>(value);
}
}  // namespace

// hblks, hblkhd (mmapped regions), smblks, usmblks, fsmblks: none here, 0. keepcost (what trimming
// could give back to the system): 0, as wasm memory never shrinks.
ALLIGATOR_EXPORT ALLIGATOR_MINSIZE struct mallinfo mallinfo(void) {
  MallocFigures figures = malloc_figures();
  struct mallinfo info {};
  info.arena = saturated(figures.arena);
  info.ordblks = saturated(figures.free_spans);
  info.uordblks = saturated(figures.in_use);
  info.fordblks = saturated(figures.arena - figures.in_use);
  return info;
}
#if defined(ALLIGATOR_EXPORTS_MALLINFO2)
ALLIGATOR_EXPORT ALLIGATOR_MINSIZE struct mallinfo2 mallinfo2(void) {
  MallocFigures figures = malloc_figures();
  struct mallinfo2 info {};
  info.arena = figures.arena;
  info.ordblks = figures.free_spans;
  info.uordblks = figures.in_use;
  info.fordblks = figures.arena - figures.in_use;
  return info;
}
#endif
// Nothing goes back to the system (wasm memory never shrinks; `pad` has nothing to keep):
// what the thread caches hold goes back to the heap, then what the heap keeps for reuse to its
// free spans (Heap::trim). 1 if there was any.
ALLIGATOR_EXPORT ALLIGATOR_MINSIZE int malloc_trim(size_t pad) {
  (void)pad;
  Locked locked;
  bool emptied = false;
#if ALLIGATOR_THREAD_CACHE
  emptied = alligator::detail::empty_every_thread_cache();
#endif
  return alligator::global_heap().trim() || emptied ? 1 : 0;
}
#endif

#if defined(ALLIGATOR_EXPORTS_MALLOPT)
// None of dlmalloc's settings applies (nothing goes back to the system, nothing is mapped, growth
// is by whole wasm pages): nothing changes. The answers are dlmalloc's, which reads the value as
// a size_t: 1 for these settings, for M_GRANULARITY only a power of two of at least 4096.
ALLIGATOR_EXPORT ALLIGATOR_MINSIZE int mallopt(int setting, int value) {
  auto granularity = static_cast<std::size_t>(value);
  switch (setting) {
    case M_TRIM_THRESHOLD:
    case M_MMAP_THRESHOLD:
      return 1;
    case M_GRANULARITY:
      return granularity >= 4096 && (granularity & (granularity - 1)) == 0 ? 1 : 0;
    default:
      return 0;
  }
}
#endif

#if defined(__EMSCRIPTEN__) || defined(__wasi__)
// musl's internals in both C libraries (atexit's list, newlocale, freelocale) allocate under
// these names (wasi-libc's under all but __libc_realloc). On wasm32-wasi only the C library's
// dlmalloc defined them, so a program whose link needed one of them pulled that malloc in beside
// ours: "duplicate symbol: malloc".
ALLIGATOR_EXPORT void* __libc_malloc(size_t size) { return malloc(size); }
ALLIGATOR_EXPORT void __libc_free(void* block) { free(block); }
ALLIGATOR_EXPORT void* __libc_calloc(size_t count, size_t size) { return calloc(count, size); }
ALLIGATOR_EXPORT void* __libc_realloc(void* block, size_t size) { return realloc(block, size); }
#endif

#if defined(__EMSCRIPTEN__)
// Emscripten's runtime calls the allocator under these names too (mmap emulation, environment
// setup, JS library code): with -sMALLOC=none they must be ours.
ALLIGATOR_EXPORT void* emscripten_builtin_malloc(size_t size) { return malloc(size); }
ALLIGATOR_EXPORT void emscripten_builtin_free(void* block) { free(block); }
ALLIGATOR_EXPORT void* emscripten_builtin_memalign(size_t alignment, size_t size) {
  return memalign(alignment, size);
}

// Where the break is kept, as Emscripten's sbrk.c has it: -sSAFE_HEAP's instrumentation calls
// this and checks every load and store against it (without it, a -sSAFE_HEAP program did not
// link). Callers must not write to it: the heap owns the memory above the break. SAFE_HEAP leaves
// only this function's own accesses unchecked, so the break is first set here, not in the shim.
ALLIGATOR_EXPORT ALLIGATOR_MINSIZE uintptr_t* emscripten_get_sbrk_ptr(void) {
  uintptr_t* program_break = alligator::EmscriptenMemory::break_address();
  if (__atomic_load_n(program_break, __ATOMIC_ACQUIRE) == 0) {
    uintptr_t unset = 0;  // only the first store lands; growth may have stored since
    __atomic_compare_exchange_n(program_break, &unset, reinterpret_cast<uintptr_t>(&__heap_base),
                                false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
  }
  return program_break;
}

// For code that still calls sbrk. Alligator owns linear memory, so sbrk(n) hands out n bytes as a
// block of Alligator's heap that is never freed: successive calls are NOT contiguous. sbrk(0)
// returns the break: the end of the memory the heap has taken (before it took any,
// __heap_base); a negative increment fails (wasm memory never shrinks).
// sbrk(0) takes no lock: -sSAFE_HEAP's JavaScript asks for the break on every access it checks.
ALLIGATOR_EXPORT ALLIGATOR_MINSIZE void* sbrk(intptr_t increment) {
  if (increment == 0) {
    return reinterpret_cast<void*>(__atomic_load_n(emscripten_get_sbrk_ptr(), __ATOMIC_ACQUIRE));
  }
  void* block = nullptr;
  if (increment > 0) {
    Locked locked;
    block = alligator::global_heap().allocate(static_cast<size_t>(increment), 16);
  }
  if (block == nullptr) {
    errno = ENOMEM;
    return reinterpret_cast<void*>(-1);
  }
  return block;
}
#endif

ALLIGATOR_EXPORT void* alligator_alloc(size_t size, size_t alignment) {
  Locked locked;
  return alligator::global_heap().allocate(size, alignment);
}
ALLIGATOR_EXPORT void alligator_dealloc(void* block, size_t size, size_t alignment) {
  Locked locked;
  alligator::global_heap().deallocate(block, size, alignment);
}
ALLIGATOR_EXPORT void* alligator_realloc(void* block, size_t size, size_t alignment,
                                         size_t new_size) {
  (void)size;  // the block knows its size; the layout API passes it for symmetry with Rust
  Locked locked;
  return alligator::global_heap().reallocate(block, new_size, alignment);
}

ALLIGATOR_EXPORT ALLIGATOR_MINSIZE void alligator_get_stats(alligator_stats* out) {
  alligator::HeapStats stats = [] {
    Locked locked;
#if ALLIGATOR_THREAD_CACHE
    alligator::detail::ThreadCachesHeld caches_still;
#endif
    return alligator::global_heap().stats();
  }();
  out->wasm_pages = stats.wasm_pages;
  out->mini_pages = stats.mini_pages;
  out->large_blocks = stats.large_blocks;
  out->live_blocks = stats.live_blocks;
  out->bytes_in_use = stats.bytes_in_use;
  out->free_bytes = stats.free_bytes;
  out->metadata_bytes = stats.metadata_bytes;
  out->cached_blocks = stats.cached_blocks;
  out->cached_bytes = stats.cached_bytes;
}

ALLIGATOR_EXPORT ALLIGATOR_MINSIZE size_t alligator_validate(char* message, size_t capacity) {
  alligator::ValidationReport report = [] {
    Locked locked;
#if ALLIGATOR_THREAD_CACHE
    alligator::detail::ThreadCachesHeld caches_still;
    alligator::ValidationReport found = alligator::global_heap().validate();
    alligator::detail::validate_thread_caches(found);
    return found;
#else
    return alligator::global_heap().validate();
#endif
  }();
  if (report.problems != 0 && message != nullptr && capacity > 0) {
    std::strncpy(message, report.messages[0], capacity - 1);
    message[capacity - 1] = '\0';
  }
  return report.problems;
}
