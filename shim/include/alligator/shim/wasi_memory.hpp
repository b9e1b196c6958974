// Raw wasm32-wasi linear memory as a memory source: no Emscripten, just memory.grow.
//
// The memory between __heap_base and the initial memory size exists from the start and is handed
// out first; past it, __builtin_wasm_memory_grow adds pages (it fails at the module's maximum).
#pragma once

#include <alligator/shim/memory_source.hpp>

#include <cstddef>

namespace alligator {

class WasiMemory {
 public:
  std::byte* grow(std::size_t pages);
};

static_assert(MemorySource<WasiMemory>);

}  // namespace alligator
