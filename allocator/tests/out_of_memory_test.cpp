// Out of memory, through the simulated memory's maximum and its refusals: allocation returns
// nullptr, the heap stays valid, and nothing is lost (what was freed serves the same requests
// again without growth). Requests beyond the address space return nullptr on every target.
#include "heap_test_support.hpp"

#include <alligator/heap.hpp>
#include <alligator/shim/simulated_memory.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace alligator::testing {
namespace {

constexpr std::size_t kMemoryBytes = std::size_t{4} << 20;  // 64 wasm pages
constexpr std::size_t kTotalSlots = kMemoryBytes / kSlot;
// All but slot 0 and the table without a pool: 2048 - 1 - (32 + 16) = 1999 slots.
constexpr std::size_t kUsableSlots = kTotalSlots - 1 - table_slots(kTotalSlots);
static_assert(kUsableSlots == 1999);
// Filled with MiniPages, the bitmap pool takes a slot per 64 of them: 1968 MiniPages and a pool
// of 31 slots (1984 bitmap records) use them all; a 1969th MiniPage would have a record but no
// slot. The pool never shrinks, so those 31 slots stay metadata once the MiniPages are freed.
constexpr std::size_t kFilledPoolSlots = 31;
constexpr std::size_t kFilledMiniPages = kUsableSlots - kFilledPoolSlots;
static_assert(kFilledMiniPages <= kFilledPoolSlots * kBitmapsPerPoolSlot &&
              kFilledMiniPages + 1 + (kFilledMiniPages + 1 + 63) / 64 > kUsableSlots);

class OutOfMemoryTest : public HeapFixture {
 protected:
  OutOfMemoryTest() : HeapFixture(kMemoryBytes) {}

