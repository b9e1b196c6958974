// Out-of-band metadata for each 2 KiB slot of the heap.
//
// The heap's memory is an array of 2 KiB slots. Runs of slots ("spans") are free, a MiniPage (one
// slot), a large block, a spare span, or allocator metadata. Each slot has a 48-byte
// SlotDescriptor; all of them live in one array, the table, at the end of the heap (the heap's last
// span, after a 64 KiB apron that is never handed out). The table moves to the new end whenever
// the heap grows, so it never separates the top free span from new pages, and every user block
// lies below the apron: a user overflow of up to one wasm page runs into other user memory, free
// memory or the apron, never into a bitmap, free vector or span record. Slot 0 is a one-slot
// metadata span holding nothing, so 0 can mean "no slot" in lists.
//
// Only the first slot (head) and last slot (tail) of a span carry its record; slots inside a span
// have role kNone. When a slot stops being a head or tail (spans merge), its role is cleared, so
// a descriptor that says "head" always is one: an interior pointer can never pass for a block.
#pragma once

#include <alligator/detail/segment_bitmap.hpp>

#include <cstdint>

namespace alligator {
// spare: a freed large block kept, unmerged, for the next request of its length.
enum class SpanKind : std::uint8_t { none = 0, free, mini_page, large, metadata, foreign, spare };
}  // namespace alligator

namespace alligator::detail {

// Slot 0 is always a metadata span, so no list ever links to it: 0 means "no slot", and a fresh
// heap is all zeros.
inline constexpr std::uint32_t kNoSlot = 0;
inline constexpr std::size_t kSlotSize = kMiniPageSize;
inline constexpr unsigned kSlotShift = 11;
// wasm32 addresses 4 GiB: 2^21 slots. Hosts simulate the same space.
inline constexpr std::uint32_t kMaxSlots = std::uint32_t{1} << 21;
inline constexpr std::uint32_t kSlotsPerWasmPage = 65536 / kSlotSize;

enum SlotRole : std::uint8_t { kRoleNone = 0, kRoleHead = 1, kRoleTail = 2 };
enum SlotFlag : std::uint8_t { kOnPartialList = 1 };

struct SlotDescriptor {
  SpanKind kind;
  std::uint8_t role;         // SlotRole bits; a one-slot span is head and tail
  std::uint8_t size_class;   // MiniPages
  std::uint8_t flags;        // SlotFlag bits, MiniPages
  std::uint32_t span_slots;  // heads and tails
  std::uint32_t next;        // free spans: bin list; MiniPages: partial list
  std::uint32_t prev;
  SegmentBitmap bitmap;      // MiniPages
};
static_assert(sizeof(SlotDescriptor) == 48);

// The table (allocator/README.md, "Metadata out of band"): a one-wasm-page apron, then the
// descriptors of all `top` slots in L(top) = ceil(3 top / 128) slots (48 bytes = 3/128 of a slot).
inline constexpr std::uint32_t kApronSlots = kSlotsPerWasmPage;
static_assert(sizeof(SlotDescriptor) * 128 == 3 * kSlotSize, "L(top) = ceil(3 top / 128)");
constexpr std::uint32_t table_descriptor_slots(std::uint32_t top) {
  return static_cast<std::uint32_t>((std::uint64_t{3} * top + 127) / 128);
}
constexpr std::uint32_t table_span_slots(std::uint32_t top) {
  return kApronSlots + table_descriptor_slots(top);
}

}  // namespace alligator::detail
