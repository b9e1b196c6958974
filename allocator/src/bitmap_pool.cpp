// The bitmap pool: each MiniPage's 256-bit Segment bitmap, a 32-byte record in the table, between
// the apron and the slot records (allocator/README.md, "Metadata out of band", "The pool").
//
// Keeping the bitmaps out of the per-slot records cuts those to 16 bytes, so a heap of large
// blocks pays 0.78% for its records where 48-byte ones cost it 2.3%; only MiniPages pay for a
// bitmap. The pool grows downward one slot (64 records) at a time: it takes the top free span's
// last slot and the apron moves down one slot (it holds nothing, so nothing is copied), or, with
// no top free span, memory grows first. It never shrinks; records no MiniPage owns are on a free
// list threaded through the records themselves (the first word of a free record holds the next
// free index + 1). A record's index counts from the slot records down, so it stays valid when
// growth moves the table. Every MiniPage owns exactly one record; validate() checks it.
//
// Bounds: taking a record is a pop, or one pool slot (a split of the top free span, or at most
// one reclaim and one growth) and 64 pushes; releasing one is a push.
#include <alligator/detail/span_heap.hpp>

#include "cold_code.hpp"
#include "valgrind_hooks.hpp"

#include <cstring>

ALLIGATOR_MINSIZE_BEGIN
namespace alligator::detail {

std::uint32_t SpanHeap::next_free_bitmap(std::uint32_t index) const {
  std::uint32_t link;
  std::memcpy(&link, static_cast<const void*>(&bitmap(index)), sizeof link);
  return link - 1;
}

void SpanHeap::push_free_bitmap(std::uint32_t index) {
  std::uint32_t link = free_bitmap_;
  std::memcpy(static_cast<void*>(&bitmap(index)), &link, sizeof link);
  free_bitmap_ = index + 1;
}

// The bitmap record first, then the slot: the pool's growth may take the top free span's last
// slot, and a MiniPage needs both. If the slot then cannot be found, the record goes back to the
// free list (the pool keeps its slot: it never shrinks).
std::uint32_t SpanHeap::take_mini_page(std::uint32_t slots, unsigned size_class) {
  std::uint32_t index = take_bitmap();
  if (index == kNoBitmap) return kNoSlot;
  std::uint32_t first = take(slots, SpanKind::mini_page);
  if (first == kNoSlot) {
    push_free_bitmap(index);
    return kNoSlot;
  }
  // Every slot a MiniPage record (at most 16 writes), so a pointer into any of them finds it.
  for (std::uint32_t page_slot = 0; page_slot < slots; ++page_slot) {
    SlotDescriptor& record = descriptor(first + page_slot);
    record.kind = SpanKind::mini_page;
    record.size_class = static_cast<std::uint8_t>(size_class);
    record.page_slot = static_cast<std::uint8_t>(page_slot);
    record.bitmap = index;
  }
  return first;
}

// Its interior records go back to kind none (head and tail are the span layer's), so a stale
// pointer into what was the MiniPage never finds a class or a bitmap there again.
void SpanHeap::release_mini_page(std::uint32_t first) {
  std::uint32_t slots = descriptor(first).span_slots;
  push_free_bitmap(static_cast<std::uint32_t>(descriptor(first).bitmap));
  for (std::uint32_t inside = first + 1; inside + 1 < first + slots; ++inside) {
    descriptor(inside).kind = SpanKind::none;
  }
  release(first, slots);
}

// With no free record the pool grows by a slot: the top free span's last; with no top free
// span, after what the client keeps and the spare spans are retired (which may free a record);
// failing that, after memory grows for one slot.
std::uint32_t SpanHeap::take_bitmap() {
  if (free_bitmap_ == 0) {
    if (free_slots_at_top() == 0) {
      bool retired = client_.reclaim(client_.context);
      retired = retire_spare_spans() || retired;
      (void)retired;
    }
    if (free_bitmap_ == 0) {
      if (free_slots_at_top() == 0 && grow_for(1) == kNoSlot) return kNoBitmap;
      grow_pool();
    }
  }
  std::uint32_t index = free_bitmap_ - 1;
  free_bitmap_ = next_free_bitmap(index) + 1;
  return index;
}

// Precondition: a top free span. Its last slot becomes the apron's first, and the apron's last
// becomes the pool's new slot, next to the pool's lowest: the table is one slot longer at its low
// end and nothing moves.
void SpanHeap::grow_pool() {
  std::uint32_t table = table_first();
  std::uint32_t free_slots = free_slots_at_top();
  std::uint32_t free_first = table - free_slots;
  bin_remove(free_first, free_slots);
  clear_span_roles(free_first, free_slots);
  if (free_slots > 1) {
    set_span(free_first, free_slots - 1, SpanKind::free);
    bin_insert(free_first, free_slots - 1);
  }
  clear_span_roles(table, table_slots());
  ++pool_slots_;
  set_span(table - 1, table_slots(), SpanKind::metadata);
  valgrind::no_access(slot_address(table - 1), kSlotSize);
  std::uint32_t first = (pool_slots_ - 1) * kBitmapsPerPoolSlot;
  valgrind::defined(&bitmap(first + kBitmapsPerPoolSlot - 1), kSlotSize);
  // Pushed highest first, so the lowest index is taken first (any order would do).
  for (std::uint32_t index = first + kBitmapsPerPoolSlot; index-- > first;) push_free_bitmap(index);
}

}  // namespace alligator::detail
ALLIGATOR_MINSIZE_END
