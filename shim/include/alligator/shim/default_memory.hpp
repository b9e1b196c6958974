// The one place that chooses the memory source of the process-wide heap on each target.
#pragma once

#if defined(__EMSCRIPTEN__)
#include <alligator/shim/emscripten_memory.hpp>
namespace alligator {
using DefaultMemory = EmscriptenMemory;
}
#elif defined(__wasm__)
#include <alligator/shim/wasi_memory.hpp>
namespace alligator {
using DefaultMemory = WasiMemory;
}
#else
#include <alligator/shim/simulated_memory.hpp>
namespace alligator {
// Hosts simulate wasm32's linear memory: its 4 GiB address space, capped lower on i686 where the
// process's own address space is only 4 GiB.
using DefaultMemory = SimulatedMemory;
inline constexpr std::size_t kDefaultSimulatedMemoryBytes =
    sizeof(void*) == 4 ? std::size_t{1} << 30 : std::size_t{4} << 30;
}  // namespace alligator
#endif
