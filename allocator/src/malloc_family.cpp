#include <alligator/malloc_family.hpp>
#include <alligator/shim/memory_source.hpp>

#include "fast_path.hpp"

#include <cerrno>
#include <cstring>

namespace alligator {
namespace {
bool multiply_overflows(std::size_t count, std::size_t size, std::size_t& product) {
  return __builtin_mul_overflow(count, size, &product);
}
bool is_power_of_two(std::size_t value) { return value != 0 && (value & (value - 1)) == 0; }
}  // namespace

void* MallocFamily::malloc(std::size_t size) {
  void* block = heap_.allocate(size, 1);
  if (block == nullptr) errno = ENOMEM;
  return block;
}

void MallocFamily::free(void* pointer) { heap_.deallocate_inline(pointer); }

void* MallocFamily::calloc(std::size_t count, std::size_t size) {
  std::size_t bytes;
  if (multiply_overflows(count, size, bytes)) {
    errno = ENOMEM;
    return nullptr;
  }
  void* block = malloc(bytes);
  if (block != nullptr) std::memset(block, 0, bytes);
  return block;
}

void* MallocFamily::realloc(void* pointer, std::size_t size) {
  if (pointer == nullptr) return malloc(size);
  // A pointer that is not a live block is diagnosed by the heap; the NULL that follows (the
  // error handler returned) is not out of memory, and errno must not say it is.
  bool rejected;
  void* block = heap_.reallocate(pointer, size, 1, rejected);
  if (block == nullptr && size != 0 && !rejected) errno = ENOMEM;
  return block;
}

void* MallocFamily::reallocarray(void* pointer, std::size_t count, std::size_t size) {
  std::size_t bytes;
  if (multiply_overflows(count, size, bytes)) {
    errno = ENOMEM;
    return nullptr;
  }
  return realloc(pointer, bytes);
}

void* MallocFamily::aligned_alloc(std::size_t alignment, std::size_t size) {
  if (!is_power_of_two(alignment)) {
    errno = EINVAL;
    return nullptr;
  }
  void* block = heap_.allocate(size, alignment);
  if (block == nullptr) errno = ENOMEM;
  return block;
}

void* MallocFamily::memalign(std::size_t alignment, std::size_t size) {
  return aligned_alloc(alignment, size);
}

int MallocFamily::posix_memalign(void** result, std::size_t alignment, std::size_t size) {
  if (!is_power_of_two(alignment) || alignment % sizeof(void*) != 0) return EINVAL;
  void* block = heap_.allocate(size, alignment);
  if (block == nullptr) return ENOMEM;
  *result = block;
  return 0;
}

void* MallocFamily::valloc(std::size_t size) { return aligned_alloc(kWasmPageSize, size); }

void* MallocFamily::pvalloc(std::size_t size) {
  std::size_t rounded = (size + kWasmPageSize - 1) & ~(kWasmPageSize - 1);
  if (rounded < size) {
    errno = ENOMEM;
    return nullptr;
  }
  return aligned_alloc(kWasmPageSize, rounded == 0 ? kWasmPageSize : rounded);
}

std::size_t MallocFamily::malloc_usable_size(const void* pointer) {
  return heap_.usable_size(pointer);
}

}  // namespace alligator
