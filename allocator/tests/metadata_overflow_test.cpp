// Metadata is out of band (issue 17; allocator/README.md): a write past the end of any block
// changes user memory only, never the allocator's state. Proof by trying: a heap is filled so that
// blocks border every kind of span (a block right before metadata, a MiniPage, a large block, a
// free span, a spare span, the end of memory; blocks inside a MiniPage border the next Segment),
// found by walk(). Segments of medium MiniPages, which span several slots each carrying a record,
// are overflowed apart from one-slot MiniPages' and large blocks. Each such block is then overflowed by 1, 16, 2048 and 65536 bytes (bounded by
// the end of memory), each case on a fresh heap built the same way, and afterwards
//   - validate() finds nothing wrong, and
//   - every block that was live (the overflowed one too) frees, with an error handler that
//     records what the heap reports: nothing may be reported; then validate() again.
// Overflowing writes clobber neighbouring user blocks, which is allowed: their contents are
// not checked, only that the heap's records survived.
//
// The cases named *_before_metadata_* overflow the last block below the table into its apron.
// (When each 1 MiB group had its descriptor block in line with user memory, these cases broke
// the heap: validate() reported clobbered span records and hundreds of valid frees were refused.)
#include "heap_test_support.hpp"

#include <gtest/gtest.h>

#if ALLIGATOR_VALGRIND
#include <valgrind/valgrind.h>
#endif

#include <cstddef>
#include <cstdio>
#include <cstring>
#include <map>
#include <ostream>
#include <string>
#include <vector>

namespace alligator::testing {
namespace {

constexpr std::size_t kMemory = std::size_t{8} << 20;

struct Block {
  std::size_t offset;  // from the memory's base
  std::size_t bytes;   // usable
};

// A heap over its own memory, filled by the same deterministic sequence each time, so that the
// same offsets hold the same blocks in every copy.
struct FilledHeap {
  SimulatedMemory memory{kMemory};
  Heap<SimulatedMemory> heap{memory};

  FilledHeap() {
    // The pattern, after those: small blocks of several classes, one-slot blocks (2048 bytes),
    // medium MiniPages of several slots (1152: 9 slots, 16 Segments; 6144, 8192, 12288: one
    // Segment of 3, 4 and 6 slots; 9216: 9 slots, 2 Segments), large blocks of spare lengths
    // (9-16 slots: 18432, 20480) and longer, interleaved so that medium MiniPages end right
    // before a MiniPage, a large block, a free span and a spare span; to about 4.4 MiB.
    const std::size_t pattern[] = {16,   48,   2048, 18432, 100,   6144,  40000, 2048, 1000,
                                   1152, 8192, 2048, 304,   12288, 20480, 9216,  70000};
    std::vector<void*> freed_later;
    // First 2048-byte blocks past the first 1 MiB (where, with per-group descriptor blocks, the
    // last of them ended where the second group's descriptor block began: the example).
    while (heap.end() == nullptr || heap.end() < memory.base() + (std::size_t{17} << 16)) {
      void* block = heap.allocate(2048);
      EXPECT_NE(block, nullptr) << "while filling, allocate(2048)";
      if (block == nullptr) return;
    }
    for (std::size_t round = 0; round < 14; ++round) {
      for (std::size_t i = 0; i < std::size(pattern); ++i) {
        // Nine of each small size and of 1152, three 2048-byte blocks in a row (one-Segment
        // MiniPages side by side), two of 9216 (a full MiniPage), one of each other size.
        std::size_t count = pattern[i] <= 304 || pattern[i] == 1152 ? 9
                            : pattern[i] == 2048                    ? 3
                            : pattern[i] == 9216                    ? 2
                                                                    : 1;
        for (std::size_t k = 0; k < count; ++k) {
          void* block = heap.allocate(pattern[i]);
          EXPECT_NE(block, nullptr) << "while filling, allocate(" << pattern[i] << ")";
          if (block == nullptr) return;
          // Freed afterwards: some large blocks of spare lengths (kept as spare spans), some
          // longer ones (free spans), whole runs of 2048-byte blocks and some medium MiniPages
          // (empty MiniPages: spares, or freed as spans).
          bool free_it = (pattern[i] == 18432 && round % 2 == 1) ||
                         (pattern[i] == 20480 && round % 3 == 1) ||
                         (pattern[i] == 40000 && round % 5 == 3) ||
                         (pattern[i] == 6144 && round % 4 == 2) ||
                         (pattern[i] == 8192 && round % 4 == 1) ||
                         (pattern[i] == 2048 && round % 6 == 5) ||
                         (pattern[i] <= 304 && round % 7 == 6);
          if (free_it) freed_later.push_back(block);
        }
      }
    }
    for (void* block : freed_later) heap.deallocate(block);
    // Last, a block over the whole top free span, so a block ends where the table (its apron
    // first) begins: the one place a user block borders metadata. Up to 8 slots that is a
    // medium MiniPage of exactly that many slots and one Segment (2048 n bytes, n <= 8), beyond
    // a large block. A request of a spare span's length takes a spare span first, and one of a
    // class with spare MiniPages one of those (at most four of either, after the current
    // MiniPage), so it is repeated until the top free span is gone.
    for (int attempt = 0; attempt <= 6; ++attempt) {
      std::vector<SpanView> spans = spans_of(heap);
      if (spans.size() < 2 || spans[spans.size() - 2].kind != SpanKind::free) break;
      std::size_t top_free = spans[spans.size() - 2].bytes;
      EXPECT_NE(heap.allocate(top_free), nullptr) << "while filling, the top free span";
    }
  }

