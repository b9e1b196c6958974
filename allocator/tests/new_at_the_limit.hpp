// For the programs that drive operator new to the end of memory (wasm/new_out_of_memory in wasm,
// exports/new_handler on hosts): blocks taken with nothrow new until it returns nullptr, kept in
// static data (which takes nothing from the heap), and a new-handler that frees one reserved
// block, counting its calls.
#pragma once

#include <cstddef>
#include <cstring>
#include <new>

namespace new_at_the_limit {

inline constexpr std::size_t kMaxBlocks = 4096;  // far more than any test's memory holds
inline char* blocks[kMaxBlocks];

// Nothrow new of `size` bytes until it returns nullptr; `touch` writes each block (a host's
// simulated 4 GiB must stay untouched).
inline std::size_t fill_nothrow(std::size_t size, bool touch) {
  std::size_t count = 0;
  while (count < kMaxBlocks) {
    char* block = new (std::nothrow) char[size];
    if (block == nullptr) break;
    if (touch) std::memset(block, 0x5A, size);
    blocks[count++] = block;
  }
  return count;
}

inline void release(std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) delete[] blocks[i];
}

inline char* reserve = nullptr;
inline int handler_calls = 0;

// A new-handler: frees the reserve and uninstalls itself.
inline void free_the_reserve() {
  ++handler_calls;
  delete[] reserve;
  reserve = nullptr;
  std::set_new_handler(nullptr);
}

}  // namespace new_at_the_limit
