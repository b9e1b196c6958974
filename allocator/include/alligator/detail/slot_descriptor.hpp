// Out-of-band metadata for each 2 KiB slot of the heap.
//
// The heap's memory is an array of 2 KiB slots. Runs of slots ("spans") are free, a MiniPage (k_c
// slots), a large block, a spare span, or allocator metadata. Each slot has a 16-byte
// SlotDescriptor (its record); all of them live in one array at the end of the table, the heap's
// last span, after a 64 KiB apron that is never handed out and the bitmap pool (the MiniPages'
// Segment bitmaps, 32 bytes each, bitmap_pool.cpp). The table moves to the new end whenever the
// heap grows, so it never separates the top free span from new pages, and every user block lies
// below the apron: a user overflow of up to one wasm page runs into other user memory, free
// memory or the apron, never into a bitmap or span record. Slot 0 is a one-slot
// metadata span holding nothing, so 0 can mean "no slot" in lists.
//
// Only the first slot (head) and last slot (tail) of a span carry its record; slots inside a span
// have role kNone and kind none, except inside a MiniPage: every one of its slots is a MiniPage
// record with its class, bitmap index and position (page_slot), so a pointer into any of them
// finds its Segment with one lookup; freeing the MiniPage clears them. When a slot stops being a
// head or tail (spans merge), its role and kind are cleared, so a descriptor that says "head"
// always is one: an interior pointer can never pass for a block.
#pragma once

#include <alligator/detail/segment_bitmap.hpp>
#include <alligator/detail/thread_config.hpp>

#include <cstddef>
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

// Role bits; a MiniPage's head also says there whether it is on its class's partial list, and
// (thread caches) whether a cache owns it (set_span clears both with the rest).
enum SlotRole : std::uint8_t {
  kRoleNone = 0,
  kRoleHead = 1,
  kRoleTail = 2,
  kOnPartialList = 4,
  kOwnedByCache = 8,
};

// 16 bytes: slot numbers and bitmap indexes fit in 21 bits (a 4 GiB heap has 2^21 slots, and at
// most that many MiniPages), a span's length in 22.
// With thread caches, what a cache reads without the heap's lock (kind, size_class, page_slot,
// bitmap: fixed while the MiniPage lives) shares no byte with what the lock holder rewrites in a
// live MiniPage's records (role's flags, the list links): allocator/README.md,
// Threads. Without them the length is a whole word, which reads without a shift.
struct SlotDescriptor {
  SpanKind kind;
  std::uint8_t role;         // SlotRole bits; a one-slot span is head and tail
  std::uint8_t size_class;   // MiniPages, every slot
  std::uint8_t page_slot;    // MiniPages, every slot: its position in the MiniPage (0: the head)
#if ALLIGATOR_THREAD_CACHE
  std::uint32_t bitmap;           // MiniPages, every slot: their bitmap record's index in the pool
  std::uint64_t span_slots : 22;  // heads and tails
  std::uint64_t next : 21;        // free spans: bin list; MiniPages: partial list
  std::uint64_t prev : 21;
#else
  std::uint32_t span_slots;   // heads and tails
  std::uint64_t next : 21;    // free spans: bin list; MiniPages: partial list
  std::uint64_t prev : 21;
  std::uint64_t bitmap : 22;  // MiniPages, every slot: their bitmap record's index in the pool
#endif
};
static_assert(sizeof(SlotDescriptor) == 16);

// The table (allocator/README.md, "Metadata out of band"): a one-wasm-page apron, the bitmap pool
// (B slots, grown one slot at a time at its low end), then the records of all `top` slots in
// R(top) = ceil(top / 128) slots (16 bytes = 1/128 of a slot).
inline constexpr std::uint32_t kApronSlots = kSlotsPerWasmPage;
static_assert(sizeof(SlotDescriptor) * 128 == kSlotSize, "R(top) = ceil(top / 128)");
constexpr std::uint32_t table_record_slots(std::uint32_t top) { return (top + 127) / 128; }
// M(top) = 32 + B + R(top).
constexpr std::uint32_t table_span_slots(std::uint32_t top, std::uint32_t pool_slots) {
  return kApronSlots + pool_slots + table_record_slots(top);
}

// The bitmap pool: 32-byte records, 64 to a slot. Record i lies i + 1 records below the slot
// records, so the pool grows downward and an index stays valid when the table moves.
inline constexpr std::uint32_t kBitmapsPerPoolSlot = kSlotSize / sizeof(SegmentBitmap);
static_assert(sizeof(SegmentBitmap) == 32 && kBitmapsPerPoolSlot == 64);
inline constexpr std::uint32_t kNoBitmap = ~std::uint32_t{0};

}  // namespace alligator::detail
