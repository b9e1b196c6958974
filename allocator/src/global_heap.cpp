// The process-wide heap, constant-initialized so it exists before any static constructor can
// call malloc, and never destroyed so it outlives every static destructor that calls free.
#include <alligator/global_heap.hpp>

#include "process_heap_lock.hpp"

#if ALLIGATOR_THREAD_SAFE && !defined(__wasm__)
#include "thread_cache.hpp"

#include <pthread.h>
#include <sched.h>
#endif

namespace alligator::detail {
namespace {
#if defined(__wasm__)
constinit NeverDestroyed<DefaultMemory> process_memory;
#else
constinit NeverDestroyed<DefaultMemory> process_memory(kDefaultSimulatedMemoryBytes);
#endif
}  // namespace

constinit NeverDestroyed<Heap<DefaultMemory>> process_heap(process_memory.value);

}  // namespace alligator::detail

#if ALLIGATOR_THREAD_SAFE
namespace alligator {
namespace detail {

constinit SpinLock process_heap_lock;

#if defined(__wasm__)
// Spins only, as Emscripten's emmalloc does. Emscripten's sched_yield gives no core back: it runs
// the calling thread's queue of proxied calls, which writes the thread's TLS. A thread that is
// exiting has already freed its TLS block when its last free() calls come here, so a yield then
// wrote into memory the heap had handed out again (thread_stress caught it on wasm).
void SpinLock::wait_until_free() {
  while (__atomic_load_n(&locked_, __ATOMIC_RELAXED)) {
  }
}
#else
void SpinLock::wait_until_free() {
  // About a microsecond of spinning covers any one heap operation; past that the holder was
  // probably preempted, and yielding lets it run.
  constexpr unsigned kSpinsBeforeYield = 128;
  for (unsigned spins = 0; __atomic_load_n(&locked_, __ATOMIC_RELAXED); ++spins) {
    if (spins < kSpinsBeforeYield) {
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
    } else {
      sched_yield();
    }
  }
}
#endif

#if !defined(__wasm__)
// fork() from a program with threads: a lock another thread held at that moment would stay
// held in the child, whose only thread is the one that forked, and the child's first malloc
// would wait forever (any allocation between fork and exec, or in a child that never execs).
// So the forking thread takes every lock first, in the usual order, and parent and child each
// release them. In the child, caches claimed by the threads it does not have stay claimed,
// with what they hold.
namespace {
void before_fork() {
  process_heap_lock.lock();
#if ALLIGATOR_THREAD_CACHE
  lock_every_thread_cache();
#endif
}
void after_fork() {
#if ALLIGATOR_THREAD_CACHE
  unlock_every_thread_cache();
#endif
  process_heap_lock.unlock();
}
[[gnu::constructor]] void release_locks_around_fork() {
  pthread_atfork(before_fork, after_fork, after_fork);
}
}  // namespace
#endif

}  // namespace detail

// Out of line: user code need not see the lock's definition (nor its Valgrind annotations).
ProcessHeapGuard::ProcessHeapGuard() { detail::process_heap_lock.lock(); }
ProcessHeapGuard::~ProcessHeapGuard() { detail::process_heap_lock.unlock(); }

}  // namespace alligator
#endif
