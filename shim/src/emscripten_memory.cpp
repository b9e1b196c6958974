#include <alligator/shim/emscripten_memory.hpp>

#include <emscripten/heap.h>

#include <cstdint>

extern "C" unsigned char __heap_base;

namespace alligator {
namespace {
// The break: the end of the memory handed out so far, only moving forward; 0 until the first
// growth or the first emscripten_get_sbrk_ptr (liballigator's c_api.cpp), which store it, and
// read as __heap_base until then. Not an initializer: a position-independent build would apply
// it only when it relocates its data, and -sSAFE_HEAP's checks may ask before. Growth writes it
// under the heap's lock; the atomics are for readers without it.
std::uintptr_t program_break = 0;
}  // namespace

// No memory access here: -sSAFE_HEAP instruments every load and store with a call to
// emscripten_get_sbrk_ptr, which calls this, and skips only that function itself.
std::uintptr_t* EmscriptenMemory::break_address() { return &program_break; }

std::byte* EmscriptenMemory::grow(std::size_t pages) {
  std::uintptr_t start = __atomic_load_n(&program_break, __ATOMIC_ACQUIRE);
  // The first grow starts at __heap_base rounded up to 2 KiB and hands out the rest of that
  // wasm page too (memory_source.hpp); later grows start where the last one ended, on a page.
  if (start == 0) start = reinterpret_cast<std::uintptr_t>(&__heap_base);
  start = (start + kFirstGrowAlignment - 1) & ~(kFirstGrowAlignment - 1);
  std::uintptr_t boundary = (start + kWasmPageSize - 1) & ~(kWasmPageSize - 1);
  if (boundary < start || pages > (UINTPTR_MAX - boundary) / kWasmPageSize) return nullptr;
  std::uintptr_t end = boundary + pages * kWasmPageSize;
  if (end > emscripten_get_heap_size() && !emscripten_resize_heap(end)) return nullptr;
  __atomic_store_n(&program_break, end, __ATOMIC_RELEASE);
#if defined(ALLIGATOR_GROWTH_OBSERVER)
  alligator_growth_observer(reinterpret_cast<std::byte*>(start), pages);
#endif
  return reinterpret_cast<std::byte*>(start);
}

}  // namespace alligator
