// A simulation of wasm linear memory for hosts (x86_64, i686) and for tests on every target.
//
// One contiguous region of `max_bytes` is reserved (at the first grow), so the simulated memory
// never moves and grows exactly like wasm memory: in whole 64 KiB pages (and a first grow's lead,
// when it begins inside a page), up to a maximum, never shrinking. Pages become accessible only when grown, so a stray access past the grown end faults
// on hosts. For tests it counts grows and can refuse the next N grows (fault injection for
// out-of-memory paths).
//
// Creating one is cheap (one mmap of reserved address space, or on hosts outside Valgrind the
// reservation a destroyed memory left, zeroed: simulated_memory.cpp), so tests may make thousands.
#pragma once

#include <alligator/shim/memory_source.hpp>

#include <cstddef>

namespace alligator {

class SimulatedMemory {
 public:
  // `max_bytes` is rounded up to whole wasm pages. The first grow reserves the region; it aborts
  // if the reservation itself fails. With `first_lead` (a multiple of kFirstGrowAlignment below
  // kWasmPageSize), the memory begins that many bytes before a page boundary, as a program's
  // __heap_base does: the first grow starts there and hands out those bytes with its pages
  // (memory_source.hpp); they do not count against the maximum.
  explicit constexpr SimulatedMemory(std::size_t max_bytes, std::size_t first_lead = 0)
      : max_pages_((max_bytes + kWasmPageSize - 1) / kWasmPageSize),
        first_lead_(first_lead % kWasmPageSize / kFirstGrowAlignment * kFirstGrowAlignment) {}
  ~SimulatedMemory();
  SimulatedMemory(const SimulatedMemory&) = delete;
  SimulatedMemory& operator=(const SimulatedMemory&) = delete;

  // The memory-source contract (memory_source.hpp).
  std::byte* grow(std::size_t pages);

  // Test control: the next `count` grows fail as if the maximum were reached.
  void refuse_next_grows(std::size_t count) { refusals_left_ = count; }

  // The first byte the memory hands out (its first grow's start).
  std::byte* base() const { return base_ == nullptr ? nullptr : base_ - first_lead_; }
  std::size_t pages() const { return pages_; }
  std::size_t max_pages() const { return max_pages_; }
  std::size_t grow_count() const { return grow_count_; }
  std::size_t refused_count() const { return refused_count_; }
  bool contains(const void* address) const {
    auto* byte = static_cast<const std::byte*>(address);
    return pages_ > 0 && byte >= base_ - first_lead_ && byte < base_ + pages_ * kWasmPageSize;
  }

 private:
  void reserve();

  std::byte* base_ = nullptr;         // the first page boundary handed out
  std::byte* reservation_ = nullptr;  // may start below base_ to align it
  std::size_t reservation_bytes_ = 0;
  std::size_t pages_ = 0;
  std::size_t max_pages_ = 0;
  std::size_t first_lead_ = 0;  // bytes handed out before base_ by the first grow
  std::size_t grow_count_ = 0;
  std::size_t refusals_left_ = 0;
  std::size_t refused_count_ = 0;
};

static_assert(MemorySource<SimulatedMemory>);

}  // namespace alligator
