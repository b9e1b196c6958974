// Out-of-band metadata for each 2 KiB slot of the heap.
//
// The heap's memory is an array of 2 KiB slots. Runs of slots ("spans") are free, a MiniPage (one
// slot), a large block, allocator metadata, or foreign (memory someone else took on Emscripten).
// Each slot has a 48-byte SlotDescriptor; descriptors live in descriptor blocks, one per group of
// 512 slots (1 MiB of heap), reached through the heap's directory. Descriptor blocks are spans of
// their own, never next to a user block's header because user blocks have no header: a user
// overflow runs into other user memory, never into a bitmap, free vector or span record.
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

// Slot 0 always holds the first descriptor block (metadata), so no list ever links to it: 0 means
// "no slot", and a fresh heap is all zeros.
inline constexpr std::uint32_t kNoSlot = 0;
inline constexpr std::size_t kSlotSize = kMiniPageSize;
inline constexpr unsigned kSlotShift = 11;
inline constexpr std::uint32_t kSlotsPerGroup = 512;
inline constexpr unsigned kGroupShift = 9;
// wasm32 addresses 4 GiB: 2^21 slots in 2^12 groups. Hosts simulate the same space.
inline constexpr std::uint32_t kMaxSlots = std::uint32_t{1} << 21;
inline constexpr std::uint32_t kMaxGroups = kMaxSlots / kSlotsPerGroup;
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

inline constexpr std::uint32_t kDescriptorBlockSlots =
    (kSlotsPerGroup * sizeof(SlotDescriptor) + kSlotSize - 1) / kSlotSize;
static_assert(kDescriptorBlockSlots == 12);

}  // namespace alligator::detail
