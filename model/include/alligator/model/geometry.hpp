// The heap's units and its metadata's size, from allocator/README.md's glossary, "Growth" and
// "Metadata out of band".
#pragma once

#include <cstddef>

namespace alligator::model {

inline constexpr std::size_t kSlotBytes = 2048;       // a slot; a MiniPage is one slot
inline constexpr std::size_t kWasmPageBytes = 65536;  // the unit memory grows by
inline constexpr std::size_t kSlotsPerWasmPage = kWasmPageBytes / kSlotBytes;  // 32

// Slot 0: a one-slot metadata span, made by the first growth.
inline constexpr std::size_t kReservedSlots = 1;
// The table, the heap's last span: a 32-slot apron (64 KiB, never handed out) followed by the
// descriptors of all `top` slots.
inline constexpr std::size_t kApronSlots = 32;

// L(top) = ceil(3 top / 128): 48 bytes of descriptor per slot, in whole slots.
constexpr std::size_t descriptor_slots(std::size_t top) { return (3 * top + 127) / 128; }
// M(top) = 32 + L(top): the table's length.
constexpr std::size_t table_slots(std::size_t top) { return kApronSlots + descriptor_slots(top); }

static_assert(descriptor_slots(0) == 0 && descriptor_slots(1) == 1 && descriptor_slots(128) == 3);
static_assert(descriptor_slots(129) == 4 && table_slots(64) == 34);

// wasm32 addresses 4 GiB, 2^21 slots (README, "The 4 GiB address space"; heap_model.hpp
// follows it).
inline constexpr std::size_t kAddressSpaceSlots = std::size_t{1} << 21;

}  // namespace alligator::model
