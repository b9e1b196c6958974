// Emscripten's linear memory as a memory source.
//
// Memory from __heap_base up to the current heap size already exists when the program starts
// (16 MiB by default); it is handed out first. Past it, emscripten_resize_heap grows wasm memory,
// honouring ALLOW_MEMORY_GROWTH and MAXIMUM_MEMORY: without growth, or at the maximum, grow()
// returns nullptr.
#pragma once

#include <alligator/shim/memory_source.hpp>

#include <cstddef>

namespace alligator {

class EmscriptenMemory {
 public:
  std::byte* grow(std::size_t pages);
};

static_assert(MemorySource<EmscriptenMemory>);

}  // namespace alligator
