// The process-wide heap, constant-initialized so it exists before any static constructor can
// call malloc, and never destroyed so it outlives every static destructor that calls free.
#include <alligator/global_heap.hpp>

namespace alligator::detail {
namespace {
#if defined(__wasm__)
constinit NeverDestroyed<DefaultMemory> process_memory;
#else
constinit NeverDestroyed<DefaultMemory> process_memory(kDefaultSimulatedMemoryBytes);
#endif
}  // namespace

constinit NeverDestroyed<Heap<DefaultMemory>> process_heap(process_memory.value);

}  // namespace alligator::detail
