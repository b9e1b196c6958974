// The contract between Alligator's heap and whatever provides its memory.
//
// Glossary (these words mean one thing each across the project):
//   wasm page  64 KiB, the unit in which WebAssembly linear memory grows (memory.grow).
//   MiniPage   2 KiB, the unit the allocator carves into equal Segments of one size class.
//   Segment    one block of a MiniPage; its index is its position in the MiniPage.
//
// A memory source models linear memory: one address range that only ever grows, in whole wasm
// pages, and never shrinks. Every source has the shape:
//
//   std::byte* grow(std::size_t pages);
//       Hands the caller `pages` (>= 1) more wasm pages. Returns the first byte handed out, or
//       nullptr when the memory cannot grow (its maximum is reached, or the host refused). On
//       nullptr nothing changed. Every grow ends on a page boundary, and successive grows are
//       contiguous: a source hands its memory to one heap only (an `sbrk` takes its memory from
//       that heap, not beside it). A grow starts on a page boundary, except that the first may
//       start inside a page, on a kFirstGrowAlignment (2 KiB) boundary, and then hands out the
//       rest of that page before its `pages`: memory that begins at a program's __heap_base
//       (Emscripten, WASI) gives the heap the whole of it, not from the next 64 KiB only.
//       Memory handed out is readable and writable; its contents are unspecified. No grow ends
//       at or past 2^32 where pointers have 32 bits (wasm32): that end address would wrap to 0,
//       so wasm32's last page is never handed out, and a grow that needs it returns nullptr.
//       A heap whose source grows elsewhere than this says prints "alligator: memory source
//       broke its contract; aborting" and aborts: it cannot carve a gap.
//
// A source must be constant-initializable (a constexpr constructor that touches nothing), so the
// process-wide heap exists before any static constructor calls malloc.
//
// Sources: SimulatedMemory (hosts: tests, Valgrind, debugging), EmscriptenMemory (Emscripten's
// __heap_base and emscripten_resize_heap) and WasiMemory (raw memory.grow on wasm32-wasi). The
// one used by the process-wide heap is chosen in default_memory.hpp.
#pragma once

#include <concepts>
#include <cstddef>

namespace alligator {

inline constexpr std::size_t kWasmPageSize = 64 * 1024;
// Where a first grow may start inside a page: a slot (allocator/README.md), so that every slot
// of the heap keeps its 2 KiB alignment.
inline constexpr std::size_t kFirstGrowAlignment = 2 * 1024;

// What Heap<Memory> requires of a memory source.
template <class Memory>
concept MemorySource = requires(Memory& memory, std::size_t pages) {
  { memory.grow(pages) } -> std::same_as<std::byte*>;
};

}  // namespace alligator