  std::byte* memory_end() const { return memory.base() + memory.pages() * kPage; }
};

// Every live block, with the kind of what follows its last byte: "segment" (the next Segment of
// its MiniPage), a span kind, or "end" (the end of memory).
struct Neighbour {
  Block block;
  // "large", "segment" (a block in a one-slot MiniPage) or "medium_segment" (a block in a MiniPage
  // of several slots)
  std::string origin;
  std::string follower;  // what begins at the block's end
};

std::vector<Neighbour> neighbours(const FilledHeap& filled) {
  std::vector<SpanView> spans = spans_of(filled.heap);
  const std::byte* base = filled.memory.base();
  auto follower_at = [&](const std::byte* end, std::size_t span_index) -> std::string {
    const SpanView& span = spans[span_index];
    if (end < span.start + span.bytes) {
      return span.kind == SpanKind::mini_page ? "segment" : "inside";
    }
    if (span_index + 1 < spans.size()) return kind_name(spans[span_index + 1].kind);
    return end >= filled.memory_end() ? "end" : "unwalked";
  };
  std::vector<Neighbour> found;
  for (std::size_t s = 0; s < spans.size(); ++s) {
    const SpanView& span = spans[s];
    if (span.kind == SpanKind::large) {
      Block block{static_cast<std::size_t>(span.start - base), span.bytes};
      found.push_back({block, "large", follower_at(span.start + span.bytes, s)});
    } else if (span.kind == SpanKind::mini_page) {
      std::size_t segment_bytes = kClassSizes[span.size_class];
      const char* origin = span.bytes > kSlot ? "medium_segment" : "segment";
      for (unsigned i = 0; i < span.segments; ++i) {
        if (((span.bitmap[i / 64] >> (i % 64)) & 1) == 0) continue;
        const std::byte* start = span.start + i * segment_bytes;
        Block block{static_cast<std::size_t>(start - base), segment_bytes};
        found.push_back({block, origin, follower_at(start + segment_bytes, s)});
      }
    }
  }
  return found;
}

struct Case {
  Block block;
  std::size_t length;  // requested overflow
  std::string name;
};

void PrintTo(const Case& c, std::ostream* out) {
  *out << c.name << " (block at offset " << c.block.offset << ", " << c.block.bytes << " bytes)";
}

constexpr std::size_t kLengths[] = {1, 16, 2048, 65536};

// One block per (origin, follower): the first in address order, except that a block bordering
// another block of its own MiniPage ("segment") is taken once per origin.
std::vector<Case> cases() {
  FilledHeap filled;
  std::map<std::string, Block> chosen;
  for (const Neighbour& n : neighbours(filled)) {
    chosen.emplace(n.origin + "_before_" + n.follower, n.block);
  }
  std::vector<Case> all;
  for (const auto& [name, block] : chosen) {
    for (std::size_t length : kLengths) {
      all.push_back({block, length, name + "_by_" + std::to_string(length)});
    }
  }
  return all;
}

struct Recorded {
  std::vector<std::string> errors;
  static void record(HeapError error, const void* pointer, void* context) {
    char text[96];
    std::snprintf(text, sizeof text, "%s at %p", to_string(error), pointer);
    static_cast<Recorded*>(context)->errors.push_back(text);
  }
};

// Which kinds of neighbour the filled heap offers: the proof needs a block before each.
TEST(MetadataOverflowLayout, BlocksBorderEveryKindOfSpan) {
  FilledHeap filled;
  ASSERT_TRUE(heap_is_valid(filled.heap));
  std::map<std::string, std::size_t> counts;
  for (const Neighbour& n : neighbours(filled)) ++counts[n.origin + " before " + n.follower];
  bool has_metadata_after_start = false;
  std::vector<SpanView> spans = spans_of(filled.heap);
  for (std::size_t s = 1; s < spans.size(); ++s) {
    has_metadata_after_start = has_metadata_after_start || spans[s].kind == SpanKind::metadata;
  }
  std::string seen;
  for (const auto& [what, count] : counts) seen += "\n  " + what + ": " + std::to_string(count);
  std::printf("blocks by neighbour:%s\n", seen.c_str());
  auto borders = [&](const char* follower) {
    return counts.count(std::string("large before ") + follower) +
               counts.count(std::string("segment before ") + follower) +
               counts.count(std::string("medium_segment before ") + follower) >
           0;
  };
  for (const char* follower : {"mini_page", "large", "free", "spare"}) {
    EXPECT_TRUE(borders(follower)) << "no block right before a " << follower << " span:" << seen;
  }
  // Segments of medium MiniPages (several slots) border the next Segment (inside their MiniPage,
  // across slot boundaries) and every kind of span a block can precede.
  for (const char* follower : {"segment", "mini_page", "large", "free", "spare"}) {
    EXPECT_TRUE(counts.count(std::string("medium_segment before ") + follower))
        << "no medium Segment right before a " << follower << ":" << seen;
  }
  // Metadata that is a span of its own past the heap's start must have a block before it too.
  if (has_metadata_after_start) {
    EXPECT_TRUE(borders("metadata")) << seen << "\n" << layout(filled.heap, filled.memory.base());
  }
  EXPECT_EQ(counts.count("large before inside") + counts.count("segment before inside") +
                counts.count("medium_segment before inside") +
                counts.count("large before unwalked") + counts.count("segment before unwalked") +
                counts.count("medium_segment before unwalked"),
            0U)
      << "the walk does not tile the heap:" << seen;
}

class MetadataOverflowTest : public ::testing::TestWithParam<Case> {};

TEST_P(MetadataOverflowTest, OverflowChangesUserMemoryOnly) {
  const Case& c = GetParam();
  FilledHeap filled;
  std::vector<Neighbour> live = neighbours(filled);
  ASSERT_TRUE(heap_is_valid(filled.heap)) << "before the overflow";
  std::byte* end = filled.memory.base() + c.block.offset + c.block.bytes;
  std::size_t length = std::min<std::size_t>(c.length, filled.memory_end() - end);
  std::printf("%s: block at offset %zu (%zu bytes), overflow of %zu bytes\n", c.name.c_str(),
              c.block.offset, c.block.bytes, length);
#if ALLIGATOR_VALGRIND
  VALGRIND_DISABLE_ERROR_REPORTING;  // the overflow is the point: memcheck would flag it
#endif
  std::memset(end, 0xA5, length);
#if ALLIGATOR_VALGRIND
  VALGRIND_ENABLE_ERROR_REPORTING;
#endif
  EXPECT_TRUE(heap_is_valid(filled.heap)) << "after the overflow";
  Recorded recorded;
  filled.heap.set_error_handler(&Recorded::record, &recorded);
  for (const Neighbour& n : live) filled.heap.deallocate(filled.memory.base() + n.block.offset);
  std::string errors;
  for (const std::string& e : recorded.errors) errors += "\n  " + e;
  EXPECT_TRUE(recorded.errors.empty())
      << recorded.errors.size() << " of " << live.size() << " frees were rejected:" << errors;
  EXPECT_TRUE(heap_is_valid(filled.heap)) << "after freeing every block";
}

INSTANTIATE_TEST_SUITE_P(EveryNeighbour, MetadataOverflowTest, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace alligator::testing
