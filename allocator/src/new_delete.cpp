// Global operator new and delete on Alligator's process-wide heap: the C++ counterpart of Rust's
// #[global_allocator]. In its own library (alligator_new_delete), so a program opts in by
// linking it. Every standard form: plain, array, nothrow, sized, aligned.
//
// Each heap operation runs under the process heap's lock (process_heap_lock.hpp; nothing in
// single-threaded builds); a new-handler runs without it, since it may free memory.
#include <alligator/global_heap.hpp>

#include <cstdlib>
#include <new>

#include "fast_path.hpp"
#include "process_heap_lock.hpp"
#include "thread_cache.hpp"

namespace {

using Locked = alligator::detail::ProcessHeapLockHolder;

[[noreturn]] void throw_bad_alloc() {
#if defined(_LIBCPP_VERSION)
  // libc++ (Emscripten): its own helper throws, or aborts in the no-exceptions build of libc++
  // that Emscripten links when exception catching is off (its default), as its own operator new
  // does. A throw expression here would pull about 1.4 KB of type_info code into every module.
  std::__throw_bad_alloc();
#elif defined(__cpp_exceptions)
  throw std::bad_alloc();
#else
  std::abort();
#endif
}

// Out of memory: the new-handler loop, out of line so the fast path below stays a leaf.
[[gnu::noinline]] void* handle_failure(std::size_t size, std::size_t alignment) {
  for (;;) {
    std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) throw_bad_alloc();
    handler();
    Locked locked;
    if (void* block = alligator::global_heap().allocate(size, alignment)) return block;
  }
}

void* allocate_or_handle(std::size_t size, std::size_t alignment) {
#if ALLIGATOR_THREAD_CACHE
  if (alignment <= alligator::detail::kSizeGranule && (alignment & (alignment - 1)) == 0) {
    if (void* block = alligator::detail::thread_cache_allocate(size)) return block;
  }
#endif
  {
    Locked locked;
    if (void* block = alligator::global_heap().core().allocate_inline(size, alignment)) {
      return block;
    }
  }
  return handle_failure(size, alignment);
}

// The nothrow forms never go through throw_bad_alloc: where exceptions cannot be caught
// (Emscripten's default) a throw would abort instead of returning nullptr. A new-handler may
// still throw bad_alloc, which means nullptr here.
void* allocate_nothrow(std::size_t size, std::size_t alignment) noexcept {
#if ALLIGATOR_THREAD_CACHE
  if (alignment <= alligator::detail::kSizeGranule && (alignment & (alignment - 1)) == 0) {
    if (void* block = alligator::detail::thread_cache_allocate(size)) return block;
  }
#endif
  for (;;) {
    {
      Locked locked;
      if (void* block = alligator::global_heap().core().allocate(size, alignment)) return block;
    }
    std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) return nullptr;
#if defined(__cpp_exceptions)
    try {
      handler();
    } catch (const std::bad_alloc&) {
      return nullptr;
    }
#else
    handler();
#endif
  }
}

// Unsized: free's own fast path (no size to check), shared with free in a program using both.
void release(void* block) noexcept {
#if ALLIGATOR_THREAD_CACHE
  if (alligator::detail::thread_cache_free(block)) return;
#endif
  Locked locked;
  alligator::global_heap().core().deallocate_inline(block);
}
void release(void* block, std::size_t size) noexcept {
#if ALLIGATOR_THREAD_CACHE
  if (alligator::detail::thread_cache_free<true>(block, size)) return;
#endif
  Locked locked;
  alligator::global_heap().core().deallocate_inline(block, size);
}
void release(void* block, std::size_t size, std::size_t alignment) noexcept {
  Locked locked;
  alligator::global_heap().core().deallocate_inline(block, size, alignment);
}

}  // namespace

void* operator new(std::size_t size) { return allocate_or_handle(size, 1); }
void* operator new[](std::size_t size) { return allocate_or_handle(size, 1); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  return allocate_nothrow(size, 1);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  return allocate_nothrow(size, 1);
}
void* operator new(std::size_t size, std::align_val_t alignment) {
  return allocate_or_handle(size, static_cast<std::size_t>(alignment));
}
void* operator new[](std::size_t size, std::align_val_t alignment) {
  return allocate_or_handle(size, static_cast<std::size_t>(alignment));
}
void* operator new(std::size_t size, std::align_val_t alignment, const std::nothrow_t&) noexcept {
  return allocate_nothrow(size, static_cast<std::size_t>(alignment));
}
void* operator new[](std::size_t size, std::align_val_t alignment, const std::nothrow_t&) noexcept {
  return allocate_nothrow(size, static_cast<std::size_t>(alignment));
}

void operator delete(void* block) noexcept { release(block); }
void operator delete[](void* block) noexcept { release(block); }
void operator delete(void* block, const std::nothrow_t&) noexcept { release(block); }
void operator delete[](void* block, const std::nothrow_t&) noexcept { release(block); }
void operator delete(void* block, std::size_t size) noexcept { release(block, size); }
void operator delete[](void* block, std::size_t size) noexcept { release(block, size); }
void operator delete(void* block, std::align_val_t alignment) noexcept {
  release(block, 0, static_cast<std::size_t>(alignment));
}
void operator delete[](void* block, std::align_val_t alignment) noexcept {
  release(block, 0, static_cast<std::size_t>(alignment));
}
void operator delete(void* block, std::align_val_t alignment, const std::nothrow_t&) noexcept {
  release(block, 0, static_cast<std::size_t>(alignment));
}
void operator delete[](void* block, std::align_val_t alignment, const std::nothrow_t&) noexcept {
  release(block, 0, static_cast<std::size_t>(alignment));
}
void operator delete(void* block, std::size_t size, std::align_val_t alignment) noexcept {
  release(block, size, static_cast<std::size_t>(alignment));
}
void operator delete[](void* block, std::size_t size, std::align_val_t alignment) noexcept {
  release(block, size, static_cast<std::size_t>(alignment));
}
