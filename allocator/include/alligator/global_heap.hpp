// The process-wide heap behind liballigator's malloc and the opt-in operator new/delete.
// It exists before any static constructor runs (constant-initialized) and is never destroyed,
// so malloc works from the first static constructor to the last static destructor.
//
// Threads. Where ALLIGATOR_THREAD_SAFE is 1 (detail/thread_config.hpp), liballigator's entry
// points (the malloc family, the C API, operator new/delete) take a process-wide lock around each
// heap operation, so any thread may call them, and small mallocs and frees go through per-thread
// caches first (allocator/src/thread_cache.hpp, where ALLIGATOR_THREAD_CACHE is 1). It is 1 on
// hosts and in Emscripten builds with -pthread (__EMSCRIPTEN_PTHREADS__), 0 in wasm builds
// without threads, which then contain no lock and no cache. global_heap() itself is the bare
// heap: C++ code that calls it directly while other threads allocate must hold a
// ProcessHeapGuard for each call (or sequence of calls that must see one state); caches keep
// working meanwhile, and their blocks are live to the bare heap.
#pragma once

#include <alligator/detail/thread_config.hpp>
#include <alligator/heap.hpp>
#include <alligator/shim/default_memory.hpp>

#include <utility>

namespace alligator {
namespace detail {

// Storage whose destructor never runs: the heap must outlive every static destructor.
template <class T>
union NeverDestroyed {
  template <class... Arguments>
  explicit constexpr NeverDestroyed(Arguments&&... arguments)
      : value(std::forward<Arguments>(arguments)...) {}
  ~NeverDestroyed() {}
  T value;
};

// Defined in allocator/src/global_heap.cpp; reached inline so malloc costs no extra call.
extern constinit NeverDestroyed<Heap<DefaultMemory>> process_heap;

}  // namespace detail

inline Heap<DefaultMemory>& global_heap() { return detail::process_heap.value; }

// Holds the process heap's lock (the one liballigator's entry points take) for a scope. Not
// recursive: inside it, call global_heap() directly, never malloc or the C API.
class ProcessHeapGuard {
 public:
#if ALLIGATOR_THREAD_SAFE
  ProcessHeapGuard();
  ~ProcessHeapGuard();
#else
  ProcessHeapGuard() {}
#endif
  ProcessHeapGuard(const ProcessHeapGuard&) = delete;
  ProcessHeapGuard& operator=(const ProcessHeapGuard&) = delete;
};

}  // namespace alligator
