// The page layer: the heap's slots, their records and the MiniPages' bitmap records (the table),
// free spans, large blocks and growth, behind one interface the small path uses
// (take_mini_page, release_mini_page, descriptor and bitmap lookup) and the heap's entry points
// use for large blocks (allocate_large, free_large, extend, shrink).
//
// It knows nothing of size classes or MiniPage lists: when no free span fits it asks its client
// (the small path) to reclaim what it keeps (spare and empty MiniPages) before growing, and tells
// it when growth moved the table so cached pointers into descriptors can be rebased. A different
// large-block allocator can replace this class without touching the small path.
//
// Bounds (allocator/README.md, "Constant time"): take is two bitmap lookups, one split, and at
// most one reclaim and one growth; release merges with at most two neighbours; growth moves the
// table, never longer than the growth itself when memory allows p >= p_min; a bitmap record is
// a pop, or one pool slot (a split, or at most one reclaim and one growth) and 64 pushes.
#pragma once

#include <alligator/detail/slot_descriptor.hpp>
#include <alligator/detail/span_bins.hpp>

#include <cstddef>
#include <cstdint>

namespace alligator::detail {

// Freed large blocks of 9 to 16 slots a heap keeps per length (allocator/README.md, "Spare spans":
// smaller blocks are medium classes, whose spare MiniPages do the same).
inline constexpr std::uint32_t kMinSpareSpanSlots = 9;
inline constexpr std::uint32_t kMaxSpareSpanSlots = 16;
inline constexpr unsigned kSpareSpansPerLength = 4;
constexpr bool has_spare_spans(std::size_t slots) {
  return slots >= kMinSpareSpanSlots && slots <= kMaxSpareSpanSlots;
}

class SpanHeap {
 public:
  using GrowFunction = std::byte* (*)(void* memory, std::size_t pages);
  // The layer above. reclaim frees what it keeps (through release) and says whether it freed
  // anything; table_moved says that descriptor addresses changed; with thread caches, growing
  // brackets each growth (started true before memory is asked for, false once the table moved).
  struct Client {
    bool (*reclaim)(void* context);
    void (*table_moved)(void* context);
#if ALLIGATOR_THREAD_CACHE
    void (*growing)(void* context, bool started);
#endif
    void* context;
  };

  constexpr SpanHeap(GrowFunction grow, void* memory, Client client)
      : grow_(grow), memory_(memory), client_(client) {}

  // Spans. take: `slots` from the low end of a free span (good fit, else the top free span,
  // else after the client reclaimed, else after growth), labelled `kind`; kNoSlot when memory
  // cannot grow. release: frees a whole span (or a large block's tail), merging it.
  std::uint32_t take(std::uint32_t slots, SpanKind kind);
  void release(std::uint32_t first, std::uint32_t slots);

  // MiniPages (bitmap_pool.cpp): take_mini_page takes a bitmap record (growing the pool by a slot
  // when none is free), then `slots` slots, as take does; it returns the first, or kNoSlot when
  // memory cannot grow (allocator/README.md: a request of a class of several slots then becomes
  // a large block). Every slot's record holds the class (an opaque label here), the bitmap's
  // index and the slot's position in the MiniPage. The bitmap is not cleared. release_mini_page
  // frees both.
  std::uint32_t take_mini_page(std::uint32_t slots, unsigned size_class);
  void release_mini_page(std::uint32_t first);
  SegmentBitmap& bitmap(std::uint32_t index) const {
    return *(reinterpret_cast<SegmentBitmap*>(table_) - 1 - index);
  }
  std::uint32_t pool_slots() const { return pool_slots_; }
  std::uint32_t bitmap_records() const { return pool_slots_ * kBitmapsPerPoolSlot; }
  // The pool's free list, for validate(): the first free record and the one after `index`
  // (kNoBitmap: none).
  std::uint32_t first_free_bitmap() const { return free_bitmap_ - 1; }
  std::uint32_t next_free_bitmap(std::uint32_t index) const;

  // Large blocks: whole slots, a spare span of the same length first; with an alignment above
  // 2 KiB, the aligned part of a longer span. nullptr when out of memory.
  void* allocate_large(std::uint32_t slots, std::size_t alignment);
  // Keeps the block at `first` as a spare span, or releases it.
  void free_large(std::uint32_t first);
  // In place: extend needs the free span after the block (growing memory under it when that is
  // the top free span and no free span could take the whole block); shrink frees the tail.
  bool extend(std::uint32_t first, std::uint32_t slots, std::uint32_t wanted);
  void shrink(std::uint32_t first, std::uint32_t slots, std::uint32_t wanted);
  // Spare spans go back to the free spans (before growth); true if there were any.
  bool retire_spare_spans();
  bool is_spare_span(std::uint32_t first, std::uint32_t slots) const;

