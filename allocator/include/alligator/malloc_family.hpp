// The C malloc family's semantics over any heap: what liballigator's malloc, calloc, realloc ...
// do, written once so tests can run them on a small simulated heap (out of memory included) and
// the exported functions run them on the process-wide heap.
//
// Documented results for edge cases (errno is set only where noted):
//   malloc(0)                  a unique block (free it as usual)
//   malloc(n), out of memory   NULL, errno = ENOMEM
//   calloc(n, m), n*m overflows NULL, errno = ENOMEM
//   realloc(NULL, n)           malloc(n)
//   realloc(p, 0)              frees p, returns NULL (as Emscripten 3.1.6's emmalloc does; its
//                              dlmalloc instead shrinks p in place and returns p itself, with
//                              12 usable bytes: both allowed by C17, both seen in runs under
//                              emcc -sMALLOC=emmalloc and -sMALLOC=dlmalloc)
//   realloc(p, n), no memory   NULL, errno = ENOMEM, p untouched
//   realloc(p, n), p not live  diagnosed as free(p) is; if the error handler returns: NULL,
//                              errno untouched (a bad pointer is not out of memory)
//   reallocarray(p, n, m)      realloc(p, n*m); NULL and ENOMEM if n*m overflows
//   aligned_alloc(a, n)        a must be a power of two (1 included), else NULL, errno = EINVAL
//   memalign(a, n)             as aligned_alloc
//   posix_memalign(&p, a, n)   returns EINVAL unless a is a power of two multiple of
//                              sizeof(void*); ENOMEM when out of memory; *p untouched on error
//   valloc(n), pvalloc(n)      aligned to the wasm page (64 KiB) on every target; pvalloc also
//                              rounds n up to whole pages
//   free(NULL)                 nothing
//   free(p), p not from here   diagnosed: "alligator: invalid pointer ..." and abort
//   free(p) twice              diagnosed: "alligator: double free ..." and abort
//   malloc_usable_size(NULL)   0
#pragma once

#include <alligator/detail/heap_core.hpp>

#include <cstddef>

namespace alligator {

class MallocFamily {
 public:
  explicit constexpr MallocFamily(detail::HeapCore& heap) : heap_(heap) {}

  void* malloc(std::size_t size);
  void free(void* pointer);
  void* calloc(std::size_t count, std::size_t size);
  void* realloc(void* pointer, std::size_t size);
  void* reallocarray(void* pointer, std::size_t count, std::size_t size);
  void* aligned_alloc(std::size_t alignment, std::size_t size);
  void* memalign(std::size_t alignment, std::size_t size);
  int posix_memalign(void** result, std::size_t alignment, std::size_t size);
  void* valloc(std::size_t size);
  void* pvalloc(std::size_t size);
  std::size_t malloc_usable_size(const void* pointer);

 private:
  detail::HeapCore& heap_;
};

}  // namespace alligator
