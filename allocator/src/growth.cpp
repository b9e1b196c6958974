// Growth: taking wasm pages from the memory source when no free span fits.
//
// The table (a 64 KiB apron, the bitmap pool, every slot's record) is always the heap's last span.
// New pages go after it and the table moves to the new end, so the slots it leaves and the new
// pages join the top free span: metadata never separates free memory, and a block just below the
// table grows in place. The heap asks for max(p_k, p_min) pages: p_k the fewest that leave a top
// free span of k slots, p_min the pages the pool and records fill, so a growth is never shorter
// than the copy it causes; if memory refuses more than p_k, it asks once more for p_k.
//
// Bounds: the page count is solved in closed form and corrected by at most a step or two; the
// move copies L(top) = B + R(top) slots (the pool, and 16 bytes of record per slot of heap), no
// more than the growth when p >= p_min, and clears the records of the new slots.
#include <alligator/detail/span_heap.hpp>

#include "cold_code.hpp"
#include "diagnosis_output.hpp"
#include "valgrind_hooks.hpp"

#include <cstdlib>
#include <cstring>

ALLIGATOR_MINSIZE_BEGIN
namespace alligator::detail {

std::uint32_t SpanHeap::free_slots_at_top() const {
  if (top_slot_ == 0) return 0;
  const SlotDescriptor& last = descriptor(table_first() - 1);
  return last.kind == SpanKind::free && (last.role & kRoleTail) ? last.span_slots : 0;
}

namespace {

// Slots a growth of `pages` leaves in the top free span. Before the first growth there is no
// table to move, and slot 0 is made too.
// Growth leaves the pool's length B as it is (the first growth has none).
std::uint64_t top_free_after(std::uint32_t top, std::uint32_t top_free, std::uint32_t pool,
                             std::uint64_t pages) {
  std::uint64_t new_top = top + pages * kSlotsPerWasmPage;
  std::uint64_t gained = top_free + pages * kSlotsPerWasmPage +
                         (top == 0 ? 0 : table_span_slots(top, pool)) - (top == 0 ? 1 : 0);
  std::uint64_t table = kApronSlots + (top == 0 ? 0 : pool) + (new_top + 127) / 128;
  return gained > table ? gained - table : 0;
}

// p_k: the fewest pages whose growth leaves `slots` (> top_free) in the top free span. A page adds
// 32 slots and grows the records by 32 / 128 = 0.25 slot, so the top free span gains 31.75 slots
// a page, give or take the rounding of R and the 34 slots (apron, records, slot 0) a first growth
// spends: the estimate below is never short and at most three pages long.
std::uint64_t pages_for(std::uint32_t top, std::uint32_t top_free, std::uint32_t pool,
                        std::uint32_t slots) {
  std::uint64_t deficit = std::uint64_t{slots} - top_free + kApronSlots + 2;
  std::uint64_t pages = (4 * deficit + 126) / 127;
  while (pages > 1 && top_free_after(top, top_free, pool, pages - 1) >= slots) --pages;
  while (top_free_after(top, top_free, pool, pages) < slots) ++pages;
  return pages;
}

}  // namespace

std::uint32_t SpanHeap::grow_for(std::uint32_t slots) {
#if ALLIGATOR_THREAD_CACHE
  client_.growing(client_.context, true);
  std::uint32_t first = grow_and_move_table(slots);
  client_.growing(client_.context, false);
  return first;
#else
  return grow_and_move_table(slots);  // nobody reads the table without the heap
#endif
}

std::uint32_t SpanHeap::grow_and_move_table(std::uint32_t slots) {
  std::uint32_t top_free = free_slots_at_top();
  std::uint64_t needed = pages_for(top_slot_, top_free, pool_slots_, slots);
  std::uint64_t copied = std::uint64_t{pool_slots_} + table_record_slots(top_slot_);
  std::uint64_t generous = (copied + kSlotsPerWasmPage - 1) / kSlotsPerWasmPage;
  if (generous < needed) generous = needed;
  // The 4 GiB address space. A host's first growth with a lead may have passed 2^21 slots
  // (allocator/README.md): then no page is left, not 2^32 - 1 slots' worth of them.
  std::uint64_t room = top_slot_ >= kMaxSlots ? 0 : (kMaxSlots - top_slot_) / kSlotsPerWasmPage;
  if (needed > room) return kNoSlot;
  if (generous > room) generous = needed;
  std::uint64_t pages = generous;
  std::byte* start = grow_(memory_, pages);
  if (start == nullptr && generous > needed) {
    pages = needed;
    start = grow_(memory_, pages);
  }
  if (start == nullptr) return kNoSlot;
  // The first growth also takes the rest of the page the memory begins in, if it begins inside
  // one (memory_source.hpp): slot 0 is the first byte the memory gave.
  std::uint32_t lead = 0;
  if (origin_ == nullptr) {
    origin_ = start;
    lead = first_page_lead_slots();
  }
  // The contract (memory_source.hpp): a first grow starts on a 2 KiB boundary, and each later one
  // where the last ended. A heap cannot carve a gap or a slot off its boundary. One message for
  // both: a second would cost code_size_o2 about 60 bytes.
  if ((reinterpret_cast<std::uintptr_t>(start) & (kSlotSize - 1)) != 0 ||
      start != slot_address(top_slot_)) {
    static const char message[] = "alligator: memory source broke its contract; aborting\n";
    write_diagnosis_line(message, sizeof message - 1);
    std::abort();
  }
  wasm_pages_ += pages;
  move_table(start, static_cast<std::uint32_t>(top_slot_ + lead + pages * kSlotsPerWasmPage));
  return table_first() - free_slots_at_top();
}

// Moves the table to the end of the heap grown to `new_top` slots and frees what lies between
// the top free span and it: the old apron, pool and records, and the new pages before the new
// table. The pool and the records move as one block: bitmap indexes count from the records down.
void SpanHeap::move_table(std::byte* new_memory, std::uint32_t new_top) {
  std::uint32_t old_top = top_slot_;
  std::uint32_t old_first = old_top == 0 ? 1 : table_first();
  std::uint32_t old_length = table_slots();
  std::uint32_t new_first = new_top - table_span_slots(new_top, pool_slots_);
  auto* moved = reinterpret_cast<SlotDescriptor*>(slot_address(new_first + kApronSlots + pool_slots_));
  if (old_top != 0) {
    // The new table starts above the old one (a growth adds 32 slots per page, the records under
    // one), so an overlapping copy runs backwards safely.
    std::memmove(reinterpret_cast<std::byte*>(moved) - std::size_t{pool_slots_} * kSlotSize,
                 pool_first(), pool_and_record_bytes());
  }
  std::memset(static_cast<void*>(moved + old_top), 0,
              std::size_t{new_top - old_top} * sizeof(SlotDescriptor));
  table_ = moved;
  top_slot_ = new_top;
  client_.table_moved(client_.context);
  if (old_top == 0) {
    set_span(0, 1, SpanKind::metadata);
    valgrind::no_access(new_memory, kSlotSize);
  } else {
    clear_span_roles(old_first, old_length);
  }
  set_span(new_first, table_slots(), SpanKind::metadata);
  // As a released span, the freed slots merge with the top free span below them.
  set_span(old_first, new_first - old_first, SpanKind::large);
  release(old_first, new_first - old_first);
  valgrind::no_access(slot_address(old_first), std::size_t{new_first - old_first} * kSlotSize);
  valgrind::no_access(slot_address(new_first), std::size_t{kApronSlots} * kSlotSize);
}

}  // namespace alligator::detail
ALLIGATOR_MINSIZE_END
