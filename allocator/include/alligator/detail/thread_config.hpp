// Which builds share the process heap between threads (README.md, Threads; allocator/README.md,
// Threads). Included by global_heap.hpp and by the core's headers that must know it.
#pragma once

// 1 on hosts and in Emscripten builds with -pthread; 0 in wasm builds without threads, which
// then contain no lock at all.
#if !defined(ALLIGATOR_THREAD_SAFE)
#if defined(__wasm__) && !defined(__EMSCRIPTEN_PTHREADS__)
#define ALLIGATOR_THREAD_SAFE 0
#else
#define ALLIGATOR_THREAD_SAFE 1
#endif
#endif

// Per-thread caches in front of the process heap (allocator/src/thread_cache.hpp): every
// thread-safe build but Valgrind's, whose tools cannot follow a thread reading the heap's
// metadata while another holds the lock (there the lock alone makes the heap thread-safe).
#if !defined(ALLIGATOR_THREAD_CACHE)
#if ALLIGATOR_THREAD_SAFE && !(defined(ALLIGATOR_VALGRIND) && ALLIGATOR_VALGRIND)
#define ALLIGATOR_THREAD_CACHE 1
#else
#define ALLIGATOR_THREAD_CACHE 0
#endif
#endif