  SlotDescriptor& descriptor(std::uint32_t slot) const { return table_[slot]; }
  std::byte* slot_address(std::uint32_t slot) const { return origin_ + std::size_t{slot} * kSlotSize; }
  std::byte* origin() const { return origin_; }
  // The slots before the first page boundary at or after the origin: the part of a page the
  // first growth took beyond its whole pages (0 when the memory began on a page).
  std::uint32_t first_page_lead_slots() const {
    auto address = reinterpret_cast<std::uintptr_t>(origin_);
    constexpr std::uintptr_t kPageBytes = std::uintptr_t{kSlotsPerWasmPage} * kSlotSize;
    return static_cast<std::uint32_t>(((0 - address) & (kPageBytes - 1)) / kSlotSize);
  }
  std::uint32_t top() const { return top_slot_; }
  std::size_t wasm_pages() const { return wasm_pages_; }
  const SlotDescriptor* table() const { return table_; }
  std::uint32_t table_slots() const { return table_span_slots(top_slot_, pool_slots_); }
  std::uint32_t table_first() const { return top_slot_ - table_slots(); }
  // The table's bitmap pool and records, the bytes a growth copies (and memcheck opens).
  std::byte* pool_first() const {
    return reinterpret_cast<std::byte*>(table_) - std::size_t{pool_slots_} * kSlotSize;
  }
  std::size_t pool_and_record_bytes() const {
    return std::size_t{pool_slots_} * kSlotSize + std::size_t{top_slot_} * sizeof(SlotDescriptor);
  }
  // Whether `pointer` lies in the memory this heap took. One unsigned comparison: below the
  // origin wraps around to a large offset, and a fresh heap has no slots.
  bool owns(const void* pointer) const {
    return reinterpret_cast<std::uintptr_t>(pointer) - reinterpret_cast<std::uintptr_t>(origin_) <
           std::uintptr_t{top_slot_} * kSlotSize;
  }
  const SpanBins& bins() const { return bins_; }
  unsigned spare_span_count(std::uint32_t slots) const { return spare_span_count_[slots]; }
  std::uint32_t spare_span(std::uint32_t slots, unsigned index) const {
    return spare_spans_[slots][index];
  }

  // Records a span's head and tail; relabels one in place; clears them when it merges.
  void set_span(std::uint32_t first, std::uint32_t slots, SpanKind kind);
  void set_span_kind(std::uint32_t first, std::uint32_t slots, SpanKind kind) {
    descriptor(first).kind = kind;
    descriptor(first + slots - 1).kind = kind;
  }

 private:
  friend struct TestAccess;  // allocator/tests/heap_test_access.hpp (the validator's tests)

  std::uint32_t find_free_span(std::uint32_t slots);
  std::uint32_t lower_of_first_two(unsigned bin) const;
  void clear_span_roles(std::uint32_t first, std::uint32_t slots);
  void bin_insert(std::uint32_t first, std::uint32_t slots);
  void bin_remove(std::uint32_t first, std::uint32_t slots);
  // Growth (growth.cpp): returns the first slot of the top free span, which then holds at least
  // `slots`, or kNoSlot when memory cannot grow.
  std::uint32_t grow_for(std::uint32_t slots);
  std::uint32_t grow_and_move_table(std::uint32_t slots);
  // The top free span: the free span that ends where the table begins (0 slots if none).
  std::uint32_t free_slots_at_top() const;
  void move_table(std::byte* new_memory, std::uint32_t new_top);
  // The pool (bitmap_pool.cpp): a free bitmap record's index, growing the pool when none is free;
  // kNoBitmap when that needed memory that could not grow.
  std::uint32_t take_bitmap();
  void grow_pool();
  void push_free_bitmap(std::uint32_t index);

  GrowFunction grow_;
  void* memory_;
  Client client_;
  std::byte* origin_ = nullptr;  // slot 0: the first byte the memory source gave
  std::uint32_t top_slot_ = 0;   // one past the last slot taken from the memory source
  std::size_t wasm_pages_ = 0;
  SlotDescriptor* table_ = nullptr;  // the descriptors of slots 0 to top_slot_ - 1
  std::uint32_t pool_slots_ = 0;     // B: the bitmap pool's slots, just below table_
  std::uint32_t free_bitmap_ = 0;    // the pool's free list: first free record's index + 1, 0 none
  SpanBins bins_;
  // Spare spans, a stack per length (index: length in slots): a large block freed and taken
  // again at once costs no merge, split or bin search.
  std::uint32_t spare_spans_[kMaxSpareSpanSlots + 1][kSpareSpansPerLength] = {};
  std::uint8_t spare_span_count_[kMaxSpareSpanSlots + 1] = {};
};

}  // namespace alligator::detail
