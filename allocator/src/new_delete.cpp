// Global operator new and delete on Alligator's process-wide heap: the C++ counterpart of Rust's
// #[global_allocator]. In its own library (alligator_new_delete), so a program opts in by
// linking it. Every standard form: plain, array, nothrow, sized, aligned.
#include <alligator/global_heap.hpp>

#include <cstdlib>
#include <new>

#include "fast_path.hpp"

namespace {

void* allocate_or_handle(std::size_t size, std::size_t alignment) {
  for (;;) {
    if (void* block = alligator::global_heap().core().allocate_inline(size, alignment)) {
      return block;
    }
    std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) {
#if defined(__cpp_exceptions)
      throw std::bad_alloc();
#else
      std::abort();
#endif
    }
    handler();
  }
}

void* allocate_nothrow(std::size_t size, std::size_t alignment) noexcept {
#if defined(__cpp_exceptions)
  try {
    return allocate_or_handle(size, alignment);
  } catch (...) {
    return nullptr;
  }
#else
  void* block = alligator::global_heap().allocate(size, alignment);
  while (block == nullptr) {
    std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) return nullptr;
    handler();
    block = alligator::global_heap().allocate(size, alignment);
  }
  return block;
#endif
}

void release(void* block) noexcept { alligator::global_heap().core().deallocate_inline(block); }
void release(void* block, std::size_t size, std::size_t alignment) noexcept {
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
void operator delete(void* block, std::size_t size) noexcept { release(block, size, 1); }
void operator delete[](void* block, std::size_t size) noexcept { release(block, size, 1); }
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