  // Allocates `size` bytes until the heap says no; returns the blocks.
  std::vector<void*> fill_with(std::size_t size, std::size_t alignment = 1) {
    std::vector<void*> blocks;
    for (;;) {
      void* block = heap.allocate(size, alignment);
      if (block == nullptr) break;
      blocks.push_back(block);
    }
    return blocks;
  }
};

TEST_F(OutOfMemoryTest, SmallBlocksFillEverySlotThenFail) {
  std::vector<void*> blocks = fill_with(16);
  // Every slot that is not metadata becomes a MiniPage of 128 Segments or a slot of the bitmap
  // pool.
  EXPECT_EQ(blocks.size(), kFilledMiniPages * (kSlot / 16));
  HeapStats stats = heap.stats();
  EXPECT_EQ(stats.wasm_pages, memory.max_pages());
  EXPECT_EQ(stats.free_bytes, 0U);
  EXPECT_EQ(stats.mini_pages, kFilledMiniPages);
  EXPECT_EQ(stats.metadata_bytes, metadata_bytes_for(kTotalSlots, kFilledPoolSlots));
  ASSERT_TRUE(heap_is_valid(heap));
  // Further requests of every kind fail too, and change nothing.
  EXPECT_EQ(heap.allocate(16), nullptr);
  EXPECT_EQ(heap.allocate(1000), nullptr);
  EXPECT_EQ(heap.allocate(5000), nullptr);   // a medium MiniPage of 5 slots
  EXPECT_EQ(heap.allocate(40000), nullptr);  // a large block
  EXPECT_EQ(heap.allocate(8, 4096), nullptr);
  EXPECT_EQ(heap.stats().live_blocks, blocks.size());
  ASSERT_TRUE(heap_is_valid(heap));

  // Free everything: the same number of blocks fits again, without growth.
  std::size_t grows = memory.grow_count();
  for (void* block : blocks) heap.deallocate(block);
  EXPECT_EQ(heap.stats().live_blocks, 0U);
  ASSERT_TRUE(heap_is_valid(heap));
  std::vector<void*> again = fill_with(16);
  EXPECT_EQ(again.size(), blocks.size());
  EXPECT_EQ(memory.grow_count(), grows);
  for (void* block : again) heap.deallocate(block);
}

// Freed small blocks of one class serve large blocks after: empty MiniPages go back to the spans
// (but for the class's current MiniPage and its spares, which retire when a large block needs them).
// The large blocks are 17 slots (above 16 KiB, and no spare spans).
TEST_F(OutOfMemoryTest, MemoryFreedBySmallBlocksServesLargeOnes) {
  std::vector<void*> small = fill_with(250);  // class 256: one-slot MiniPages
  ASSERT_FALSE(small.empty());
  EXPECT_EQ(heap.allocate(17 * kSlot), nullptr);
  for (void* block : small) heap.deallocate(block);
  HeapStats stats = heap.stats();
  // At most the current MiniPage and the spares (all empty) are kept back; everything else is free.
  EXPECT_LE(stats.mini_pages, 1U + detail::kSparesPerClass);
  EXPECT_EQ(stats.free_bytes + stats.metadata_bytes + stats.mini_pages * kSlot, kMemoryBytes);
  std::vector<void*> large = fill_with(17 * kSlot);
  // No metadata splits the heap: only the kept MiniPages (until they retire) cut the free slots
  // into runs, and each run loses at most 16 slots to the 17-slot blocks. (The pool keeps the
  // slots it took.)
  EXPECT_GE(large.size(), (kFilledMiniPages - 16 * (2 + detail::kSparesPerClass)) / 17);
  EXPECT_LE(large.size(), kFilledMiniPages / 17);
  EXPECT_EQ(heap.stats().large_blocks, large.size());
  EXPECT_EQ(memory.pages(), memory.max_pages());
  for (void* block : large) heap.deallocate(block);
}

TEST_F(OutOfMemoryTest, LargeBlocksFillMemoryThenTheSameCountFitsAgain) {
  std::vector<void*> blocks = fill_with(100 * 1024);  // 50 slots each
  ASSERT_FALSE(blocks.empty());
  EXPECT_LE(blocks.size() * 50, kUsableSlots);
  ASSERT_TRUE(heap_is_valid(heap));
  std::size_t pages = heap.stats().wasm_pages;
  for (void* block : blocks) heap.deallocate(block);
  std::vector<void*> again = fill_with(100 * 1024);
  EXPECT_EQ(again.size(), blocks.size());
  EXPECT_EQ(heap.stats().wasm_pages, pages);
  for (void* block : again) heap.deallocate(block);
}

// A mixed workload runs into the maximum, then is freed in a scrambled order: nothing is lost.
// Every byte is free again but for the metadata, the empty MiniPages a class may keep (current and
// spares) and the spare spans (at most four per length, counted as free), and the slots between
// slot 0 and the table take one large block of all of them: empty MiniPages and spare spans in the
// way are retired, and memory does not grow.
TEST_F(OutOfMemoryTest, AMixedWorkloadLosesNothingOnceFreed) {
  Random random{0xC0FFEE};
  std::vector<void*> blocks;
  for (;;) {
    std::size_t pick = random.below(10);
    std::size_t size = pick < 6 ? random.below(2049) : pick < 9 ? 2049 + random.below(20000)
                                                                : 20000 + random.below(200000);
    void* block = heap.allocate(size);
    if (block == nullptr) break;
    blocks.push_back(block);
  }
  ASSERT_GT(blocks.size(), 10U);
  ASSERT_TRUE(heap_is_valid(heap));
  for (std::size_t i = blocks.size(); i > 1; --i) std::swap(blocks[i - 1], blocks[random.below(i)]);
  for (void* block : blocks) heap.deallocate(block);
  ASSERT_TRUE(heap_is_valid(heap));

  HeapStats stats = heap.stats();
  EXPECT_EQ(stats.live_blocks, 0U);
  EXPECT_EQ(stats.large_blocks, 0U);
  EXPECT_LE(stats.mini_pages, (1 + detail::kSparesPerClass) * kClassCount);
  std::size_t spare_spans = 0;
  // A kept MiniPage is k_c slots, 1 to 16.
  std::vector<SpanView> spans = spans_of(heap);
  std::size_t kept_page_bytes = 0;
  for (const SpanView& span : spans) {
    if (span.kind != SpanKind::mini_page) continue;
    EXPECT_EQ(span.bytes, mini_page_slots_of(kClassSizes[span.size_class]) * kSlot);
    kept_page_bytes += span.bytes;
  }
  EXPECT_EQ(stats.free_bytes + stats.metadata_bytes + kept_page_bytes, stats.wasm_pages * kPage);

  // Between slot 0 and the table lie only free spans, kept MiniPages and spare spans.
  ASSERT_GE(spans.size(), 3U);
  const std::size_t top = stats.wasm_pages * kSlotsPerPage;
  EXPECT_EQ(spans.front().kind, SpanKind::metadata);
  EXPECT_EQ(spans.front().bytes, kSlot);
  EXPECT_EQ(spans.back().kind, SpanKind::metadata);
  // The table: apron, records and the pool, one slot per 64 MiniPages at the most the heap held.
  const std::size_t table = spans.back().bytes / kSlot;
  EXPECT_GE(table, table_slots(top));
  EXPECT_LE(table, table_slots(top, (top + kBitmapsPerPoolSlot - 1) / kBitmapsPerPoolSlot));
  for (std::size_t i = 1; i + 1 < spans.size(); ++i) {
    const SpanView& span = spans[i];
    ASSERT_TRUE(span.kind == SpanKind::free || span.kind == SpanKind::mini_page ||
                span.kind == SpanKind::spare)
        << kind_name(span.kind);
    if (span.kind == SpanKind::spare) ++spare_spans;
    if (span.kind == SpanKind::mini_page) {
      EXPECT_EQ(span.live_segments, 0U);
      EXPECT_TRUE(span.current || span.spare) << "an empty MiniPage kept, neither current nor spare";
    }
  }
  EXPECT_LE(spare_spans, detail::kSpareSpansPerLength *
                             (detail::kMaxSpareSpanSlots - detail::kMinSpareSpanSlots + 1));
  // Once the kept MiniPages and spare spans retire, every slot between slot 0 and the table is one
  // free span (the top free span), so one block of all of them fits without growth.
  const std::size_t stretch = top - 1 - table;
  std::size_t pages = heap.stats().wasm_pages;
  void* block = heap.allocate(stretch * kSlot);
  ASSERT_NE(block, nullptr) << "the " << stretch << " slots between slot 0 and the table: "
                            << layout(heap, memory.base());
  EXPECT_EQ(slot_of(block), 1U);
  EXPECT_EQ(heap.stats().wasm_pages, pages);
  EXPECT_EQ(heap.stats().mini_pages, 0U);
  EXPECT_EQ(heap.stats().free_bytes, 0U);
}

// --- refused growth ------------------------------------------------------------------------------

TEST_F(OutOfMemoryTest, RefusedGrowthFailsExactlyWhileRefused) {
  memory.refuse_next_grows(3);
  for (int attempt = 0; attempt < 3; ++attempt) {
    EXPECT_EQ(heap.allocate(250), nullptr) << attempt;  // one slot: no large block instead
    EXPECT_EQ(memory.refused_count(), static_cast<std::size_t>(attempt) + 1);
    EXPECT_EQ(heap.stats().wasm_pages, 0U);
    ASSERT_TRUE(heap_is_valid(heap));
  }
  void* block = heap.allocate(250);
  EXPECT_NE(block, nullptr);
  EXPECT_EQ(memory.refused_count(), 3U);
  EXPECT_EQ(heap.stats().wasm_pages, 2U);
}

// Requests the heap serves without growing do not consume a refusal.
TEST_F(OutOfMemoryTest, RefusalsWaitForTheNextGrowth) {
  void* first = heap.allocate(100);
  ASSERT_NE(first, nullptr);
  memory.refuse_next_grows(1);
  void* second = heap.allocate(100);  // same MiniPage
  void* third = heap.allocate(5000);  // a 5-slot MiniPage from the free span after it
  EXPECT_TRUE(second && third);
  EXPECT_EQ(memory.refused_count(), 0U);
  std::size_t pages = heap.stats().wasm_pages;
  EXPECT_EQ(heap.allocate(200 * 1024), nullptr);  // needs growth: refused
  EXPECT_EQ(memory.refused_count(), 1U);
  EXPECT_EQ(heap.stats().wasm_pages, pages);
  ASSERT_TRUE(heap_is_valid(heap));
  EXPECT_NE(heap.allocate(200 * 1024), nullptr);
  EXPECT_GT(heap.stats().wasm_pages, pages);
}

TEST_F(OutOfMemoryTest, RefusedGrowthChangesNothing) {
  void* block = heap.allocate(10 * kSlot);
  ASSERT_NE(block, nullptr);
  std::string before = layout(heap, memory.base());
  HeapStats stats = heap.stats();
  memory.refuse_next_grows(1);
  EXPECT_EQ(heap.allocate(100 * kSlot), nullptr);
  EXPECT_EQ(layout(heap, memory.base()), before);
  EXPECT_EQ(heap.stats().free_bytes, stats.free_bytes);
  EXPECT_EQ(heap.stats().live_blocks, stats.live_blocks);
}

TEST_F(OutOfMemoryTest, FailedReallocationKeepsTheBlock) {
  void* block = heap.allocate(30 * kSlot);  // slots 1..30: it ends where the table begins
  ASSERT_NE(block, nullptr);
  ASSERT_EQ(layout(heap, memory.base()), "metadata 0+1, large 1+30, metadata 31+33");
  fill(block, 30 * kSlot, 11);
  std::string before = layout(heap, memory.base());
  memory.refuse_next_grows(10);
  EXPECT_EQ(heap.reallocate(block, 40 * kSlot), nullptr);  // in place needs growth; so does a move
  EXPECT_EQ(layout(heap, memory.base()), before);
  EXPECT_EQ(heap.usable_size(block), 30 * kSlot);
  EXPECT_EQ(first_mismatch(block, 30 * kSlot, 11), 30 * kSlot);
  ASSERT_TRUE(heap_is_valid(heap));

  void* small = heap.allocate(100);  // small to large and large to small need memory too
  EXPECT_EQ(small, nullptr);
  // Once memory gives pages again, the block grows in place, under the moved table (10 slots
  // missing, t = 0: one page leaves 33 + 32 - M(96) = 32).
  memory.refuse_next_grows(0);
  EXPECT_EQ(heap.reallocate(block, 40 * kSlot), block);
  EXPECT_EQ(first_mismatch(block, 30 * kSlot, 11), 30 * kSlot);
  EXPECT_EQ(layout(heap, memory.base()), "metadata 0+1, large 1+40, free 41+22, metadata 63+33");
}

TEST_F(OutOfMemoryTest, FailedSmallToLargeReallocationKeepsTheBlock) {
  std::vector<void*> filler = fill_with(1024);  // every slot a MiniPage of 1024-byte Segments
  ASSERT_FALSE(filler.empty());
  void* block = filler.back();
  fill(block, 1024, 12);
  EXPECT_EQ(heap.reallocate(block, 20000), nullptr);  // large: 10 slots
  EXPECT_EQ(heap.usable_size(block), 1024U);
  EXPECT_EQ(first_mismatch(block, 1024, 12), 1024U);
  EXPECT_EQ(heap.reallocate(block, 5000), nullptr);  // medium: a MiniPage of 5 slots
  EXPECT_EQ(heap.usable_size(block), 1024U);
  EXPECT_EQ(first_mismatch(block, 1024, 12), 1024U);
  EXPECT_EQ(heap.stats().live_blocks, filler.size());
  EXPECT_EQ(heap.reallocate(block, 2048), nullptr);  // another class, no free slot either
  EXPECT_EQ(first_mismatch(block, 1024, 12), 1024U);
  EXPECT_EQ(heap.reallocate(block, 1000), block);  // same class: no memory needed
}

// --- requests beyond the address space -----------------------------------------------------------

TEST_F(OutOfMemoryTest, HugeRequestsReturnNull) {
  void* block = heap.allocate(100);
  ASSERT_NE(block, nullptr);
  fill(block, 100, 13);
  constexpr std::size_t max = std::numeric_limits<std::size_t>::max();
  const std::size_t huge[] = {max,
                              max - 1,
                              max - kSlot,
                              max / 2,
                              max / 2 + 1,
                              std::size_t{3} << 30,
                              (std::size_t{1} << 31) + 1,
                              kMemoryBytes + 1,
                              kMemoryBytes};
  for (std::size_t size : huge) {
    EXPECT_EQ(heap.allocate(size), nullptr) << size;
    EXPECT_EQ(heap.allocate(size, 65536), nullptr) << size;
    EXPECT_EQ(heap.reallocate(block, size), nullptr) << size;
    ASSERT_TRUE(heap_is_valid(heap)) << size;
  }
  // Huge alignments: the largest power of two size_t holds, and 2 GiB.
  constexpr std::size_t top_bit = std::size_t{1} << (sizeof(std::size_t) * 8 - 1);
  EXPECT_EQ(heap.allocate(16, top_bit), nullptr);
  EXPECT_EQ(heap.allocate(16, std::size_t{1} << 31), nullptr);
  EXPECT_EQ(heap.reallocate(block, 16, top_bit), nullptr);
  EXPECT_EQ(heap.stats().live_blocks, 1U);
  EXPECT_EQ(heap.usable_size(block), expected_usable(100));
  EXPECT_EQ(first_mismatch(block, 100, 13), 100U);
  // The heap still works.
  void* after = heap.allocate(100 * 1024);
  EXPECT_NE(after, nullptr);
}

TEST_F(OutOfMemoryTest, HugeRequestsOnAFreshHeapLeaveItEmpty) {
  constexpr std::size_t max = std::numeric_limits<std::size_t>::max();
  for (std::size_t size : {max, max / 2, std::size_t{3} << 30}) {
    EXPECT_EQ(heap.allocate(size), nullptr) << size;
  }
  EXPECT_EQ(heap.stats().wasm_pages, 0U);
  EXPECT_EQ(memory.pages(), 0U);
}

}  // namespace
}  // namespace alligator::testing
