// Hosts reserve address space with mmap and commit pages with mprotect, so untouched pages stay
// inaccessible (a stray access faults, and Valgrind sees a real mapping, not a malloc block).
// Wasm builds of the test suites have no mmap: they take the region from the system allocator.
#include <alligator/shim/simulated_memory.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstdint>

#if defined(__wasm__)
#define ALLIGATOR_SIMULATED_MEMORY_MMAP 0
#else
#define ALLIGATOR_SIMULATED_MEMORY_MMAP 1
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace alligator {

void SimulatedMemory::reserve() {
  // A page more before base_ holds the first grow's lead.
  std::size_t bytes = (max_pages_ + (first_lead_ != 0)) * kWasmPageSize;
#if ALLIGATOR_SIMULATED_MEMORY_MMAP
  // One extra page of address space lets base_ sit on a 64 KiB boundary, as wasm pages do.
  reservation_bytes_ = bytes + kWasmPageSize;
  void* reserved = mmap(nullptr, reservation_bytes_, PROT_NONE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (reserved == MAP_FAILED) {
    std::fprintf(stderr, "alligator: cannot reserve %zu bytes of simulated memory\n", bytes);
    std::abort();
  }
  reservation_ = static_cast<std::byte*>(reserved);
  auto address = reinterpret_cast<std::uintptr_t>(reservation_);
  base_ = reinterpret_cast<std::byte*>((address + kWasmPageSize - 1) & ~(kWasmPageSize - 1));
  if (first_lead_ != 0) base_ += kWasmPageSize;
#else
  reservation_ = static_cast<std::byte*>(std::aligned_alloc(kWasmPageSize, bytes));
  if (reservation_ == nullptr) {
    std::fprintf(stderr, "alligator: cannot reserve %zu bytes of simulated memory\n", bytes);
    std::abort();
  }
  reservation_bytes_ = bytes;
  base_ = reservation_ + (first_lead_ != 0 ? kWasmPageSize : 0);
#endif
}

SimulatedMemory::~SimulatedMemory() {
  if (reservation_ == nullptr) return;
#if ALLIGATOR_SIMULATED_MEMORY_MMAP
  munmap(reservation_, reservation_bytes_);
#else
  std::free(reservation_);
#endif
}

std::byte* SimulatedMemory::grow(std::size_t pages) {
  if (refusals_left_ > 0) {
    --refusals_left_;
    ++refused_count_;
    return nullptr;
  }
  if (pages == 0 || pages > max_pages_ - pages_) return nullptr;
  if (base_ == nullptr) reserve();
  std::size_t lead = pages_ == 0 ? first_lead_ : 0;
  std::byte* start = base_ + pages_ * kWasmPageSize - lead;
#if ALLIGATOR_SIMULATED_MEMORY_MMAP
  // mprotect works on whole system pages: a lead of an odd number of 2 KiB slots opens the
  // 2 KiB below it too (reserved, never handed out).
  auto system_page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  auto* first = reinterpret_cast<std::byte*>(reinterpret_cast<std::uintptr_t>(start) &
                                             ~(system_page - 1));
  std::size_t length = static_cast<std::size_t>(base_ + (pages_ + pages) * kWasmPageSize - first);
  if (mprotect(first, length, PROT_READ | PROT_WRITE) != 0) return nullptr;
#endif
  pages_ += pages;
  ++grow_count_;
  return start;
}

}  // namespace alligator
