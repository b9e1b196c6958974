// Emscripten's linear memory as a memory source.
//
// Memory from __heap_base up to the current heap size already exists when the program starts
// (16 MiB by default); it is handed out first. Past it, emscripten_resize_heap grows wasm memory,
// honouring ALLOW_MEMORY_GROWTH and MAXIMUM_MEMORY: without growth, or at the maximum, grow()
// returns nullptr.
#pragma once

#include <alligator/shim/memory_source.hpp>

#include <cstddef>
#include <cstdint>

#if defined(ALLIGATOR_GROWTH_OBSERVER)
// Measurement builds only (scripts/bench compiles this shim with the macro, and
// bench/growth_breakdown.cpp defines the function): called after each growth the memory granted,
// before the heap takes the new pages in, so the heap it sees is the one that had to grow. It
// must not allocate.
extern "C" void alligator_growth_observer(std::byte* start, std::size_t pages);
#endif

namespace alligator {

class EmscriptenMemory {
 public:
  std::byte* grow(std::size_t pages);
  // Where the end of the memory handed out so far is kept, as Emscripten's sbrk keeps its
  // break: liballigator's emscripten_get_sbrk_ptr returns this address, and -sSAFE_HEAP's checks
  // read the break there on every memory access. 0 means no growth yet (the break is then
  // __heap_base); growth changes it. Read it atomically.
  static std::uintptr_t* break_address();
};

static_assert(MemorySource<EmscriptenMemory>);

}  // namespace alligator
