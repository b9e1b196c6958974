// The heap's units and its metadata's size, from allocator/README.md's glossary, "Growth" and
// "Metadata out of band".
#pragma once

#include <cstddef>

namespace alligator::model {

inline constexpr std::size_t kSlotBytes = 2048;       // a slot; a MiniPage is k_c slots
inline constexpr std::size_t kWasmPageBytes = 65536;  // the unit memory grows by
inline constexpr std::size_t kSlotsPerWasmPage = kWasmPageBytes / kSlotBytes;  // 32
// A MiniPage spans k_c slots, at most 16 (size_classes.hpp computes k_c per class).
inline constexpr std::size_t kMaxMiniPageSlots = 16;

// Slot 0: a one-slot metadata span, made by the first growth.
inline constexpr std::size_t kReservedSlots = 1;
// The table, the heap's last span: a 32-slot apron (64 KiB, never handed out), the bitmap pool
// (B slots of 64 bitmap records, one per MiniPage, grown one slot at a time, never shrunk), then
// the 16-byte records of all `top` slots.
inline constexpr std::size_t kApronSlots = 32;
inline constexpr std::size_t kBitmapsPerPoolSlot = 64;  // 2048 / 32 bytes

// R(top) = ceil(top / 128): 16 bytes of record per slot, in whole slots.
constexpr std::size_t record_slots(std::size_t top) { return (top + 127) / 128; }
// L(top) = B + R(top): what a growth copies. M(top) = 32 + L(top): the table's length.
constexpr std::size_t copied_slots(std::size_t top, std::size_t pool) {
  return pool + record_slots(top);
}
constexpr std::size_t table_slots(std::size_t top, std::size_t pool) {
  return kApronSlots + copied_slots(top, pool);
}

static_assert(record_slots(0) == 0 && record_slots(1) == 1 && record_slots(128) == 1);
static_assert(record_slots(129) == 2 && table_slots(64, 1) == 34 && table_slots(64, 0) == 33);

// wasm32 addresses 4 GiB, 2^21 slots (README, "The 4 GiB address space"; heap_model.hpp
// follows it).
inline constexpr std::size_t kAddressSpaceSlots = std::size_t{1} << 21;

}  // namespace alligator::model
