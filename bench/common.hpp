// Shared by the wasm workload programs: a fixed-seed PRNG, the clock, result lines and block
// checks. Every workload draws its whole operation sequence from Rng, so all four allocators see
// the same requests; it times only the measured part and prints
//   RESULT <value>   the figure (the unit is documented by bench/bench.py)
//   CHECK <number>   a digest of what the program computed; it must be the same under every
//                    allocator (bench.py compares them): a difference means wrong output
// A request that fails prints "OOM" and exits with status 2 (bench.py reports n/a); a block
// whose contents changed while it was live prints "CORRUPT ..." and exits with status 3.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

#if defined(__EMSCRIPTEN__)
#include <emscripten.h>
inline double now_us() { return emscripten_get_now() * 1000.0; }
#else
#include <chrono>
inline double now_us() {
  return std::chrono::duration<double, std::micro>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
#endif

// splitmix64: fast, good enough, and the same sequence on every target.
struct Rng {
  std::uint64_t state;
  explicit Rng(std::uint64_t seed) : state(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::uint32_t next32() { return static_cast<std::uint32_t>(next() >> 32); }
  // Uniform in [low, high] (the bias of the modulo is irrelevant here).
  std::uint32_t range(std::uint32_t low, std::uint32_t high) {
    return low + static_cast<std::uint32_t>(next() % (std::uint64_t{high} - low + 1));
  }
};

// "quick" (the default) or "full", from argv[1].
inline bool full_run(int argc, char** argv) {
  return argc > 1 && std::strcmp(argv[1], "full") == 0;
}

[[noreturn]] inline void out_of_memory(const char* where) {
  std::printf("OOM %s\n", where);
  std::fflush(stdout);
  std::exit(2);
}

[[noreturn]] inline void corrupt(const char* what, const void* block) {
  std::printf("CORRUPT %s at %p\n", what, block);
  std::fflush(stdout);
  std::exit(3);
}

// Marks a block: its first and last byte carry a tag derived from `tag`.
inline void mark_block(void* block, std::size_t size, std::uint8_t tag) {
  auto* bytes = static_cast<unsigned char*>(block);
  bytes[0] = tag;
  if (size > 1) bytes[size - 1] = static_cast<unsigned char>(tag ^ 0x5A);
}

inline void check_block(const void* block, std::size_t size, std::uint8_t tag) {
  auto* bytes = static_cast<const unsigned char*>(block);
  if (bytes[0] != tag || (size > 1 && bytes[size - 1] != static_cast<unsigned char>(tag ^ 0x5A))) {
    corrupt("block contents changed", block);
  }
}

inline void check_alignment(const void* block, std::size_t alignment) {
  if (reinterpret_cast<std::uintptr_t>(block) % alignment != 0) corrupt("misaligned block", block);
}

// malloc's guarantee for a request of `size` bytes: min(alignof(max_align_t), largest power of
// two <= size). Every allocator here must meet it.
inline std::size_t natural_alignment(std::size_t size) {
  std::size_t alignment = 1;
  while (alignment < alignof(std::max_align_t) && alignment * 2 <= size) alignment *= 2;
  return alignment;
}

// operator new reports out of memory the same way (it would abort otherwise).
inline void report_new_failures() {
  std::set_new_handler([] { out_of_memory("operator new"); });
}

inline void print_result(double value, std::uint64_t check) {
  std::printf("RESULT %.6g\nCHECK %llu\n", value, static_cast<unsigned long long>(check));
  std::fflush(stdout);
}

#if defined(__EMSCRIPTEN__)
#include <emscripten/heap.h>

// The peak_* workloads (issue 17): their figure is the wasm memory size at the end, which never
// shrinks, so it is the most memory the program ever held. A request that fails is a result
// too: it prints which request, at which step, with how much memory ("OOM ..."; bench.py reports
// it as "out of memory at ..."), and exits with status 2.
[[noreturn]] inline void peak_out_of_memory(const char* call, std::size_t bytes,
                                            std::size_t step) {
  char where[160];
  std::snprintf(where, sizeof where, "%s(%zu) at step %zu, memory %zu bytes", call, bytes, step,
                emscripten_get_heap_size());
  out_of_memory(where);
}

// The exact byte count (print_result's %g would round it to six digits).
inline void print_peak_result(std::uint64_t check) {
  std::printf("RESULT %zu\nCHECK %llu\n", emscripten_get_heap_size(),
              static_cast<unsigned long long>(check));
  std::fflush(stdout);
}
#endif

// Defined only when the program is linked with Alligator and its heap map: weak, so the other
// links (and the measured Alligator link, which leaves the map out) see null.
extern "C" int alligator_write_heap_map(const char* path) __attribute__((weak));

// A workload with a random sequence may be given another seed after the mode, as
// "seed=<number>" (strtoull's bases: 0x... for hex); without one it uses its own.
inline bool is_seed_argument(const char* argument) {
  return std::strncmp(argument, "seed=", 5) == 0;
}
inline std::uint64_t seed_from_arguments(int argc, char** argv, std::uint64_t fallback) {
  for (int i = 2; i < argc; ++i) {
    if (is_seed_argument(argv[i])) return std::strtoull(argv[i] + 5, nullptr, 0);
  }
  return fallback;
}

// bench.py's map builds pass a path after the mode (the first argument after it that is not a
// seed): the heap as it is now, drawn there. Returns false only when a map was asked for and
// could not be written.
inline bool draw_heap_map_if_asked(int argc, char** argv) {
  const char* path = nullptr;
  for (int i = 2; i < argc && path == nullptr; ++i) {
    if (!is_seed_argument(argv[i])) path = argv[i];
  }
  if (path == nullptr || alligator_write_heap_map == nullptr) return true;
  if (alligator_write_heap_map(path) == 0) return true;
  std::printf("heap map: writing %s failed\n", path);
  return false;
}
