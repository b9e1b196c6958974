// The process heap's lock, held by every entry point of liballigator and alligator_new_delete for
// one heap operation (thread caches, thread_cache.hpp, take it only to refill and flush). In
// ALLIGATOR_THREAD_SAFE builds (detail/thread_config.hpp decides) it is a
// test-and-test-and-set spinlock on one byte, as Emscripten's emmalloc uses; otherwise the
// holder is an empty object and the build is the same as one without any lock. Each thread
// cache has a SpinLock of its own.
//
// Why a spinlock and not pthread_mutex: the critical sections are a few dozen instructions (one
// malloc or free), so a waiter is better off spinning than sleeping, and the uncontended path is
// one atomic exchange and one store, inlined into malloc and free: 19 more instructions per
// malloc/free pair than no lock, against 132 more with glibc's pthread_mutex (Callgrind, x86_64).
// A waiter spins on a plain load (no cache-line ping-pong). On hosts it then yields to the
// scheduler, so a holder that was preempted gets its core back on an oversubscribed machine; on
// wasm it only spins (global_heap.cpp says why). No fairness: none is promised.
//
// Under Valgrind (ALLIGATOR_VALGRIND) helgrind cannot see a lock made of atomics; the annotations
// tell it that acquire and release order the heap's accesses, as a mutex would, and that the
// lock byte itself is raced on purpose.
#pragma once

#include <alligator/global_heap.hpp>

#if defined(ALLIGATOR_VALGRIND) && ALLIGATOR_VALGRIND && !defined(__wasm__)
#include <valgrind/helgrind.h>
#define ALLIGATOR_LOCK_TOUCHED(word) ANNOTATE_BENIGN_RACE_SIZED(word, sizeof *(word), "lock word")
#define ALLIGATOR_LOCK_ACQUIRED(lock) ANNOTATE_RWLOCK_ACQUIRED(lock, 1)
#define ALLIGATOR_LOCK_RELEASED(lock) ANNOTATE_RWLOCK_RELEASED(lock, 1)
#else
#define ALLIGATOR_LOCK_TOUCHED(word) ((void)0)
#define ALLIGATOR_LOCK_ACQUIRED(lock) ((void)0)
#define ALLIGATOR_LOCK_RELEASED(lock) ((void)0)
#endif

namespace alligator::detail {

class SpinLock {
 public:
  void lock() {
    ALLIGATOR_LOCK_TOUCHED(&locked_);
    while (__atomic_exchange_n(&locked_, true, __ATOMIC_ACQUIRE)) wait_until_free();
    ALLIGATOR_LOCK_ACQUIRED(this);
  }
  void unlock() {
    ALLIGATOR_LOCK_RELEASED(this);
    __atomic_store_n(&locked_, false, __ATOMIC_RELEASE);
  }

 private:
  // Contention only: out of line (global_heap.cpp) so malloc's inlined path stays short.
  [[gnu::noinline, gnu::cold]] void wait_until_free();

  bool locked_ = false;
};

#if ALLIGATOR_THREAD_SAFE
// Defined in global_heap.cpp.
extern constinit SpinLock process_heap_lock;

// Holds process_heap_lock for a scope.
class ProcessHeapLockHolder {
 public:
  ProcessHeapLockHolder() { process_heap_lock.lock(); }
  ~ProcessHeapLockHolder() { process_heap_lock.unlock(); }
  ProcessHeapLockHolder(const ProcessHeapLockHolder&) = delete;
  ProcessHeapLockHolder& operator=(const ProcessHeapLockHolder&) = delete;
};
#else
// Single-threaded build: nothing to hold, nothing emitted.
// User-provided (no unused-variable warning where one is declared) and always inlined: -Oz would
// otherwise keep an empty call and a stack slot for it.
struct ProcessHeapLockHolder {
  [[gnu::always_inline]] ProcessHeapLockHolder() {}
};
#endif

}  // namespace alligator::detail
