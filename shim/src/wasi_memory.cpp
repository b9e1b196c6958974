#include <alligator/shim/wasi_memory.hpp>

#include <cstdint>

extern "C" unsigned char __heap_base;

namespace alligator {
namespace {
std::uintptr_t program_break = 0;
}  // namespace

// The first grow starts at __heap_base rounded up to 2 KiB and hands out the rest of that wasm
// page too (memory_source.hpp); later grows start where the last one ended, on a page. Memory
// already spans __heap_base, so its current end is at or past that first page boundary.
std::byte* WasiMemory::grow(std::size_t pages) {
  if (program_break == 0) {
    auto heap_base = reinterpret_cast<std::uintptr_t>(&__heap_base);
    program_break = (heap_base + kFirstGrowAlignment - 1) & ~(kFirstGrowAlignment - 1);
  }
  std::uintptr_t boundary = (program_break + kWasmPageSize - 1) & ~(kWasmPageSize - 1);
  // No grow ends at 2^32 (memory_source.hpp): that break would read 0 in 32 bits, as if nothing
  // had been handed out yet, and the next grow would hand out the heap's start again.
  if (pages > (UINTPTR_MAX - boundary) / kWasmPageSize) return nullptr;
  std::uintptr_t end = boundary + pages * kWasmPageSize;
  // In 64 bits: a memory of all 65,536 pages ends at 2^32.
  std::uint64_t current_end = std::uint64_t{__builtin_wasm_memory_size(0)} * kWasmPageSize;
  if (end > current_end &&
      __builtin_wasm_memory_grow(0, (end - current_end) / kWasmPageSize) == SIZE_MAX) {
    return nullptr;
  }
  auto* start = reinterpret_cast<std::byte*>(program_break);
  program_break = end;
  return start;
}

}  // namespace alligator
