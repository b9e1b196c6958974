#include <alligator/shim/wasi_memory.hpp>

#include <cstdint>

extern "C" unsigned char __heap_base;

namespace alligator {
namespace {
std::uintptr_t program_break = 0;
}  // namespace

std::byte* WasiMemory::grow(std::size_t pages) {
  if (program_break == 0) {
    auto heap_base = reinterpret_cast<std::uintptr_t>(&__heap_base);
    program_break = (heap_base + kWasmPageSize - 1) & ~(kWasmPageSize - 1);
  }
  std::size_t current_end = __builtin_wasm_memory_size(0) * kWasmPageSize;
  std::size_t available_pages = (current_end - program_break) / kWasmPageSize;
  if (pages > available_pages &&
      __builtin_wasm_memory_grow(0, pages - available_pages) == SIZE_MAX) {
    return nullptr;
  }
  auto* start = reinterpret_cast<std::byte*>(program_break);
  program_break += pages * kWasmPageSize;
  return start;
}

}  // namespace alligator
