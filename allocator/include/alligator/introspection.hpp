// What the heap tells about itself: statistics, a walk over its spans, a validation report, and
// the errors it diagnoses in callers' input. None of these allocate.
#pragma once

#include <alligator/detail/slot_descriptor.hpp>
#include <alligator/size_classes.hpp>

#include <array>
#include <cstddef>
#include <cstdint>

namespace alligator {

struct HeapStats {
  std::size_t wasm_pages = 0;      // 64 KiB pages taken (and not the first page's lead)
  std::size_t metadata_bytes = 0;  // slot 0 and the table (apron, bitmap pool, slot records)
  std::size_t mini_pages = 0;      // MiniPages of any class
  std::size_t large_blocks = 0;
  std::size_t live_blocks = 0;     // small and large, held by the program
  std::size_t bytes_in_use = 0;    // usable bytes of live blocks
  // Freed blocks that thread caches hold for reuse (allocator/README.md, Threads): live to the
  // heap, not to the program, so not in live_blocks, bytes_in_use or blocks_per_class. Counted
  // only while they are marked (alligator_get_stats, mallinfo and alligator_validate mark them);
  // the process heap's stats() alone counts them as live.
  std::size_t cached_blocks = 0;
  std::size_t cached_bytes = 0;
  std::size_t free_bytes = 0;      // in free and spare spans (not free Segments of MiniPages)
  std::array<std::size_t, kClassCount> blocks_per_class{};
  std::array<std::size_t, kClassCount> mini_pages_per_class{};
};

// One span, as heap walks report them, in address order.
struct SpanView {
  SpanKind kind = SpanKind::none;
  const std::byte* start = nullptr;
  std::size_t bytes = 0;
  // MiniPages only:
  unsigned size_class = 0;
  unsigned segments = 0;
  unsigned live_segments = 0;    // cached ones included
  unsigned cached_segments = 0;  // held by thread caches, while marked (HeapStats::cached_blocks)
  std::array<std::uint64_t, 4> bitmap{};  // bit i of word i/64 = Segment i in use (a copy)
  bool current = false;                   // its class allocates from it first
  bool owned = false;  // a thread cache's refills take from it (allocator/README.md, Threads)
  bool spare = false;                     // one of the empty MiniPages its class keeps
};

// Problems validate() found. Keeps the first few messages in place (no allocation).
struct ValidationReport {
  static constexpr std::size_t kMaxMessages = 8;
  static constexpr std::size_t kMessageLength = 160;
  std::size_t problems = 0;
  char messages[kMaxMessages][kMessageLength] = {};

  bool ok() const { return problems == 0; }
};

enum class HeapError : std::uint8_t {
  invalid_pointer,  // not a block this heap handed out (or no longer one)
  double_free,      // a block freed twice
  size_mismatch,    // a sized/aligned deallocation whose size or alignment the block cannot hold
};
const char* to_string(HeapError error);

// Called when input is bad. The default prints a diagnosis and aborts. A handler that returns
// makes the offending call do nothing (deallocation) or return nullptr / 0.
using HeapErrorHandler = void (*)(HeapError error, const void* pointer, void* context);

}  // namespace alligator
