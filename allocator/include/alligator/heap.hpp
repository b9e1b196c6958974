// alligator::Heap<Memory>: Alligator's C++ layout API over any memory source.
//
//   SimulatedMemory memory(4 << 20);          // a simulated wasm memory, at most 4 MiB
//   alligator::Heap heap(memory);
//   void* p = heap.allocate(100, 8);          // nullptr when memory cannot grow
//   heap.deallocate(p, 100, 8);
//
// Every operation takes constant time: no loop in allocate, deallocate or reallocate (memcpy
// aside) runs longer with more live objects or a bigger heap. A Heap is not thread-safe (wasm
// without threads needs none); give each thread its own or lock around it.
#pragma once

#include <alligator/detail/heap_core.hpp>
#include <alligator/introspection.hpp>
#include <alligator/shim/memory_source.hpp>

#include <cstddef>

namespace alligator {

template <MemorySource Memory>
class Heap {
 public:
  explicit constexpr Heap(Memory& memory) : memory_(memory), core_(&grow_thunk, &memory) {}

  // A block of at least `size` bytes aligned to `alignment`, a power of two. Every block is also
  // aligned for any object of its size, min(alignof(max_align_t), largest power of two <= size),
  // so alignment 1 asks for nothing more. nullptr when out of memory or `alignment` is not a
  // power of two. size 0 gives a unique block.
  void* allocate(std::size_t size, std::size_t alignment = 1) {
    return core_.allocate(size, alignment);
  }
  // Any block this heap handed out; nullptr is ignored.
  void deallocate(void* pointer) { core_.deallocate(pointer); }
  // As above, and checks the layout: the block must hold `size` bytes at `alignment`.
  void deallocate(void* pointer, std::size_t size, std::size_t alignment) {
    core_.deallocate(pointer, size, alignment);
  }
  // Resizes in place when it can, else moves (copying the smaller size). nullptr pointer
  // allocates; new_size 0 frees and returns nullptr; on failure (no memory, or an alignment
  // that is not a power of two) returns nullptr and the block is untouched.
  void* reallocate(void* pointer, std::size_t new_size, std::size_t alignment = 1) {
    return core_.reallocate(pointer, new_size, alignment);
  }
  std::size_t usable_size(const void* pointer) { return core_.usable_size(pointer); }
  bool owns(const void* pointer) const { return core_.owns(pointer); }
  const std::byte* end() const { return core_.end(); }

  // What the heap keeps for reuse (spare and empty MiniPages, spare spans) back to its free
  // spans, where any request can use it; true if there was any. The memory stays the heap's.
  bool trim() { return core_.trim(); }

  HeapStats stats() const { return core_.stats(); }
  ValidationReport validate() const { return core_.validate(); }
  template <class Visit>
  void walk(Visit&& visit) const {
    core_.walk([](const SpanView& span, void* context) { (*static_cast<Visit*>(context))(span); },
               &visit);
  }
  void set_error_handler(HeapErrorHandler handler, void* context = nullptr) {
    core_.set_error_handler(handler, context);
  }

  Memory& memory() { return memory_; }
  detail::HeapCore& core() { return core_; }
  const detail::HeapCore& core() const { return core_; }

 private:
  static std::byte* grow_thunk(void* memory, std::size_t pages) {
    return static_cast<Memory*>(memory)->grow(pages);
  }

  Memory& memory_;
  detail::HeapCore core_;
};

}  // namespace alligator
