// A heap map: the whole heap drawn in address order as one self-contained HTML file (inline SVG,
// a few lines of inline JavaScript, nothing fetched), to open in a browser.
//
//   alligator::write_heap_map(heap, file, "after the import");   // any Heap<Memory>, a FILE*
//   alligator_write_heap_map("heap.html");                       // the process heap (alligator.h)
//
// Every span is drawn: MiniPages coloured by size class and shaded by how full they are, large
// blocks, free runs, kept memory (spare spans and spare MiniPages) and metadata, on rows of fixed
// address space with a scale in wasm pages; hovering a region shows its details. A heap too big
// to draw slot by slot (more than 16384 slots, 32 MiB) is drawn in cells of 2^k slots, each
// coloured by what fills most of it and described in full on hover, so a 1 GiB heap is 64 rows
// of 256 one-wasm-page cells. Above the map: totals, the largest free run against all free
// memory, and blocks per class.
//
// The map is made from walk() and stats() only. It never allocates: it formats into a fixed
// buffer and hands the text to `write` in pieces. It walks the heap twice (the summary, then the
// drawing) and fails when the two walks differ, which is how a `write` that allocates from the
// heap being drawn (stdio's lazily allocated buffer, say) is caught rather than drawn wrongly.
#pragma once

#include <alligator/introspection.hpp>

#include <cstddef>
#include <cstdio>

namespace alligator {

// Receives the map's text in pieces; returns false to stop (the map then fails).
using HeapMapWrite = bool (*)(const char* text, std::size_t length, void* context);

// A heap as the map sees it: its stats and its walk, behind plain function pointers.
struct HeapMapSource {
  using Visit = void (*)(const SpanView& span, void* context);
  const void* heap = nullptr;
  HeapStats (*stats)(const void* heap) = nullptr;
  void (*walk)(const void* heap, Visit visit, void* context) = nullptr;
};

// Writes the map; `title` (may be null) heads the page. True when every piece was written and
// the heap did not change while it was drawn.
bool write_heap_map(const HeapMapSource& source, HeapMapWrite write, void* context,
                    const char* title);

// The same, for a FILE*. The first piece (the page's head) is written before the heap is
// walked, so a stream that allocates its buffer on first use does so before the picture.
bool write_heap_map(const HeapMapSource& source, std::FILE* file, const char* title);

template <class Heap>
HeapMapSource heap_map_source(const Heap& heap) {
  HeapMapSource source;
  source.heap = &heap;
  source.stats = [](const void* h) { return static_cast<const Heap*>(h)->stats(); };
  source.walk = [](const void* h, HeapMapSource::Visit visit, void* context) {
    static_cast<const Heap*>(h)->walk([&](const SpanView& span) { visit(span, context); });
  };
  return source;
}

template <class Heap>
bool write_heap_map(const Heap& heap, std::FILE* file, const char* title = nullptr) {
  return write_heap_map(heap_map_source(heap), file, title);
}

}  // namespace alligator
