// Shared by the real-program drivers (bench/real/*_workload.cpp): the output digest and the
// memory figure. Each driver prints, besides common.hpp's RESULT and CHECK lines,
//   MEMORY <bytes>   the wasm memory's size at the end of the run; wasm memory never shrinks,
//                    so this is the most the program (through its allocator) ever asked for.
#pragma once

#include "../common.hpp"

#if defined(__EMSCRIPTEN__)
#include <emscripten/heap.h>
inline std::size_t current_memory_bytes() { return emscripten_get_heap_size(); }
#else
inline std::size_t current_memory_bytes() { return 0; }
#endif

// FNV-1a over everything the program computed that must not depend on the allocator.
struct Digest {
  std::uint64_t value = 0xcbf29ce484222325ull;
  void mix(const void* data, std::size_t size) {
    auto* bytes = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < size; ++i) value = (value ^ bytes[i]) * 0x100000001b3ull;
  }
  template <typename T>
  void mix_value(const T& value_to_mix) {
    mix(&value_to_mix, sizeof value_to_mix);
  }
  void mix_text(const char* text) {
    if (text == nullptr) text = "<null>";
    mix(text, std::strlen(text) + 1);
  }
};

inline void print_real_result(double milliseconds, const Digest& digest) {
  std::printf("MEMORY %zu\n", current_memory_bytes());
  print_result(milliseconds, digest.value);
}
