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

#include <algorithm>
#include <cstring>
#include <mutex>
#include <utility>
#endif

namespace alligator {

#if ALLIGATOR_SIMULATED_MEMORY_MMAP
namespace {

std::size_t system_page() { return static_cast<std::size_t>(sysconf(_SC_PAGESIZE)); }

// The start of the system page `byte` lies in: mprotect works on whole system pages.
std::byte* system_page_start(std::byte* byte) {
  return reinterpret_cast<std::byte*>(reinterpret_cast<std::uintptr_t>(byte) &
                                      ~(std::uintptr_t{system_page()} - 1));
}

// Fresh, inaccessible, zero-on-touch pages: anywhere (at null), or in place of [at, at + bytes).
void* map_inaccessible(void* at, std::size_t bytes) {
  return mmap(at, bytes, PROT_NONE,
              MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | (at != nullptr ? MAP_FIXED : 0), -1,
              0);
}

// The reservation of the memory destroyed last, zeroed and inaccessible again, for the next
// memory to take: a suite makes thousands of memories, and each page of a fresh mapping is
// zero-filled by the kernel at its first touch, a fault a page. Not under Valgrind, where
// zeroing in user space is instrumented and costs more than the faults. One for the process
// (threads make memories too); it goes back when a reservation cannot be made without it.
struct KeptReservation {
  std::mutex lock;
  std::byte* start = nullptr;
  std::size_t bytes = 0;
};
#if defined(ALLIGATOR_VALGRIND) && ALLIGATOR_VALGRIND
constexpr bool kKeepReservations = false;
#else
constexpr bool kKeepReservations = true;
#endif
constinit KeptReservation kept;

// At most this much of a kept reservation stays resident (zeroed by memset); past it, pages
// are given back as untouched ones are, so a test that touched GiBs does not hold them.
constexpr std::size_t kKeptResidentBytes = std::size_t{64} << 20;

// Zeroes [first, end), both on system pages: each resident page by memset (up to
// kKeptResidentBytes), so that it stays resident and the next memory's first touch does not
// fault; every other page (never touched, swapped out, or past that budget) by mapping fresh
// zero pages over it, which costs nothing where nothing was mapped. A memory that grew far and
// touched little (a test of 4 GiB) is then no slower to keep than to unmap.
bool zero_for_reuse(std::byte* first, std::byte* end) {
  const std::size_t page_bytes = system_page();
  if (page_bytes > kWasmPageSize) return false;  // whole system pages must tile the range
  constexpr std::size_t kChunkPages = 4096;
  unsigned char resident[kChunkPages];
  std::size_t budget = kKeptResidentBytes;
  while (first < end) {
    std::size_t pages = std::min(kChunkPages, static_cast<std::size_t>(end - first) / page_bytes);
    if (mincore(first, pages * page_bytes, resident) != 0) return false;
    for (std::size_t page = 0; page < pages;) {
      std::size_t run = page;
      bool in_core = (resident[page] & 1) != 0;
      while (run < pages && ((resident[run] & 1) != 0) == in_core) ++run;
      std::byte* start = first + page * page_bytes;
      std::size_t bytes = (run - page) * page_bytes;
      if (in_core && bytes <= budget) {
        std::memset(start, 0, bytes);
        budget -= bytes;
      } else if (map_inaccessible(start, bytes) == MAP_FAILED) {
        return false;
      }
      page = run;
    }
    first += pages * page_bytes;
  }
  return true;
}

}  // namespace
#endif

void SimulatedMemory::reserve() {
  // A page more before base_ holds the first grow's lead.
  std::size_t bytes = (max_pages_ + (first_lead_ != 0)) * kWasmPageSize;
#if ALLIGATOR_SIMULATED_MEMORY_MMAP
  // One extra page of address space lets base_ sit on a 64 KiB boundary, as wasm pages do.
  reservation_bytes_ = bytes + kWasmPageSize;
  if (kKeepReservations) {
    std::lock_guard guard(kept.lock);
    if (kept.bytes >= reservation_bytes_) {
      reservation_ = std::exchange(kept.start, nullptr);
      reservation_bytes_ = std::exchange(kept.bytes, 0);
    }
  }
  void* reserved =
      reservation_ != nullptr ? reservation_ : map_inaccessible(nullptr, reservation_bytes_);
  if (kKeepReservations && reserved == MAP_FAILED) {
    // The kept reservation (too small for this one) may be what fills the address space.
    std::lock_guard guard(kept.lock);
    if (kept.start != nullptr) {
      munmap(std::exchange(kept.start, nullptr), std::exchange(kept.bytes, 0));
      reserved = map_inaccessible(nullptr, reservation_bytes_);
    }
  }
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
  if (kKeepReservations) {
    // Every byte a grow opened (from the system page the first grow's lead began in) goes back
    // to zero, as a fresh mapping's would be, and to no access. The larger reservation is kept.
    std::byte* first = system_page_start(base_ - first_lead_);
    std::byte* end = base_ + pages_ * kWasmPageSize;
    std::lock_guard guard(kept.lock);
    if (kept.bytes <= reservation_bytes_) {
      if ((pages_ == 0 || zero_for_reuse(first, end)) &&
          mprotect(reservation_, reservation_bytes_, PROT_NONE) == 0) {
        if (kept.start != nullptr) munmap(kept.start, kept.bytes);
        kept.start = reservation_;
        kept.bytes = reservation_bytes_;
        return;
      }
    }
  }
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
  std::byte* first = system_page_start(start);
  std::size_t length = static_cast<std::size_t>(base_ + (pages_ + pages) * kWasmPageSize - first);
  if (mprotect(first, length, PROT_READ | PROT_WRITE) != 0) return nullptr;
#endif
  pages_ += pages;
  ++grow_count_;
  return start;
}

}  // namespace alligator
