// Where Alligator's memory is when it last had to grow: linked by scripts/bench into second
// builds of the memory workloads and real programs (exact growth, Alligator only), beside the
// builds it measures.
//
// The shim, compiled with -DALLIGATOR_GROWTH_OBSERVER, calls alligator_growth_observer after each
// growth the memory granted and before the heap takes the new pages in, so a walk then sees the
// heap that could not serve a request. The last such picture explains the wasm memory's final
// size: the heap at that moment plus the pages that growth added, plus what lies below the heap
// (the program's data and stack, and __heap_base's rounding up to the heap's start). At exit the
// program prints it as one line, GROWTH_BREAKDOWN {json}, which bench.py reads.
//
// The observer runs inside an allocation, so it neither allocates nor prints; it keeps its
// figures in static storage. Single-threaded builds only (the bench's memory builds are).
// The shim's declaration of the observer, checked against the definition below.
#define ALLIGATOR_GROWTH_OBSERVER 1
#include <alligator/global_heap.hpp>
#include <alligator/introspection.hpp>
#include <alligator/shim/emscripten_memory.hpp>
#include <alligator/size_classes.hpp>

#if ALLIGATOR_THREAD_SAFE
#error "the growth observer walks the heap inside a growth: single-threaded builds only"
#endif

#include <emscripten/heap.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>

extern "C" unsigned char __heap_base;

namespace {

using alligator::SpanKind;
using alligator::SpanView;

struct Picture {
  std::size_t heap = 0;              // bytes of heap before the growth
  std::size_t grown = 0;             // bytes the growth added
  std::size_t live_segments = 0;     // live Segments at their class size
  std::size_t large_blocks = 0;      // large blocks, whole slots
  std::size_t free_segments = 0;     // free Segments of MiniPages (spare MiniPages' included)
  std::size_t mini_page_ends = 0;    // bytes after a MiniPage's last Segment
  std::size_t free_spans = 0;
  std::size_t free_span_count = 0;
  std::size_t spare_spans = 0;
  std::size_t metadata = 0;          // slot 0 and the table (apron, bitmap pool, records)
  std::size_t unreadable_mini_pages = 0;  // walked with no Segments: a record the walk rejected
  std::array<std::size_t, alligator::kClassCount> live_per_class{};
};

Picture last;
std::size_t growths = 0;
std::uintptr_t heap_start = 0;

void describe(std::FILE* out) {
  std::fprintf(out,
               "GROWTH_BREAKDOWN {\"growths\": %zu, \"below_heap\": %zu, \"start_alignment\": %zu, "
               "\"heap\": %zu, \"grown\": %zu, \"live_segments\": %zu, \"large_blocks\": %zu, "
               "\"free_segments\": %zu, \"mini_page_ends\": %zu, \"free_spans\": %zu, "
               "\"free_span_count\": %zu, \"spare_spans\": %zu, \"metadata\": %zu, "
               "\"unreadable_mini_pages\": %zu, \"memory_at_exit\": %zu, \"top_classes\": [",
               growths, reinterpret_cast<std::uintptr_t>(&__heap_base),
               heap_start - reinterpret_cast<std::uintptr_t>(&__heap_base), last.heap,
               last.grown, last.live_segments, last.large_blocks, last.free_segments,
               last.mini_page_ends, last.free_spans, last.free_span_count, last.spare_spans,
               last.metadata, last.unreadable_mini_pages, emscripten_get_heap_size());
  // The three classes holding the most live bytes: [class size, live Segments].
  std::array<bool, alligator::kClassCount> shown{};
  for (int rank = 0; rank < 3; ++rank) {
    std::size_t best = alligator::kClassCount;
    for (std::size_t c = 0; c < alligator::kClassCount; ++c) {
      std::size_t bytes = last.live_per_class[c] * alligator::kClassSizes[c];
      if (!shown[c] && bytes > 0 &&
          (best == alligator::kClassCount ||
           bytes > last.live_per_class[best] * alligator::kClassSizes[best])) {
        best = c;
      }
    }
    if (best == alligator::kClassCount) break;
    shown[best] = true;
    std::fprintf(out, "%s[%u, %zu]", rank == 0 ? "" : ", ",
                 static_cast<unsigned>(alligator::kClassSizes[best]), last.live_per_class[best]);
  }
  std::fprintf(out, "]}\n");
}

struct AtExit {
  ~AtExit() {
    if (growths > 0) describe(stdout);
  }
} at_exit;

}  // namespace

extern "C" void alligator_growth_observer(std::byte* start, std::size_t pages) {
  if (growths++ == 0) heap_start = reinterpret_cast<std::uintptr_t>(start);
  Picture now;
  // A first growth also took the rest of the page the memory began in.
  auto first = reinterpret_cast<std::uintptr_t>(start);
  now.grown = ((0 - first) & (alligator::kWasmPageSize - 1)) * (growths == 1) +
              pages * alligator::kWasmPageSize;
  alligator::global_heap().walk([&](const SpanView& span) {
    now.heap += span.bytes;
    switch (span.kind) {
      case SpanKind::free:
        now.free_spans += span.bytes;
        ++now.free_span_count;
        break;
      case SpanKind::spare: now.spare_spans += span.bytes; break;
      case SpanKind::metadata: now.metadata += span.bytes; break;
      case SpanKind::large: now.large_blocks += span.bytes; break;
      case SpanKind::mini_page: {
        std::size_t size = alligator::kClassSizes[span.size_class];
        now.live_segments += size * span.live_segments;
        now.free_segments += size * (span.segments - span.live_segments);
        now.mini_page_ends += span.bytes - size * span.segments;
        now.live_per_class[span.size_class] += span.live_segments;
        if (span.segments == 0) ++now.unreadable_mini_pages;
        break;
      }
      default: break;
    }
  });
  last = now;
}
