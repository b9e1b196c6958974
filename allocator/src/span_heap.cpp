// Spans: runs of 2 KiB slots. Free spans sit in the span bins (span_bins.hpp) and are coalesced
// with their free neighbours the moment they are freed, so two free spans are never adjacent and
// freed memory is never lost to fragmentation between neighbours. Large blocks (over 16 KiB, or
// aligned beyond 2 KiB) are spans of their own; MiniPages are spans of k_c slots.
//
// Bounds: finding a span is two bitmap lookups; taking one splits it once; freeing merges with at
// most two neighbours, found through their head and tail descriptors. No loop anywhere.
#include <alligator/detail/bits.hpp>
#include <alligator/detail/span_heap.hpp>

#include "cold_code.hpp"

#include <cstdint>

ALLIGATOR_MINSIZE_BEGIN
namespace alligator::detail {

void SpanHeap::set_span(std::uint32_t first, std::uint32_t slots, SpanKind kind) {
  SlotDescriptor& head = descriptor(first);
  head.kind = kind;
  head.role = static_cast<std::uint8_t>(kRoleHead | (slots == 1 ? kRoleTail : 0));
  head.page_slot = 0;
  head.span_slots = slots;
  head.next = kNoSlot;
  head.prev = kNoSlot;
  if (slots > 1) {
    SlotDescriptor& tail = descriptor(first + slots - 1);
    tail.kind = kind;
    tail.role = kRoleTail;
    tail.span_slots = slots;
  }
}

// The span's head and tail become interior slots of a merged span.
void SpanHeap::clear_span_roles(std::uint32_t first, std::uint32_t slots) {
  SlotDescriptor& head = descriptor(first);
  head.kind = SpanKind::none;
  head.role = kRoleNone;
  SlotDescriptor& tail = descriptor(first + slots - 1);
  tail.kind = SpanKind::none;
  tail.role = kRoleNone;
}

void SpanHeap::bin_insert(std::uint32_t first, std::uint32_t slots) {
  unsigned bin = bin_of_length(slots);
  SlotDescriptor& span = descriptor(first);
  span.prev = kNoSlot;
  span.next = bins_.head(bin);
  if (span.next != kNoSlot) descriptor(span.next).prev = first;
  bins_.set_head(bin, first);
}

void SpanHeap::bin_remove(std::uint32_t first, std::uint32_t slots) {
  SlotDescriptor& span = descriptor(first);
  if (span.prev != kNoSlot) {
    descriptor(span.prev).next = span.next;
  } else {
    bins_.set_head(bin_of_length(slots), span.next);
  }
  if (span.next != kNoSlot) descriptor(span.next).prev = span.prev;
}

// A free span of at least `slots`: the good-fit bin search first; then the top free span (just
// below the table), which the search misses when its length rounds into a lower bin (only above
// 64 slots); then
// the client's spare and empty MiniPages and the spare spans are retired; only then does memory
// grow.
std::uint32_t SpanHeap::find_free_span(std::uint32_t slots) {
  // Twice at most: the second search only after retiring freed something. One copy of the
  // searches keeps the code small.
  for (bool retried = false;; retried = true) {
    unsigned bin = bins_.first_nonempty_from(first_bin_fitting(slots));
    if (bin < kBinCount) return lower_of_first_two(bin);
    if (free_slots_at_top() >= slots) return table_first() - free_slots_at_top();
    if (retried) break;
    bool retired = client_.reclaim(client_.context);
    if (!(retire_spare_spans() || retired)) break;
  }
  return grow_for(slots);
}

// Of a non-empty bin's first two spans, the one at the lower address. Every span of the bin fits;
// leaning toward low addresses keeps the free memory at the top of the heap in one run longer.
// Taking the head alone (the span freed last) left peak_mixed_lifetimes at 1.02-1.18x dlmalloc's
// memory over six seeds (mean 1.10x); this choice, at 0.97-1.07x (mean 1.00x). Looking at four
// spans instead of two did no better. One extra record read: still constant time.
std::uint32_t SpanHeap::lower_of_first_two(unsigned bin) const {
  std::uint32_t head = bins_.head(bin);
  std::uint32_t next = descriptor(head).next;
  return next != kNoSlot && next < head ? next : head;
}

// Takes `slots` from the low end of a free span, so the top free span stays next to the table.
std::uint32_t SpanHeap::take(std::uint32_t slots, SpanKind kind) {
  std::uint32_t first = find_free_span(slots);
  if (first == kNoSlot) return kNoSlot;
  std::uint32_t length = descriptor(first).span_slots;
  bin_remove(first, length);
  set_span(first, slots, kind);
  if (length > slots) {
    set_span(first + slots, length - slots, SpanKind::free);
    bin_insert(first + slots, length - slots);
  }
  return first;
}

// Frees a span of any kind, merging it with free neighbours.
void SpanHeap::release(std::uint32_t first, std::uint32_t slots) {
  if (first > 0) {
    const SlotDescriptor& left = descriptor(first - 1);
    if (left.kind == SpanKind::free && (left.role & kRoleTail)) {
      std::uint32_t left_slots = left.span_slots;
      std::uint32_t left_first = first - left_slots;
      bin_remove(left_first, left_slots);
      clear_span_roles(left_first, left_slots);
      clear_span_roles(first, slots);
      first = left_first;
      slots += left_slots;
    }
  }
  std::uint32_t right = first + slots;
  if (right < top_slot_) {
    const SlotDescriptor& next = descriptor(right);
    if (next.kind == SpanKind::free && (next.role & kRoleHead)) {
      std::uint32_t right_slots = next.span_slots;
      bin_remove(right, right_slots);
      clear_span_roles(right, right_slots);
      clear_span_roles(first, slots);
      slots += right_slots;
    }
  }
  set_span(first, slots, SpanKind::free);
  bin_insert(first, slots);
}

// A freed large block of 9 to 16 slots becomes a spare span while its length has room for one;
// otherwise, and for every other length, it is freed and merges.
void SpanHeap::free_large(std::uint32_t first) {
  std::uint32_t slots = descriptor(first).span_slots;
  if (has_spare_spans(slots) && spare_span_count_[slots] < kSpareSpansPerLength) {
    set_span_kind(first, slots, SpanKind::spare);
    spare_spans_[slots][spare_span_count_[slots]++] = first;
    return;
  }
  release(first, slots);
}

bool SpanHeap::retire_spare_spans() {
  bool retired = false;
  for (std::uint32_t slots = kMinSpareSpanSlots; slots <= kMaxSpareSpanSlots; ++slots) {
    while (spare_span_count_[slots] != 0) {
      release(spare_spans_[slots][--spare_span_count_[slots]], slots);
      retired = true;
    }
  }
  return retired;
}

bool SpanHeap::is_spare_span(std::uint32_t first, std::uint32_t slots) const {
  if (!has_spare_spans(slots)) return false;
  for (unsigned i = 0; i < spare_span_count_[slots]; ++i) {
    if (spare_spans_[slots][i] == first) return true;
  }
  return false;
}

void* SpanHeap::allocate_large(std::uint32_t slots, std::size_t alignment) {
  // Slots sit on 2 KiB boundaries; a larger alignment takes enough extra slots to contain an
  // aligned start, and gives back what lies before and after the block.
  std::size_t extra = alignment > kSlotSize ? alignment / kSlotSize - 1 : 0;
  if (extra == 0 && has_spare_spans(slots) && spare_span_count_[slots] != 0) {
    std::uint32_t first = spare_spans_[slots][--spare_span_count_[slots]];
    set_span_kind(first, slots, SpanKind::large);
    return slot_address(first);
  }
  if (slots + extra > kMaxSlots) return nullptr;
  auto total = static_cast<std::uint32_t>(slots + extra);
  std::uint32_t first = take(total, SpanKind::large);
  if (first == kNoSlot) return nullptr;
  if (extra == 0) return slot_address(first);

  auto address = reinterpret_cast<std::uintptr_t>(slot_address(first));
  auto lead = static_cast<std::uint32_t>((align_up(address, alignment) - address) >> kSlotShift);
  auto trail = static_cast<std::uint32_t>(extra) - lead;
  std::uint32_t block_slots = slots;
  // No record needs clearing or setting beyond the block's own: release() writes the lead's and
  // the trail's head and tail (or clears them when they merge), and those cover the taken span's
  // head and tail that the block does not.
  set_span(first + lead, block_slots, SpanKind::large);
  if (lead > 0) release(first, lead);
  if (trail > 0) release(first + lead + block_slots, trail);
  return slot_address(first + lead);
}

// Grows a large block from `slots` to `wanted` slots without moving it: the free span after it
// must be long enough, or be the top free span (or the block ends where the table begins) so that
// memory can grow under it: growth always extends the top free span. Memory grows only if no free
// span could take the whole block instead (wasm memory never shrinks, a copy is cheaper than
// pages kept forever).
bool SpanHeap::extend(std::uint32_t first, std::uint32_t slots, std::uint32_t wanted) {
  std::uint32_t next = first + slots;
  std::uint32_t needed = wanted - slots;
  auto free_after = [&]() -> std::uint32_t {
    const SlotDescriptor& after = descriptor(next);
    return after.kind == SpanKind::free && (after.role & kRoleHead) ? after.span_slots : 0;
  };
  std::uint32_t available = free_after();
  if (available < needed) {
    if (next + available != table_first()) return false;
    if (bins_.first_nonempty_from(first_bin_fitting(wanted)) < kBinCount) return false;
    if (grow_for(needed) == kNoSlot) return false;
    available = free_after();
  }
  bin_remove(next, available);
  clear_span_roles(first, slots);
  clear_span_roles(next, available);
  set_span(first, wanted, SpanKind::large);
  if (available > needed) {
    set_span(first + wanted, available - needed, SpanKind::free);
    bin_insert(first + wanted, available - needed);
  }
  return true;
}

void SpanHeap::shrink(std::uint32_t first, std::uint32_t slots, std::uint32_t wanted) {
  set_span(first, wanted, SpanKind::large);
  set_span(first + wanted, slots - wanted, SpanKind::large);
  release(first + wanted, slots - wanted);
}

}  // namespace alligator::detail
ALLIGATOR_MINSIZE_END
