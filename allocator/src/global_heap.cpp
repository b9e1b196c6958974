// The process-wide heap, constant-initialized so it exists before any static constructor can
// call malloc, and never destroyed so it outlives every static destructor that calls free.
#include <alligator/global_heap.hpp>

#include <utility>

namespace alligator {
namespace {

template <class T>
union NeverDestroyed {
  template <class... Arguments>
  explicit constexpr NeverDestroyed(Arguments&&... arguments)
      : value(std::forward<Arguments>(arguments)...) {}
  ~NeverDestroyed() {}
  T value;
};

#if defined(__wasm__)
constinit NeverDestroyed<DefaultMemory> memory;
#else
constinit NeverDestroyed<DefaultMemory> memory(kDefaultSimulatedMemoryBytes);
#endif
constinit NeverDestroyed<Heap<DefaultMemory>> heap(memory.value);

}  // namespace

Heap<DefaultMemory>& global_heap() { return heap.value; }

}  // namespace alligator
