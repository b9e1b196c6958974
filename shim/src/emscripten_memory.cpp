#include <alligator/shim/emscripten_memory.hpp>

#include <emscripten/heap.h>

#include <cstdint>

extern "C" unsigned char __heap_base;

namespace alligator {
namespace {
// Start of the memory not yet handed out; only moves forward. Until the first growth it is
// __heap_base (a constant initializer: it holds before any code runs); growth starts the heap at
// the next wasm page boundary (after the first growth it stays on one: a no-op).
std::uintptr_t program_break = reinterpret_cast<std::uintptr_t>(&__heap_base);
}  // namespace

std::uintptr_t* EmscriptenMemory::break_address() { return &program_break; }

std::byte* EmscriptenMemory::grow(std::size_t pages) {
  program_break = (program_break + kWasmPageSize - 1) & ~(kWasmPageSize - 1);
  if (pages > (UINTPTR_MAX - program_break) / kWasmPageSize) return nullptr;  // past 4 GiB
  std::uintptr_t end = program_break + pages * kWasmPageSize;
  if (end > emscripten_get_heap_size() && !emscripten_resize_heap(end)) return nullptr;
  auto* start = reinterpret_cast<std::byte*>(program_break);
  program_break = end;
  return start;
}

}  // namespace alligator
