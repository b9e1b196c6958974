// The heap's units, from allocator/README.md's glossary and "Growth".
#pragma once

#include <cstddef>

namespace alligator::model {

inline constexpr std::size_t kSlotBytes = 2048;       // a slot; a MiniPage is one slot
inline constexpr std::size_t kWasmPageBytes = 65536;  // the unit memory grows by
inline constexpr std::size_t kSlotsPerWasmPage = kWasmPageBytes / kSlotBytes;  // 32
inline constexpr std::size_t kSlotsPerGroup = 512;                             // 1 MiB
inline constexpr std::size_t kMetadataSlotsPerGroup = 12;  // a group's descriptor block, 24 KiB

// wasm32 addresses 4 GiB, 2^21 slots. The README leaves this bound implicit; the model states
// what follows from it (heap_model.hpp, "Beyond the address space").
inline constexpr std::size_t kAddressSpaceSlots = std::size_t{1} << 21;

}  // namespace alligator::model
