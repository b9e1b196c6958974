// Growth: taking wasm pages from the memory source when no free span fits.
//
// The heap grows by the fewest whole wasm pages that, together with the free span already at the
// top, hold the request. When the new pages reach a 1 MiB group the heap has not used before,
// they also hold that group's descriptor block (12 slots, placed first in the new pages; the
// old top free span then stays where it is, free for later requests).
//
// Bounds: the page count settles in at most three passes (each pass can only add descriptor
// blocks for the groups the previous pass's pages reached); installing new pages initialises one
// descriptor block per group reached, proportional to the growth, not to the live heap.
#include <alligator/detail/heap_core.hpp>

#include "valgrind_hooks.hpp"

#include <cstdlib>
#include <cstring>
#include <unistd.h>

namespace alligator::detail {

std::uint32_t HeapCore::free_slots_at_top() const {
  if (top_slot_ == 0) return 0;
  const SlotDescriptor& last = descriptor(top_slot_ - 1);
  return last.kind == SpanKind::free && (last.role & kRoleTail) ? last.span_slots : 0;
}

namespace {
// Groups in [from, to) (to > from) without a descriptor block: all but the first group, unless
// the first group starts at `from` (the heap has not reached it yet).
std::uint32_t groups_needing_blocks(std::uint32_t from, std::uint32_t to) {
  std::uint32_t first_new = (from + kSlotsPerGroup - 1) >> kGroupShift;
  std::uint32_t last = (to - 1) >> kGroupShift;
  return last >= first_new ? last - first_new + 1 : 0;
}
}  // namespace

std::uint32_t HeapCore::grow_for(std::uint32_t slots) {
  std::uint32_t top_free = free_slots_at_top();
  std::uint32_t missing = slots - top_free;
  std::size_t pages = (missing + kSlotsPerWasmPage - 1) / kSlotsPerWasmPage;
  for (;;) {
    std::size_t new_slots = pages * kSlotsPerWasmPage;
    if (new_slots > kMaxSlots - top_slot_) return kNoSlot;  // beyond the 4 GiB address space
    std::size_t metadata = std::size_t{groups_needing_blocks(top_slot_, top_slot_ + new_slots)} *
                           kDescriptorBlockSlots;
    // Descriptor blocks go first in the new pages, cutting them off from the old top free span.
    std::size_t usable = metadata == 0 ? top_free + new_slots
                         : new_slots > metadata ? new_slots - metadata
                                                : 0;
    if (usable >= slots) break;
    pages += (slots - usable + kSlotsPerWasmPage - 1) / kSlotsPerWasmPage;
  }
  std::byte* start = grow_(memory_, pages);
  if (start == nullptr) return kNoSlot;
  if (origin_ == nullptr) origin_ = start;
  if (start != slot_address(top_slot_)) {
    // The memory-source contract promises contiguous growth; a heap cannot carve a gap.
    static const char message[] = "alligator: memory source grew non-contiguously; aborting\n";
    (void)!write(2, message, sizeof message - 1);
    std::abort();
  }
  wasm_pages_ += pages;
  install_pages(top_slot_, static_cast<std::uint32_t>(pages * kSlotsPerWasmPage));
  return top_slot_ - free_slots_at_top();
}

void HeapCore::install_pages(std::uint32_t first, std::uint32_t slots) {
  std::uint32_t end = first + slots;
  std::uint32_t cursor = first;
  for (std::uint32_t group = first >> kGroupShift; group <= (end - 1) >> kGroupShift; ++group) {
    if (directory_[group] != nullptr) continue;
    auto* block = reinterpret_cast<SlotDescriptor*>(slot_address(cursor));
    std::memset(static_cast<void*>(block), 0, kSlotsPerGroup * sizeof(SlotDescriptor));
    directory_[group] = block;
    cursor += kDescriptorBlockSlots;
  }
  top_slot_ = end;
  if (cursor > first) set_span(first, cursor - first, SpanKind::metadata);
  // As a released span, the new memory merges with the free span at the old top.
  set_span(cursor, end - cursor, SpanKind::large);
  release_span(cursor, end - cursor);
  valgrind::no_access(slot_address(cursor), std::size_t{end - cursor} * kSlotSize);
}

}  // namespace alligator::detail
