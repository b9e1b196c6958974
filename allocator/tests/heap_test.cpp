// Heap<SimulatedMemory>: the allocator as its users see it, on a fresh simulated memory per test.
// Expectations come from the specification (allocator/README.md): the class tables, the alignment
// rule, "take the low end of the span found", the growth rule and the walk's contents. Every
// test ends with validate() (the fixture's TearDown).
#include "heap_test_support.hpp"

#include <alligator/heap.hpp>
#include <alligator/shim/simulated_memory.hpp>
#include <alligator/size_classes.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstddef>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace alligator::testing {
namespace {

class HeapTest : public HeapFixture {
 protected:
  HeapTest() : HeapFixture(std::size_t{4} << 20) {}
};

class BigHeapTest : public HeapFixture {
 protected:
  BigHeapTest() : HeapFixture(std::size_t{16} << 20) {}
};

// The class of size `class_bytes` (a size both tables have).
std::size_t class_index(std::size_t class_bytes) {
  return static_cast<std::size_t>(std::find(kClassSizes.begin(), kClassSizes.end(), class_bytes) -
                                  kClassSizes.begin());
}

// --- a fresh heap --------------------------------------------------------------------------------

TEST_F(HeapTest, FreshHeapHoldsNothing) {
  HeapStats stats = heap.stats();
  EXPECT_EQ(stats.wasm_pages, 0U);
  EXPECT_EQ(stats.live_blocks, 0U);
  EXPECT_EQ(stats.free_bytes, 0U);
  EXPECT_EQ(stats.metadata_bytes, 0U);
  EXPECT_TRUE(spans_of(heap).empty());
  EXPECT_EQ(memory.grow_count(), 0U);
  int local = 0;
  EXPECT_FALSE(heap.owns(&local));
  EXPECT_FALSE(heap.owns(nullptr));
}

// The first growth makes slot 0 and the table. One page would not do: 32 - 1 - M(32) = -2, as
// the apron alone is a page; two pages leave 64 - 1 - M(64) = 64 - 1 - (32 + 0 + 1) = 30 free
// slots. The first MiniPage needs a bitmap record: the pool takes the last of them (the table is
// then 32 + 1 + 1 = 34 slots), and the MiniPage is their low end.
TEST_F(HeapTest, FirstAllocationTakesTwoPagesForSlotZeroAndTheTable) {
  void* block = heap.allocate(1);
  ASSERT_NE(block, nullptr);
  EXPECT_EQ(memory.pages(), 2U);
  EXPECT_EQ(memory.grow_count(), 1U);
  HeapStats stats = heap.stats();
  EXPECT_EQ(stats.wasm_pages, 2U);
  EXPECT_EQ(stats.metadata_bytes, 35 * kSlot);  // 1 + 32 + B + R(64) = 1 + 32 + 1 + 1
  EXPECT_EQ(stats.metadata_bytes, metadata_bytes_for(64, 1));
  EXPECT_EQ(stats.mini_pages, 1U);
  EXPECT_EQ(stats.live_blocks, 1U);
  EXPECT_EQ(stats.free_bytes, 28 * kSlot);
  EXPECT_EQ(block, memory.base() + kSlot);
  EXPECT_EQ(layout(heap, memory.base()), "metadata 0+1, mini_page 1+1, free 2+28, metadata 30+34");
  EXPECT_EQ(heap.end(), memory.base() + 2 * kPage);
  EXPECT_EQ(table_start(heap, 1), memory.base() + 30 * kSlot);
}

// Memory that begins 5 slots before a page boundary, as a program's __heap_base may: the first
// growth asks for the same 2 pages (it counts without the lead) and takes the 5 slots too, so
// slot 0 is the memory's first byte and the heap has 69 slots. The table is 32 + 1 + R(69) = 34
// slots at 35..68, the pool's slot taken from the top free span as above.
TEST(HeapLeadTest, MemoryBeginningInsideAPageGivesTheFirstGrowthTheRestOfIt) {
  constexpr std::size_t kLead = 5 * kSlot;
  SimulatedMemory memory(std::size_t{4} << 20, kLead);
  Heap<SimulatedMemory> heap(memory);
  void* block = heap.allocate(1);
  ASSERT_NE(block, nullptr);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(memory.base() + kLead) % kPage, 0U);
  EXPECT_EQ(memory.pages(), 2U);
  EXPECT_EQ(heap.stats().wasm_pages, 2U);
  EXPECT_EQ(block, memory.base() + kSlot);
  EXPECT_EQ(layout(heap, memory.base()), "metadata 0+1, mini_page 1+1, free 2+33, metadata 35+34");
  EXPECT_EQ(heap.end(), memory.base() + kLead + 2 * kPage);
  EXPECT_EQ(heap.stats().free_bytes, 33 * kSlot);
  EXPECT_TRUE(heap.validate().ok()) << heap.validate().messages[0];
  // Alignment is by address: a 64 KiB-aligned block lies on a page boundary, not on slot 32.
  void* aligned_block = heap.allocate(100, 65536);
  ASSERT_NE(aligned_block, nullptr);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(aligned_block) % 65536, 0U);
  // Later growths start on page boundaries, after the first.
  void* large = heap.allocate(std::size_t{1} << 20);
  ASSERT_NE(large, nullptr);
  EXPECT_EQ(heap.end(), memory.base() + kLead + memory.pages() * kPage);
  EXPECT_TRUE(heap.validate().ok()) << heap.validate().messages[0];
  heap.deallocate(large);
  heap.deallocate(aligned_block);
  heap.deallocate(block);
  heap.trim();
  EXPECT_TRUE(heap.validate().ok()) << heap.validate().messages[0];
  EXPECT_EQ(heap.stats().live_blocks, 0U);
}

TEST_F(HeapTest, ZeroBytesGiveUniqueBlocks) {
  void* first = heap.allocate(0);
  void* second = heap.allocate(0);
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  EXPECT_NE(first, second);
  EXPECT_GE(heap.usable_size(first), 1U);  // served as size 1
  EXPECT_EQ(heap.usable_size(first), expected_usable(1));
  heap.deallocate(first);
  heap.deallocate(second);
  EXPECT_EQ(heap.stats().live_blocks, 0U);
}

// --- alignment and usable size -------------------------------------------------------------------

TEST_F(BigHeapTest, EveryClassIsNaturallyAlignedAcrossSeveralMiniPages) {
  std::vector<Live> live;
  for (std::size_t class_bytes : kClassSizes) {
    std::size_t count = 2 * segments_of(class_bytes) + 1;  // three MiniPages
    for (std::size_t i = 0; i < count; ++i) {
      void* block = heap.allocate(class_bytes);
      ASSERT_NE(block, nullptr) << class_bytes;
      ASSERT_TRUE(aligned(block, natural_alignment_of(class_bytes)))
          << block << " for " << class_bytes << " bytes";
      ASSERT_EQ(heap.usable_size(block), class_bytes);
      live.push_back({block, class_bytes});
    }
  }
  EXPECT_TRUE(disjoint(live));
  for (const Live& block : live) heap.deallocate(block.pointer);
  EXPECT_EQ(heap.stats().live_blocks, 0U);
}

TEST_F(BigHeapTest, EverySizeUpTo2048IsAlignedAndHasItsClassSize) {
  grow_first(4096);  // one free span holds every MiniPage below
  std::vector<Live> live;
  for (std::size_t size = 0; size <= 2048; ++size) {
    for (int copy = 0; copy < 2; ++copy) {
      void* block = heap.allocate(size);
      ASSERT_NE(block, nullptr) << size;
      ASSERT_TRUE(aligned(block, natural_alignment_of(size))) << block << " for " << size;
      std::size_t usable = heap.usable_size(block);
      ASSERT_GE(usable, size);
      ASSERT_EQ(usable, expected_usable(size)) << size;
      fill(block, usable, live.size());
      live.push_back({block, usable});
    }
  }
  EXPECT_TRUE(disjoint(live));
  for (std::size_t i = 0; i < live.size(); ++i) {
    ASSERT_EQ(first_mismatch(live[i].pointer, live[i].bytes, i), live[i].bytes) << "block " << i;
  }
  for (const Live& block : live) heap.deallocate(block.pointer);
}

// Powers of two from 1 to 64 KiB, each with small (medium included) and large sizes around it.
TEST_F(BigHeapTest, ExplicitAlignmentIsHonouredForSmallAndLargeSizes) {
  grow_first(4096);  // one free span holds every MiniPage below
  std::vector<Live> live;
  for (std::size_t alignment = 1; alignment <= 65536; alignment *= 2) {
    for (std::size_t size : {std::size_t{0}, std::size_t{1}, alignment / 2, alignment - 1, alignment,
                             alignment + 1, std::size_t{100}, std::size_t{2048}, std::size_t{2049},
                             std::size_t{5000}, std::size_t{16384}, std::size_t{16385},
                             std::size_t{40000}, 3 * alignment + 1}) {
      void* block = heap.allocate(size, alignment);
      ASSERT_NE(block, nullptr) << size << " at " << alignment;
      ASSERT_TRUE(aligned(block, alignment)) << block << ": " << size << " at " << alignment;
      ASSERT_TRUE(aligned(block, natural_alignment_of(size))) << size << " at " << alignment;
      std::size_t usable = heap.usable_size(block);
      ASSERT_EQ(usable, expected_usable(size, alignment)) << size << " at " << alignment;
      fill(block, usable, live.size());
      live.push_back({block, usable});
    }
  }
  EXPECT_TRUE(disjoint(live));
  for (std::size_t i = 0; i < live.size(); ++i) {
    ASSERT_EQ(first_mismatch(live[i].pointer, live[i].bytes, i), live[i].bytes) << "block " << i;
  }
  for (const Live& block : live) heap.deallocate(block.pointer);
  EXPECT_EQ(heap.stats().live_blocks, 0U);
}

TEST_F(HeapTest, SmallAlignedRequestsTakeTheFirstClassThatIsAMultiple) {
  // Known answers, both tables: 100 at 64 -> 128; 600 at 64 -> 640; 650 at 128 -> 768 (704 is
  // not a multiple of 128); 1 at 2048 -> 2048; 24 at 16 -> 32; 700 at 512 -> 1024 (not
  // 704 .. 960); 1100 at 256 -> 1280 (not 1152 or 1216); 3000 at 1024 -> 3072; 5000 at 2048 ->
  // 6144 (not 5120 .. 5888); 9000 at 2048 -> 10240 (not 9216 or 9728); 16384 at 2048 -> 16384.
  struct Case {
    std::size_t size, alignment, usable;
  };
  for (Case c : {Case{100, 64, 128}, Case{600, 64, 640}, Case{650, 128, 768}, Case{1, 2048, 2048},
                 Case{24, 16, 32}, Case{0, 1024, 1024}, Case{130, 128, 256}, Case{700, 512, 1024},
                 Case{1100, 256, 1280}, Case{3000, 1024, 3072}, Case{5000, 2048, 6144},
                 Case{9000, 2048, 10240}, Case{16384, 2048, 16384}}) {
    void* block = heap.allocate(c.size, c.alignment);
    ASSERT_NE(block, nullptr);
    EXPECT_EQ(heap.usable_size(block), c.usable) << c.size << " at " << c.alignment;
    EXPECT_TRUE(aligned(block, c.alignment));
    heap.deallocate(block, c.size, c.alignment);
  }
}

TEST_F(HeapTest, AlignmentAbove2048MakesARequestLarge) {
  void* block = heap.allocate(1, 4096);
  ASSERT_NE(block, nullptr);
  EXPECT_TRUE(aligned(block, 4096));
  EXPECT_EQ(heap.usable_size(block), kSlot);
  EXPECT_EQ(heap.stats().large_blocks, 1U);
  EXPECT_EQ(heap.stats().mini_pages, 0U);
  heap.deallocate(block, 1, 4096);
  EXPECT_EQ(heap.stats().large_blocks, 0U);
}

// With alignment a > 2048 the heap takes k + a/2048 - 1 slots and frees the ones around the
// aligned block at once. A fresh heap needs three pages for 1 + 31 slots (two leave 30 free;
// three leave 96 - 1 - M(96) = 96 - 1 - 33 = 62): slots 1..32 are taken, the block is slot 32.
TEST_F(HeapTest, LargeAlignmentFreesTheSlotsAroundTheBlock) {
  void* block = heap.allocate(100, 65536);
  ASSERT_NE(block, nullptr);
  EXPECT_EQ(heap.stats().wasm_pages, 3U);
  EXPECT_EQ(block, memory.base() + kPage);  // slot 32: the first 64 KiB boundary after slot 0
  EXPECT_EQ(layout(heap, memory.base()),
            "metadata 0+1, free 1+31, large 32+1, free 33+30, metadata 63+33");
}

TEST_F(BigHeapTest, LargeBlocksHaveWholeSlots) {
  std::vector<std::size_t> sizes = {16385,     18431, 18432,         18433,
                                    40000,     65535, 65536,         65537,
                                    1u << 20,  (1u << 20) + 1,       (3u << 20) + 5};
  std::vector<Live> live;
  std::size_t in_use = 0;
  for (std::size_t size : sizes) {
    void* block = heap.allocate(size);
    ASSERT_NE(block, nullptr) << size;
    EXPECT_EQ(slot_of(block) * kSlot, static_cast<std::size_t>(static_cast<std::byte*>(block) -
                                                                memory.base()))
        << "a large block starts on a slot";
    EXPECT_TRUE(aligned(block, natural_alignment_of(size)));
    std::size_t usable = heap.usable_size(block);
    EXPECT_EQ(usable, (size + kSlot - 1) / kSlot * kSlot) << size;
    fill(block, usable, live.size());
    live.push_back({block, usable});
    in_use += usable;
  }
  HeapStats stats = heap.stats();
  EXPECT_EQ(stats.large_blocks, sizes.size());
  EXPECT_EQ(stats.live_blocks, sizes.size());
  EXPECT_EQ(stats.bytes_in_use, in_use);
  EXPECT_EQ(stats.mini_pages, 0U);
  EXPECT_TRUE(disjoint(live));
  for (std::size_t i = 0; i < live.size(); ++i) {
    ASSERT_EQ(first_mismatch(live[i].pointer, live[i].bytes, i), live[i].bytes) << "block " << i;
  }
  for (const Live& block : live) heap.deallocate(block.pointer);
  stats = heap.stats();
  EXPECT_EQ(stats.large_blocks, 0U);
  EXPECT_EQ(stats.bytes_in_use, 0U);
  // Everything but the metadata is one free span again (frees coalesce).
  EXPECT_EQ(stats.free_bytes + stats.metadata_bytes, stats.wasm_pages * kPage);
}

// Every small size (up to 16384) gets its class's size, aligned naturally; larger ones whole slots.
TEST_F(HeapTest, UsableSizeIsAtLeastTheRequest) {
  for (std::size_t size = 0; size < 40000; size += size <= 16400 ? 1 : 97) {
    void* block = heap.allocate(size);
    ASSERT_NE(block, nullptr) << size;
    ASSERT_TRUE(aligned(block, natural_alignment_of(size))) << block << " for " << size;
    ASSERT_GE(heap.usable_size(block), size);
    ASSERT_EQ(heap.usable_size(block), expected_usable(size)) << size;
    heap.deallocate(block);
  }
  // Known answers: the medium classes, then whole slots above 16384.
  for (auto [size, usable] : {std::pair<std::size_t, std::size_t>{673, 704}, {1025, 1088},
                              {1032, 1088}, {2049, 2176}, {4097, 4352}, {4272, 4352},
                              {8193, 8704}, {15361, 15872}, {15873, 16384},
                              {16384, 16384}, {16385, 9 * kSlot}, {18433, 10 * kSlot}}) {
    void* block = heap.allocate(size);
    ASSERT_NE(block, nullptr) << size;
    EXPECT_EQ(heap.usable_size(block), usable) << size;
    heap.deallocate(block);
  }
  EXPECT_EQ(heap.usable_size(nullptr), 0U);
}

// --- growth --------------------------------------------------------------------------------------

// Known answers for the growth rule on a fresh heap: k slots need the fewest p pages with
// 32p - 1 - M(32p) >= k, M(32p) = 32 + ceil(p/4) (no pool yet): p = 2 leaves 30, 3 leaves 62,
// 4 leaves 94, 5 leaves 125, 16 leaves 475, 17 leaves 506, 18 leaves 538. (p_min is 0: no table
// to move.)
TEST(HeapGrowthTest, AFreshHeapGrowsByTheFewestPages) {
  struct Case {
    std::size_t slots, pages;
  };
  for (Case c : {Case{9, 2}, Case{30, 2}, Case{31, 3}, Case{62, 3}, Case{63, 4}, Case{94, 4},
                 Case{95, 5}, Case{125, 5}, Case{126, 6}, Case{475, 16}, Case{476, 17},
                 Case{506, 17}, Case{507, 18}, Case{538, 18}, Case{539, 19}}) {
    SimulatedMemory memory(std::size_t{4} << 20);
    Heap heap(memory);
    void* block = heap.allocate(c.slots * kSlot);
    ASSERT_NE(block, nullptr);
    EXPECT_EQ(heap.stats().wasm_pages, c.pages) << c.slots << " slots";
    EXPECT_EQ(memory.grow_count(), 1U);
    // The block is the low end of the free span after slot 0; the table is the last span.
    EXPECT_EQ(block, memory.base() + kSlot) << c.slots << " slots";
    std::vector<SpanView> spans = spans_of(heap);
    ASSERT_FALSE(spans.empty());
    EXPECT_EQ(spans.back().kind, SpanKind::metadata);
    EXPECT_EQ(spans.back().bytes, table_slots(32 * c.pages) * kSlot) << c.slots << " slots";
    EXPECT_EQ(spans.back().start + spans.back().bytes, heap.end());
    EXPECT_TRUE(heap_is_valid(heap));
  }
}

// New pages extend the top free span (past the table, which moves), so a block may start below
// the old table. t = 28 and top = 64, a pool of one slot: one page leaves
// 28 + M(64) + 32 - M(96) = 28 + 34 + 32 - 34 = 60 >= 40 free slots, and
// p_min = ceil(L(64) / 32) = ceil(2 / 32) = 1.
TEST_F(HeapTest, GrowthExtendsTheFreeSpanAtTheTop) {
  void* small = heap.allocate(8);  // slot 1; slots 2..29 stay free, the table is 30+34
  ASSERT_NE(small, nullptr);
  void* block = heap.allocate(40 * kSlot);
  ASSERT_NE(block, nullptr);
  EXPECT_EQ(heap.stats().wasm_pages, 3U);
  EXPECT_EQ(memory.grow_count(), 2U);
  EXPECT_EQ(slot_of(block), 2U);
  EXPECT_EQ(layout(heap, memory.base()),
            "metadata 0+1, mini_page 1+1, large 2+40, free 42+20, metadata 62+34");
}

// Growth moves the table to the new end, and the slots it held (apron and descriptors) join the
// top free span with the new pages: the next block runs from the old free span across the old
// table, and crosses slot 512, where a 1 MiB group's descriptor block used to begin.
TEST_F(HeapTest, GrowthMovesTheTableAndItsOldSlotsJoinTheTopFreeSpan) {
  // Fresh: 17 pages (32 x 17 - 1 - M(544) = 544 - 1 - 37 = 506 >= 490).
  void* first = heap.allocate(490 * kSlot);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(heap.stats().wasm_pages, 17U);
  EXPECT_EQ(layout(heap, memory.base()), "metadata 0+1, large 1+490, free 491+16, metadata 507+37");
  ASSERT_TRUE(heap_is_valid(heap));
  // t = 16 < 30: one page leaves 16 + M(544) + 32 - M(576) = 16 + 37 + 32 - 37 = 48 slots
  // (p_min = ceil(5 / 32) = 1), from slot 491 to the new table at 576 - 37 = 539.
  void* second = heap.allocate(30 * kSlot);
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(heap.stats().wasm_pages, 18U);
  EXPECT_EQ(slot_of(second), 491U);  // slots 491..520: over the old apron, across slot 512
  EXPECT_EQ(heap.stats().metadata_bytes, (1 + 37) * kSlot);
  EXPECT_EQ(layout(heap, memory.base()),
            "metadata 0+1, large 1+490, large 491+30, free 521+18, metadata 539+37");
  ASSERT_TRUE(heap_is_valid(heap));
  // Freed, the second block merges with the top free span again: one run up to the table.
  heap.deallocate(second);
  EXPECT_EQ(layout(heap, memory.base()), "metadata 0+1, large 1+490, free 491+48, metadata 539+37");
}

// p_min: once the records fill more than one wasm page (L(top) > 32, from 129 pages on with no
// pool), a growth takes at least ceil(L(top) / 32) pages, even when fewer would serve the request.
TEST_F(BigHeapTest, ATableOfMoreThanAPageMakesGrowthGenerous) {
  // Fresh: 130 pages (4160 - 1 - M(4160) = 4160 - 1 - 65 = 4094 >= 4084; 129 pages leave 4062).
  void* first = heap.allocate(4084 * kSlot);
  ASSERT_NE(first, nullptr);
  ASSERT_EQ(heap.stats().wasm_pages, 130U);
  ASSERT_EQ(record_slots(130 * kSlotsPerPage), 33U);
  EXPECT_EQ(layout(heap, memory.base()),
            "metadata 0+1, large 1+4084, free 4085+10, metadata 4095+65");
  ASSERT_TRUE(heap_is_valid(heap));
  // p_k = 1 (10 + 65 + 32 - M(4192) = 10 + 65 + 32 - 65 = 42 >= 20), p_min = ceil(33 / 32) = 2:
  // two pages, leaving 10 + 65 + 64 - M(4224) = 10 + 65 + 64 - 65 = 74 free slots.
  void* second = heap.allocate(20 * kSlot);
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(heap.stats().wasm_pages, 132U);
  EXPECT_EQ(memory.grow_count(), 2U);
  EXPECT_EQ(slot_of(second), 4085U);
  EXPECT_EQ(layout(heap, memory.base()),
            "metadata 0+1, large 1+4084, large 4085+20, free 4105+54, metadata 4159+65");
  ASSERT_TRUE(heap_is_valid(heap));
}

// p_min at its edge: records of exactly one wasm page (L(top) = 32, at 128 pages with no pool)
// ask for ceil(32 / 32) = 1 page, not 2.
TEST_F(BigHeapTest, ATableOfExactlyAPageMakesGrowthNoMoreGenerousThanAPage) {
  // Fresh: 128 pages (4096 - 1 - M(4096) = 4096 - 1 - 64 = 4031 >= 4020; 127 pages leave 3999).
  void* first = heap.allocate(4020 * kSlot);
  ASSERT_NE(first, nullptr);
  ASSERT_EQ(heap.stats().wasm_pages, 128U);
  ASSERT_EQ(record_slots(128 * kSlotsPerPage), 32U);
  EXPECT_EQ(layout(heap, memory.base()),
            "metadata 0+1, large 1+4020, free 4021+11, metadata 4032+64");
  // p_k = 1 (11 + 64 + 32 - M(4128) = 11 + 64 + 32 - 65 = 42 >= 20), p_min = ceil(32 / 32) = 1.
  void* second = heap.allocate(20 * kSlot);
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(heap.stats().wasm_pages, 129U);
  EXPECT_EQ(layout(heap, memory.base()),
            "metadata 0+1, large 1+4020, large 4021+20, free 4041+22, metadata 4063+65");
  ASSERT_TRUE(heap_is_valid(heap));
}

// When memory refuses the generous p_min pages, the heap asks once more for p_k.
TEST_F(BigHeapTest, ARefusedGenerousGrowthIsRetriedAtTheFewestPages) {
  void* first = heap.allocate(4084 * kSlot);  // 130 pages, as above
  ASSERT_NE(first, nullptr);
  ASSERT_EQ(heap.stats().wasm_pages, 130U);
  memory.refuse_next_grows(1);
  // Two pages refused, then p_k = 1: 10 + 65 + 32 - M(4192) = 42 free slots, table at 4127.
  void* second = heap.allocate(20 * kSlot);
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(memory.refused_count(), 1U);
  EXPECT_EQ(heap.stats().wasm_pages, 131U);
  EXPECT_EQ(slot_of(second), 4085U);
  EXPECT_EQ(layout(heap, memory.base()),
            "metadata 0+1, large 1+4084, large 4085+20, free 4105+22, metadata 4127+65");
  ASSERT_TRUE(heap_is_valid(heap));
  // Refusing p_k too fails the request and changes nothing (30 slots: p_k = 1, as
  // 22 + 65 + 32 - M(4224) = 54, and p_min = ceil(L(4192) / 32) = 2).
  std::string before = layout(heap, memory.base());
  memory.refuse_next_grows(2);
  EXPECT_EQ(heap.allocate(30 * kSlot), nullptr);
  EXPECT_EQ(memory.refused_count(), 3U);
  EXPECT_EQ(heap.stats().wasm_pages, 131U);
  EXPECT_EQ(layout(heap, memory.base()), before);
  ASSERT_TRUE(heap_is_valid(heap));
}

// A maximum one page away: p_min = 2 pages exceed it, p_k = 1 fits, so the growth still happens;
// at the maximum, the request fails and nothing changes.
TEST(HeapGrowthTest, AMaximumTooCloseForPMinStillGivesTheFewestPages) {
  SimulatedMemory memory(131 * kPage);
  Heap heap(memory);
  void* first = heap.allocate(4084 * kSlot);  // 130 pages, as above
  ASSERT_NE(first, nullptr);
  ASSERT_EQ(heap.stats().wasm_pages, 130U);
  void* second = heap.allocate(20 * kSlot);
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(heap.stats().wasm_pages, 131U);
  EXPECT_EQ(memory.pages(), memory.max_pages());
  EXPECT_EQ(slot_index(memory.base(), second), 4085U);
  EXPECT_EQ(layout(heap, memory.base()),
            "metadata 0+1, large 1+4084, large 4085+20, free 4105+22, metadata 4127+65");
  ASSERT_TRUE(heap_is_valid(heap));
  std::string before = layout(heap, memory.base());
  EXPECT_EQ(heap.allocate(23 * kSlot), nullptr);
  EXPECT_EQ(layout(heap, memory.base()), before);
  EXPECT_NE(heap.allocate(22 * kSlot), nullptr);  // the top free span, exactly
  EXPECT_TRUE(heap_is_valid(heap));
}

// --- reuse ---------------------------------------------------------------------------------------

TEST_F(HeapTest, AFreedSmallBlockIsReusedAtTheSameAddress) {
  void* block = heap.allocate(100);
  ASSERT_NE(block, nullptr);
  heap.deallocate(block);
  EXPECT_EQ(heap.allocate(100), block);
  EXPECT_EQ(heap.stats().wasm_pages, 2U);
  EXPECT_EQ(memory.grow_count(), 1U);
}

TEST_F(HeapTest, AFreedLargeBlockIsReusedAtTheSameAddress) {
  void* block = heap.allocate(40000);
  ASSERT_NE(block, nullptr);
  std::size_t pages = heap.stats().wasm_pages;
  heap.deallocate(block);
  EXPECT_EQ(heap.allocate(40000), block);
  EXPECT_EQ(heap.stats().wasm_pages, pages);
}

// "Which span" (allocator/README.md, "Taking k slots"): of the first two spans of the bin the
// search finds, the one at the lower address, not simply the one freed last.
TEST_F(HeapTest, AFitTakesTheLowerOfTheFirstTwoSpansOfItsBin) {
  constexpr std::size_t kTwentySlots = 20 * 2048;  // an exact bin, and no spare span
  constexpr std::size_t kSeparator = 17 * 2048;    // keeps the freed spans apart
  void* low = heap.allocate(kTwentySlots);
  void* first_separator = heap.allocate(kSeparator);
  void* high = heap.allocate(kTwentySlots);
  void* second_separator = heap.allocate(kSeparator);
  ASSERT_TRUE(low && first_separator && high && second_separator);
  ASSERT_LT(low, high);
  std::size_t pages = heap.stats().wasm_pages;
  heap.deallocate(low);
  heap.deallocate(high);  // freed last: the head of the bin
  EXPECT_EQ(heap.allocate(kTwentySlots), low);
  EXPECT_EQ(heap.allocate(kTwentySlots), high);
  EXPECT_EQ(heap.stats().wasm_pages, pages);
}

// Allocate a mixed set, free it all, allocate the same set again: no new page is needed. What
// the specification promises ("Freeing"): once every block is freed, every slot is free except
// metadata, at most five empty MiniPages per class and at most four spare spans per length; once
// those retire (a request for everything between slot 0 and the table makes them), it is all one
// free span, and the same requests served from it again pack as the first time. (Served straight
// from the freed heap, a mix of medium MiniPages of different k_c and spare spans of 9 to 16 slots
// may pack differently: this set then grows the heap by about 1%, which the specification allows.)
TEST_F(BigHeapTest, FreedMemoryServesTheSameSetAgainWithoutGrowth) {
  Random random{0x5EED1234ABCD0001};
  std::vector<std::size_t> sizes;
  for (int i = 0; i < 1000; ++i) {  // about 10 MiB in all, small, medium and large
    std::size_t pick = random.below(10);
    sizes.push_back(pick < 7 ? random.below(2049) : pick < 9 ? 2049 + random.below(30000)
                                                             : 30000 + random.below(60000));
  }
  std::size_t pages = 0;
  for (int round = 0; round < 3; ++round) {
    std::vector<void*> blocks;
    for (std::size_t size : sizes) {
      void* block = heap.allocate(size);
      ASSERT_NE(block, nullptr) << "round " << round << " size " << size << " #" << blocks.size()
                                << ": " << layout(heap, memory.base());
      blocks.push_back(block);
    }
    if (round == 0) {
      pages = heap.stats().wasm_pages;
    } else {
      EXPECT_EQ(heap.stats().wasm_pages, pages) << "round " << round << " grew the heap";
    }
    EXPECT_EQ(heap.stats().live_blocks, sizes.size());
    ASSERT_TRUE(heap_is_valid(heap));
    // Free in a scrambled order, so coalescing meets every neighbour pattern.
    for (std::size_t i = blocks.size(); i > 1; --i) std::swap(blocks[i - 1], blocks[random.below(i)]);
    for (void* block : blocks) heap.deallocate(block);
    EXPECT_EQ(heap.stats().live_blocks, 0U);
    ASSERT_TRUE(heap_is_valid(heap));
    // Nothing lost: besides free spans, only empty MiniPages (five a class at most) and spare
    // spans (four a length at most) between slot 0 and the table.
    std::vector<std::size_t> pages_per_class(kClassCount, 0);
    std::map<std::size_t, std::size_t> spare_spans_per_length;
    std::vector<SpanView> spans = spans_of(heap);
    for (const SpanView& span : spans) {
      if (span.kind == SpanKind::mini_page) {
        EXPECT_EQ(span.live_segments, 0U);
        EXPECT_LE(++pages_per_class[span.size_class], 5U) << "class " << span.size_class;
      } else if (span.kind == SpanKind::spare) {
        EXPECT_LE(++spare_spans_per_length[span.bytes / kSlot], 4U) << span.bytes / kSlot;
      } else if (span.kind != SpanKind::free) {
        EXPECT_EQ(span.kind, SpanKind::metadata);
      }
    }
    // A request for all of it retires them without growth: one free span again.
    ASSERT_EQ(spans.back().kind, SpanKind::metadata);
    std::size_t between = static_cast<std::size_t>(spans.back().start - memory.base()) / kSlot - 1;
    void* everything = heap.allocate(between * kSlot);
    ASSERT_EQ(everything, memory.base() + kSlot) << layout(heap, memory.base());
    EXPECT_EQ(heap.stats().wasm_pages, pages);
    heap.deallocate(everything);
    ASSERT_EQ(spans_of(heap).size(), 3U) << layout(heap, memory.base());
  }
}

// The same for one medium class at a time ("one size class"), with large blocks between its
// MiniPages: each class's set, freed in a scrambled order, is served again without growth.
TEST_F(BigHeapTest, FreedMediumMiniPagesServeTheSameClassAgainWithoutGrowth) {
  grow_first(4096);  // one free span holds every MiniPage below
  Random random{0x5EED1234ABCD0002};
  for (std::size_t class_bytes : {std::size_t{768}, std::size_t{1152}, std::size_t{1920},
                                  std::size_t{4608}, std::size_t{9216}, std::size_t{16384}}) {
    std::vector<std::size_t> sizes;
    for (int i = 0; i < 120; ++i) {
      sizes.push_back(random.below(4) == 0 ? 16385 + random.below(20000)
                                           : class_bytes - random.below(64));
    }
    std::size_t pages = 0;
    for (int round = 0; round < 3; ++round) {
      std::vector<void*> blocks;
      for (std::size_t size : sizes) {
        void* block = heap.allocate(size);
        ASSERT_NE(block, nullptr) << class_bytes << " round " << round;
        blocks.push_back(block);
      }
      if (round == 0) {
        pages = heap.stats().wasm_pages;
      } else {
        EXPECT_EQ(heap.stats().wasm_pages, pages) << class_bytes << " round " << round;
      }
      for (std::size_t i = blocks.size(); i > 1; --i) {
        std::swap(blocks[i - 1], blocks[random.below(i)]);
      }
      for (void* block : blocks) heap.deallocate(block);
      ASSERT_TRUE(heap_is_valid(heap));
    }
  }
}

// --- coalescing ----------------------------------------------------------------------------------

// Blocks of 17 slots: large, and longer than any spare span, so each free merges at once. The
// first page pair holds 30 free slots, so b starts a growth (3 pages, free 18..62) and the guard
// another (4 pages: the table at 95, the guard at 52 below where it was).
TEST_F(HeapTest, FreedNeighboursBecomeOneFreeSpan) {
  void* a = heap.allocate(17 * kSlot);
  void* b = heap.allocate(17 * kSlot);
  void* c = heap.allocate(17 * kSlot);
  void* guard = heap.allocate(17 * kSlot);
  ASSERT_TRUE(a && b && c && guard);
  ASSERT_EQ(slot_of(a), 1U);
  ASSERT_EQ(slot_of(b), slot_of(a) + 17);
  ASSERT_EQ(slot_of(c), slot_of(a) + 34);
  ASSERT_EQ(slot_of(guard), slot_of(a) + 51);
  ASSERT_EQ(layout(heap, memory.base()),
            "metadata 0+1, large 1+17, large 18+17, large 35+17, large 52+17, free 69+26, "
            "metadata 95+33");
  heap.deallocate(a);
  heap.deallocate(c);
  heap.deallocate(b);  // between two free spans: all three merge
  std::vector<SpanView> free_spans;
  for (const SpanView& span : spans_of(heap)) {
    if (span.kind == SpanKind::free) free_spans.push_back(span);
  }
  ASSERT_EQ(free_spans.size(), 2U) << layout(heap, memory.base());
  EXPECT_EQ(free_spans[0].start, a);
  EXPECT_EQ(free_spans[0].bytes, 51 * kSlot);
  // The guard's right neighbour is the top free span; freeing it joins everything up to the table.
  heap.deallocate(guard);
  free_spans.clear();
  for (const SpanView& span : spans_of(heap)) {
    if (span.kind == SpanKind::free) free_spans.push_back(span);
  }
  ASSERT_EQ(free_spans.size(), 1U) << layout(heap, memory.base());
  EXPECT_EQ(free_spans[0].start, a);
  EXPECT_EQ(free_spans[0].start + free_spans[0].bytes, table_start(heap));
  EXPECT_EQ(layout(heap, memory.base()), "metadata 0+1, free 1+94, metadata 95+33");
}

// A MiniPage whose class needs several bitmap words is not empty when its first words are: the
// free that zeroes a word must still look at the others.
TEST_F(HeapTest, AMiniPageWithLiveSegmentsInALaterBitmapWordIsNotEmpty) {
  constexpr std::size_t kSize = 8;  // class 8 on both tables: 256 Segments, several words
  std::vector<void*> first_page;
  for (int i = 0; i < 256; ++i) first_page.push_back(heap.allocate(kSize));
  void* on_current = heap.allocate(kSize);  // a second MiniPage becomes current
  ASSERT_NE(slot_of(on_current), slot_of(first_page[0]));
  for (int i = 0; i < 128; ++i) heap.deallocate(first_page[i]);  // whole words, 32- or 64-bit
  bool found = false;
  for (const SpanView& span : spans_of(heap)) {
    if (span.start != first_page[0]) continue;
    found = true;
    EXPECT_EQ(span.kind, SpanKind::mini_page);
    EXPECT_EQ(span.live_segments, 128U);
    EXPECT_FALSE(span.spare);
  }
  EXPECT_TRUE(found) << layout(heap, memory.base());
  EXPECT_EQ(heap.stats().mini_pages, 2U);
  ASSERT_TRUE(heap_is_valid(heap));
  for (int i = 128; i < 256; ++i) heap.deallocate(first_page[i]);
  heap.deallocate(on_current);
}

// --- spare spans ---------------------------------------------------------------------------------

std::vector<SpanView> spans_of_kind(Heap<SimulatedMemory>& heap, SpanKind kind) {
  std::vector<SpanView> found;
  for (const SpanView& span : spans_of(heap)) {
    if (span.kind == kind) found.push_back(span);
  }
  return found;
}

// A freed large block of 9 to 16 slots is kept, unmerged, and the next request of its length
// takes it back before any free span is searched.
TEST_F(HeapTest, AFreedLargeBlockBecomesASpareSpanForItsLength) {
  void* low = heap.allocate(10 * kSlot);    // slots 1..10
  void* guard = heap.allocate(17 * kSlot);  // 11..27: no spare span, and never freed first
  ASSERT_EQ(slot_of(low), 1U);
  std::size_t free_before = heap.stats().free_bytes;
  heap.deallocate(low);
  std::vector<SpanView> spares = spans_of_kind(heap, SpanKind::spare);
  ASSERT_EQ(spares.size(), 1U) << layout(heap, memory.base());
  EXPECT_EQ(spares[0].start, low);
  EXPECT_EQ(spares[0].bytes, 10 * kSlot);
  EXPECT_EQ(heap.stats().free_bytes, free_before + 10 * kSlot);  // a spare span counts as free
  EXPECT_EQ(heap.stats().large_blocks, 1U);
  ASSERT_TRUE(heap_is_valid(heap));
  // Another length does not take it; its own length does (alignment up to 2048 alike).
  void* longer = heap.allocate(11 * kSlot);
  EXPECT_NE(longer, low);
  EXPECT_EQ(heap.allocate(10 * kSlot - 100, 2048), low);
  EXPECT_TRUE(spans_of_kind(heap, SpanKind::spare).empty());
  heap.deallocate(low);
  heap.deallocate(longer);
  heap.deallocate(guard);
}

// The fifth freed block of one length finds its length's four spare spans taken: it is freed as
// a span and merges.
TEST_F(HeapTest, AFifthSpareSpanOfALengthIsFreedInstead) {
  std::vector<void*> blocks;
  std::vector<void*> guards;
  for (unsigned i = 0; i < detail::kSpareSpansPerLength + 1; ++i) {
    blocks.push_back(heap.allocate(9 * kSlot));
    guards.push_back(heap.allocate(17 * kSlot));
    ASSERT_TRUE(blocks.back() && guards.back());
  }
  for (void* block : blocks) heap.deallocate(block);
  std::vector<SpanView> spares = spans_of_kind(heap, SpanKind::spare);
  ASSERT_EQ(spares.size(), detail::kSpareSpansPerLength) << layout(heap, memory.base());
  for (unsigned i = 0; i < detail::kSpareSpansPerLength; ++i) EXPECT_EQ(spares[i].start, blocks[i]);
  bool last_free = false;
  for (const SpanView& span : spans_of(heap)) {
    if (span.start == blocks.back()) last_free = span.kind == SpanKind::free;
  }
  EXPECT_TRUE(last_free) << layout(heap, memory.base());
  // Kept last, taken first.
  EXPECT_EQ(heap.allocate(9 * kSlot), blocks[detail::kSpareSpansPerLength - 1]);
  ASSERT_TRUE(heap_is_valid(heap));
  heap.deallocate(blocks[detail::kSpareSpansPerLength - 1]);
  for (void* guard : guards) heap.deallocate(guard);
}

// Lengths outside 9..16 slots, and blocks aligned beyond 2048, never use spare spans. Below 9
// slots only an alignment above 2048 makes a block large (up to 16384 bytes a request is small).
TEST_F(HeapTest, SpareSpansAreOnlyForNineToSixteenSlots) {
  void* one = heap.allocate(10, 4096);            // one slot
  void* eight = heap.allocate(8 * kSlot, 4096);   // eight slots
  void* seventeen = heap.allocate(17 * kSlot);
  void* guard = heap.allocate(17 * kSlot);
  ASSERT_TRUE(one && eight && seventeen && guard);
  ASSERT_EQ(heap.usable_size(eight), 8 * kSlot);
  heap.deallocate(one);
  heap.deallocate(eight);
  heap.deallocate(seventeen);
  EXPECT_TRUE(spans_of_kind(heap, SpanKind::spare).empty()) << layout(heap, memory.base());
  void* nine = heap.allocate(9 * kSlot);
  void* sixteen = heap.allocate(16 * kSlot);
  ASSERT_TRUE(nine && sixteen);
  heap.deallocate(nine);
  heap.deallocate(sixteen);
  std::vector<SpanView> spares = spans_of_kind(heap, SpanKind::spare);
  ASSERT_EQ(spares.size(), 2U) << layout(heap, memory.base());
  EXPECT_EQ(spares[0].bytes + spares[1].bytes, 25 * kSlot);
  void* aligned = heap.allocate(9 * kSlot, 8192);  // must not take the spare span
  ASSERT_NE(aligned, nullptr);
  EXPECT_NE(aligned, nine);
  EXPECT_EQ(spans_of_kind(heap, SpanKind::spare).size(), 2U);
  heap.deallocate(aligned);
  heap.deallocate(guard);
}

// When no free span fits, spare spans retire (and merge) before memory grows.
TEST_F(HeapTest, SpareSpansAreRetiredBeforeGrowth) {
  void* a = heap.allocate(10 * kSlot);  // slots 1..10
  void* b = heap.allocate(10 * kSlot);  // slots 11..20
  ASSERT_EQ(slot_of(a), 1U);
  ASSERT_EQ(slot_of(b), 11U);
  heap.deallocate(a);
  heap.deallocate(b);
  ASSERT_EQ(spans_of_kind(heap, SpanKind::spare).size(), 2U);
  void* whole = heap.allocate(29 * kSlot);  // slots 1..29: both spare spans must retire
  ASSERT_NE(whole, nullptr);
  EXPECT_EQ(slot_of(whole), 1U) << layout(heap, memory.base());
  EXPECT_EQ(heap.stats().wasm_pages, 2U);
  EXPECT_TRUE(spans_of_kind(heap, SpanKind::spare).empty());
  ASSERT_TRUE(heap_is_valid(heap));
  heap.deallocate(whole);
}

// trim() gives back at once what growth would retire first: spare MiniPages, an empty current
// MiniPage and spare spans go back to the free spans, while a MiniPage with a live Segment
// stays, and memory does not grow. With nothing kept, it says so.
TEST_F(HeapTest, TrimGivesKeptMemoryBackToTheFreeSpans) {
  constexpr std::size_t kSize = 512;  // 4 Segments in a one-slot MiniPage on both tables
  const std::size_t size_class = class_index(kSize);
  std::vector<void*> spare_page, full_page;
  for (int i = 0; i < 4; ++i) spare_page.push_back(heap.allocate(kSize));
  for (int i = 0; i < 4; ++i) full_page.push_back(heap.allocate(kSize));
  void* live = heap.allocate(kSize);        // on a third MiniPage, now current
  void* spare_span = heap.allocate(10 * kSlot);
  void* guard = heap.allocate(17 * kSlot);  // keeps the spare span from the top free span
  ASSERT_TRUE(live && spare_span && guard);
  for (void* block : spare_page) heap.deallocate(block);
  heap.deallocate(spare_span);
  ASSERT_EQ(heap.core().spare_count(size_class), 1U);
  ASSERT_EQ(spans_of_kind(heap, SpanKind::spare).size(), 1U);
  const HeapStats before = heap.stats();

  EXPECT_TRUE(heap.trim());
  const HeapStats after = heap.stats();
  EXPECT_EQ(heap.core().spare_count(size_class), 0U);
  EXPECT_TRUE(spans_of_kind(heap, SpanKind::spare).empty()) << layout(heap, memory.base());
  EXPECT_EQ(after.mini_pages, before.mini_pages - 1);
  // The spare MiniPage's slot joins the free spans (a spare span already counted as free).
  EXPECT_EQ(after.free_bytes, before.free_bytes + kSlot);
  EXPECT_EQ(after.wasm_pages, before.wasm_pages);
  EXPECT_EQ(heap.core().current_mini_page(size_class), static_cast<std::byte*>(live));
  ASSERT_TRUE(heap_is_valid(heap));
  EXPECT_FALSE(heap.trim());

  // An empty current MiniPage goes too.
  heap.deallocate(live);
  ASSERT_NE(heap.core().current_mini_page(size_class), nullptr);
  EXPECT_TRUE(heap.trim());
  EXPECT_EQ(heap.core().current_mini_page(size_class), nullptr);
  EXPECT_EQ(heap.stats().mini_pages, before.mini_pages - 2);
  for (void* block : full_page) heap.deallocate(block);
  heap.deallocate(guard);
}

// An emptied MiniPage that is not current becomes one of its class's spares while the class has
// fewer than kSparesPerClass; otherwise it goes back to the free spans.
TEST_F(HeapTest, AnEmptiedMiniPageBecomesASpareOrGoesBackToTheFreeSpans) {
  using detail::kSparesPerClass;
  constexpr std::size_t kSize = 512;  // 4 Segments per MiniPage on both tables
  std::size_t size_class = 0;
  while (kClassSizes[size_class] != kSize) ++size_class;
  std::vector<std::vector<void*>> pages(kSparesPerClass + 1);
  for (auto& page : pages) {
    for (int i = 0; i < 4; ++i) page.push_back(heap.allocate(kSize));
  }
  void* on_current = heap.allocate(kSize);
  ASSERT_NE(on_current, nullptr);
  ASSERT_EQ(heap.stats().mini_pages, kSparesPerClass + 2);

  for (unsigned p = 0; p < kSparesPerClass; ++p) {
    for (void* block : pages[p]) heap.deallocate(block);
    EXPECT_EQ(heap.core().spare_count(size_class), p + 1);
    EXPECT_EQ(heap.core().spare_mini_page(size_class), pages[p][0]);
  }
  EXPECT_EQ(heap.stats().mini_pages, kSparesPerClass + 2);
  const auto* last_start = static_cast<const std::byte*>(pages[kSparesPerClass][0]);
  for (void* block : pages[kSparesPerClass]) heap.deallocate(block);
  EXPECT_EQ(heap.stats().mini_pages, kSparesPerClass + 1);
  EXPECT_EQ(heap.core().spare_count(size_class), kSparesPerClass);
  bool found = false;
  unsigned spares_walked = 0;
  for (const SpanView& span : spans_of(heap)) {
    if (span.spare) {
      ++spares_walked;
      EXPECT_EQ(span.live_segments, 0U);
    }
    if (span.start == last_start) {
      found = true;
      EXPECT_EQ(span.kind, SpanKind::free);
    }
  }
  EXPECT_TRUE(found) << layout(heap, memory.base());
  EXPECT_EQ(spares_walked, kSparesPerClass);
  ASSERT_TRUE(heap_is_valid(heap));

  // The current MiniPage stays even when empty.
  heap.deallocate(on_current);
  EXPECT_NE(heap.core().current_mini_page(size_class), nullptr);

  // Once the current one is full again, the last spare serves the class, from Segment 0.
  std::vector<void*> again;
  for (int i = 0; i < 5; ++i) again.push_back(heap.allocate(kSize));
  EXPECT_EQ(again[4], pages[kSparesPerClass - 1][0]);
  EXPECT_EQ(heap.core().current_mini_page(size_class), again[4]);
  EXPECT_EQ(heap.core().spare_count(size_class), kSparesPerClass - 1);
  for (void* block : again) heap.deallocate(block);
  ASSERT_TRUE(heap_is_valid(heap));
}

// Partial MiniPages are served in the order they became partial: the oldest one has had the most
// time to gather free Segments.
TEST_F(HeapTest, TheOldestPartialMiniPageBecomesCurrentFirst) {
  constexpr std::size_t kSize = 512;  // 4 Segments per MiniPage
  std::vector<void*> blocks;
  for (int i = 0; i < 16; ++i) blocks.push_back(heap.allocate(kSize));  // 4 full MiniPages
  void* on_fifth = heap.allocate(kSize);  // the fifth is current
  ASSERT_NE(on_fifth, nullptr);
  // Free one Segment in the third, then the first, then the second MiniPage.
  heap.deallocate(blocks[9]);
  heap.deallocate(blocks[1]);
  heap.deallocate(blocks[5]);
  for (int i = 0; i < 3; ++i) ASSERT_NE(heap.allocate(kSize), nullptr);  // fill the fifth
  EXPECT_EQ(heap.allocate(kSize), blocks[9]);
  EXPECT_EQ(heap.allocate(kSize), blocks[1]);
  EXPECT_EQ(heap.allocate(kSize), blocks[5]);
  ASSERT_TRUE(heap_is_valid(heap));
}

// A free into a full MiniPage while the current one is full too makes it current at once, so the
// next allocation takes that Segment without a refill; the old current MiniPage, full, is on no
// list until one of its Segments is freed.
TEST_F(HeapTest, AFullMiniPageWithAFreedSegmentReplacesAFullCurrentOne) {
  constexpr std::size_t kSize = 512;  // 4 Segments per MiniPage
  const auto kClass = static_cast<std::size_t>(
      std::find(kClassSizes.begin(), kClassSizes.end(), kSize) - kClassSizes.begin());
  std::vector<void*> blocks;
  for (int i = 0; i < 8; ++i) blocks.push_back(heap.allocate(kSize));  // 2 full MiniPages
  const std::byte* full_current = heap.core().current_mini_page(kClass);
  ASSERT_EQ(full_current, static_cast<std::byte*>(blocks[4]));
  heap.deallocate(blocks[2]);  // the current one is full: the first MiniPage replaces it
  EXPECT_EQ(heap.core().current_mini_page(kClass), static_cast<std::byte*>(blocks[0]));
  heap.deallocate(blocks[5]);  // the current one has a free Segment: the second becomes partial
  EXPECT_EQ(heap.core().current_mini_page(kClass), static_cast<std::byte*>(blocks[0]));
  EXPECT_EQ(heap.allocate(kSize), blocks[2]);  // taken, no refill
  EXPECT_EQ(heap.allocate(kSize), blocks[5]);  // then the partial one
  EXPECT_EQ(heap.core().current_mini_page(kClass), full_current);
  EXPECT_EQ(heap.stats().mini_pages, 2U);
  ASSERT_TRUE(heap_is_valid(heap));
}

// When no free span fits, spares retire before memory grows, like empty current MiniPages.
TEST_F(HeapTest, SparesAreRetiredBeforeGrowth) {
  void* small = heap.allocate(8);       // class 8's MiniPage at slot 1
  void* first = heap.allocate(kSlot);   // class 2048: one Segment per MiniPage, slot 2
  void* second = heap.allocate(kSlot);  // slot 3, now the current one
  const std::size_t class_2048 = class_index(2048);
  ASSERT_EQ(slot_of(small), 1U);
  ASSERT_EQ(slot_of(first), 2U);
  ASSERT_EQ(slot_of(second), 3U);
  heap.deallocate(first);   // slot 2 becomes the spare
  heap.deallocate(second);  // slot 3 stays current, empty
  ASSERT_EQ(heap.core().spare_mini_page(class_2048), first);
  void* block = heap.allocate(26 * kSlot);  // slots 4..29: no need to retire
  ASSERT_EQ(slot_of(block), 4U);
  EXPECT_EQ(heap.core().spare_mini_page(class_2048), first);
  heap.deallocate(block);
  void* whole = heap.allocate(28 * kSlot);  // slots 2..29: both must retire, and nothing grows
  ASSERT_NE(whole, nullptr);
  EXPECT_EQ(slot_of(whole), 2U) << layout(heap, memory.base());
  EXPECT_EQ(heap.stats().wasm_pages, 2U);
  EXPECT_EQ(heap.core().spare_mini_page(class_2048), nullptr);
  EXPECT_EQ(heap.core().current_mini_page(class_2048), nullptr);
  ASSERT_TRUE(heap_is_valid(heap));
  heap.deallocate(whole);
  heap.deallocate(small);
}

// With no current MiniPage (the empty one retired before growth), a free into a full MiniPage
// makes it current, and the next allocation takes that Segment.
TEST_F(HeapTest, AFullMiniPageWithAFreedSegmentBecomesCurrentWhenThereIsNone) {
  const std::size_t class_1024 = class_index(1024);
  ASSERT_EQ(kClassSizes[class_1024], 1024U);
  void* a = heap.allocate(1024);  // slot 1
  void* b = heap.allocate(1024);  // slot 1, now full
  void* c = heap.allocate(1024);  // slot 2, current
  ASSERT_EQ(slot_of(a), 1U);
  ASSERT_EQ(slot_of(c), 2U);
  heap.deallocate(c);  // slot 2 stays current, empty
  void* large = heap.allocate(28 * kSlot);  // slots 2..29: the empty current one must retire
  ASSERT_EQ(slot_of(large), 2U);
  ASSERT_EQ(heap.stats().wasm_pages, 2U);
  ASSERT_EQ(heap.core().current_mini_page(class_1024), nullptr);
  heap.deallocate(a);  // slot 1 was full, and the class has no current MiniPage
  EXPECT_EQ(heap.core().current_mini_page(class_1024), static_cast<std::byte*>(a));
  ASSERT_TRUE(heap_is_valid(heap));
  EXPECT_EQ(heap.allocate(1000), a);
  EXPECT_EQ(heap.stats().mini_pages, 1U);
  heap.deallocate(a);
  heap.deallocate(b);
  heap.deallocate(large);
}

// When no free span fits, empty current MiniPages are retired before memory grows.
TEST_F(HeapTest, EmptyCurrentMiniPagesAreRetiredBeforeGrowth) {
  void* small = heap.allocate(8);  // MiniPage at slot 1, 28 free slots after it
  ASSERT_EQ(slot_of(small), 1U);
  heap.deallocate(small);  // still current, empty
  ASSERT_NE(heap.core().current_mini_page(0), nullptr);
  void* block = heap.allocate(29 * kSlot);  // needs slot 1 too
  ASSERT_NE(block, nullptr);
  EXPECT_EQ(slot_of(block), 1U);
  EXPECT_EQ(heap.stats().wasm_pages, 2U);
  EXPECT_EQ(heap.core().current_mini_page(0), nullptr);
  EXPECT_EQ(heap.stats().mini_pages, 0U);
}

// --- small blocks: order, partial MiniPages ------------------------------------------------------

TEST_F(HeapTest, AFreshMiniPageHandsOutSegmentsInAddressOrder) {
  grow_first(1200);  // one free span holds every MiniPage below, in address order
  for (std::size_t class_bytes : kClassSizes) {
    std::size_t segments = segments_of(class_bytes);
    auto* first = static_cast<std::byte*>(heap.allocate(class_bytes));
    ASSERT_NE(first, nullptr);
    EXPECT_EQ(static_cast<std::size_t>(first - memory.base()) % kSlot, 0U) << class_bytes;
    for (std::size_t i = 1; i < segments; ++i) {
      ASSERT_EQ(heap.allocate(class_bytes), first + i * class_bytes) << class_bytes << " #" << i;
    }
  }
}

TEST_F(HeapTest, AFullMiniPageWithAFreedSegmentServesItWhenTheCurrentOneFills) {
  constexpr std::size_t kSize = 1024;  // 2 Segments per MiniPage
  void* a = heap.allocate(kSize);
  void* b = heap.allocate(kSize);  // first MiniPage full
  void* c = heap.allocate(kSize);  // second MiniPage, now current
  ASSERT_TRUE(a && b && c);
  heap.deallocate(a);  // the first MiniPage becomes partial
  void* d = heap.allocate(kSize);  // fills the current one
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(slot_of(d), slot_of(c));
  EXPECT_EQ(heap.allocate(kSize), a);  // the partial MiniPage's only free Segment
  EXPECT_EQ(heap.stats().mini_pages, 2U);
}

// --- medium classes: MiniPages of k_c slots ------------------------------------------------------

// A heap whose error handler records instead of failing the test, for pointers that must be
// rejected.
class MediumMiniPageTest : public HeapTest {
 protected:
  MediumMiniPageTest() { heap.set_error_handler(&record_report, &reported); }

  // `call` reports `error` about `pointer`, once, and nothing else.
  template <class Call>
  ::testing::AssertionResult rejects(Call call, HeapError error, const void* pointer) {
    reported.clear();
    call();
    std::vector<Reported> seen;
    seen.swap(reported);
    if (seen.size() != 1) {
      return ::testing::AssertionFailure() << seen.size() << " reports, expected one "
                                           << to_string(error) << " at " << pointer;
    }
    if (seen[0].error != error || seen[0].pointer != pointer) {
      return ::testing::AssertionFailure() << "reported " << to_string(seen[0].error) << " at "
                                           << seen[0].pointer << ", expected " << to_string(error)
                                           << " at " << pointer;
    }
    return ::testing::AssertionSuccess();
  }

  // deallocate, usable_size and reallocate all reject `pointer` with `error`.
  ::testing::AssertionResult every_call_rejects(void* pointer, HeapError error) {
    ::testing::AssertionResult result = rejects([&] { heap.deallocate(pointer); }, error, pointer);
    if (!result) return result << " (deallocate)";
    std::size_t usable = 99;
    result = rejects([&] { usable = heap.usable_size(pointer); }, error, pointer);
    if (!result) return result << " (usable_size)";
    if (usable != 0) return ::testing::AssertionFailure() << "usable_size gave " << usable;
    void* moved = pointer;
    result = rejects([&] { moved = heap.reallocate(pointer, 100); }, error, pointer);
    if (!result) return result << " (reallocate)";
    if (moved != nullptr) return ::testing::AssertionFailure() << "reallocate gave " << moved;
    return ::testing::AssertionSuccess();
  }

  // The span walk() reports at `start`, if one starts there.
  std::optional<SpanView> span_at(const void* start) const {
    for (const SpanView& span : spans_of(heap)) {
      if (span.start == start) return span;
    }
    return std::nullopt;
  }

  std::vector<Reported> reported;
};

// Every class's MiniPage from 768 bytes up spans k_c slots and holds floor(2048 k_c / s)
// Segments, leaving at most 5% unused; walk() reports it whole, from the first Segment's slot.
TEST_F(MediumMiniPageTest, AMediumMiniPageSpansItsClassesSlots) {
  grow_first(1200);  // one free span holds all their MiniPages
  std::vector<void*> blocks;
  for (std::size_t c = 0; c < kClassCount; ++c) {
    std::size_t class_bytes = kClassSizes[c];
    if (class_bytes < 768) continue;
    void* block = heap.allocate(class_bytes);
    ASSERT_NE(block, nullptr) << class_bytes;
    blocks.push_back(block);
    std::optional<SpanView> span = span_at(block);  // a fresh MiniPage: Segment 0 at its start
    ASSERT_TRUE(span.has_value()) << class_bytes << ": " << layout(heap, memory.base());
    EXPECT_EQ(span->kind, SpanKind::mini_page);
    EXPECT_EQ(span->size_class, c);
    EXPECT_EQ(span->bytes, mini_page_slots_of(class_bytes) * kSlot) << class_bytes;
    EXPECT_EQ(span->segments, segments_of(class_bytes)) << class_bytes;
    EXPECT_LE(span->segments * class_bytes, span->bytes) << class_bytes;
    EXPECT_LE((span->bytes - span->segments * class_bytes) * 20, span->bytes) << class_bytes;
    EXPECT_EQ(span->live_segments, 1U);
    EXPECT_TRUE(span->current);
  }
  EXPECT_EQ(blocks.size(), 69U);  // 768 .. 1024 by 64, then 16 per doubling up to 16384
  // The ones the specification names.
  for (auto [class_bytes, slots] : {std::pair<std::size_t, std::size_t>{768, 3}, {1024, 1},
                                    {1088, 8}, {2048, 1}, {4096, 2}, {9728, 5}, {16384, 8}}) {
    std::optional<SpanView> span = span_at(heap.core().current_mini_page(class_index(class_bytes)));
    ASSERT_TRUE(span.has_value()) << class_bytes;
    EXPECT_EQ(span->bytes, slots * kSlot) << class_bytes;
  }
  for (void* block : blocks) heap.deallocate(block);
  EXPECT_TRUE(reported.empty());
}

// A Segment that starts in its MiniPage's second or a later slot is a block like any other: it
// is handed out, has its class's usable size, and frees (sized or not); a pointer into its middle,
// or to a slot boundary inside a Segment, is no block. (The bytes past a MiniPage's last Segment,
// where a MiniPage leaves some unused, are rejected the same way.)
TEST_F(MediumMiniPageTest, SegmentsInLaterSlotsAreBlocksAndTheirInsidesAreNot) {
  grow_first(1200);  // one free span holds both MiniPages
  constexpr std::size_t kSize = 1152;  // 9 slots, 16 Segments
  std::vector<void*> blocks;
  for (std::size_t i = 0; i < 16; ++i) blocks.push_back(heap.allocate(kSize));
  auto* page = static_cast<std::byte*>(blocks[0]);
  std::optional<SpanView> span = span_at(page);
  ASSERT_TRUE(span.has_value());
  ASSERT_EQ(span->bytes, 9 * kSlot);
  for (std::size_t i = 0; i < 16; ++i) {
    ASSERT_EQ(blocks[i], page + i * kSize) << "Segment " << i;
    EXPECT_EQ(slot_of(blocks[i]) - slot_of(page), i * kSize / kSlot) << "Segment " << i;
    EXPECT_EQ(heap.usable_size(blocks[i]), kSize) << "Segment " << i;
    EXPECT_TRUE(aligned(blocks[i], natural_alignment_of(kSize)));
    fill(blocks[i], kSize, i);
  }
  EXPECT_EQ(slot_of(blocks[15]) - slot_of(page), 8U);  // in the MiniPage's last slot
  ASSERT_TRUE(reported.empty());

  // Inside Segments: the second slot's first byte (inside Segment 1), the middle of Segments in
  // later slots, the MiniPage's last byte; and the 64 bytes a one-slot MiniPage of class 1984
  // leaves after its only Segment.
  void* small = heap.allocate(1984);
  ASSERT_NE(small, nullptr);
  std::vector<std::byte*> insides = {page + kSlot, page + 2 * kSize + 8, page + 7 * kSize + 1100,
                                     page + 4 * kSlot, page + 9 * kSlot - 1,
                                     static_cast<std::byte*>(small) + 1984};
  HeapStats before = heap.stats();
  for (std::byte* inside : insides) {
    EXPECT_TRUE(every_call_rejects(inside, HeapError::invalid_pointer))
        << "offset " << inside - page;
  }
  HeapStats after = heap.stats();
  EXPECT_EQ(after.live_blocks, before.live_blocks);
  EXPECT_EQ(after.bytes_in_use, before.bytes_in_use);
  for (std::size_t i = 0; i < 16; ++i) {
    EXPECT_EQ(first_mismatch(blocks[i], kSize, i), kSize) << "Segment " << i;
  }
  ASSERT_TRUE(heap_is_valid(heap));

  // They free, each from its own slot: plain, sized, and a second time is a double free.
  heap.deallocate(blocks[2]);
  heap.deallocate(blocks[9], kSize, 128);
  heap.deallocate(blocks[15], 1000, 8);
  EXPECT_TRUE(reported.empty());
  EXPECT_EQ(heap.stats().live_blocks, before.live_blocks - 3);
  EXPECT_TRUE(rejects([&] { heap.deallocate(blocks[9]); }, HeapError::double_free, blocks[9]));
  EXPECT_TRUE(rejects([&] { heap.deallocate(blocks[15], kSize, 1); }, HeapError::double_free,
                      blocks[15]));
  ASSERT_TRUE(heap_is_valid(heap));
  // Freed Segments are handed out again (the current MiniPage's lowest clear bits).
  std::vector<void*> again = {heap.allocate(kSize), heap.allocate(kSize), heap.allocate(kSize)};
  std::sort(again.begin(), again.end(), std::less<>());
  EXPECT_EQ(again, (std::vector<void*>{blocks[2], blocks[9], blocks[15]}));
  for (std::size_t i = 0; i < 16; ++i) heap.deallocate(blocks[i]);
  heap.deallocate(small);
  EXPECT_TRUE(reported.empty());
}

// A medium MiniPage that empties while not current, with its class's four spares kept, frees all
// its k_c slots as one span, which merges with the free spans on both sides; a large block then
// takes the merged run. Pointers into what was the MiniPage are no blocks afterwards: every call
// rejects them as invalid, and nothing changes.
TEST_F(MediumMiniPageTest, AReleasedMediumMiniPageFreesAllItsSlotsAsOneSpan) {
  // A heap of 4 pages whose free span 1+94 holds every block below (slot 0, 94 free slots and a
  // table of 32 + 0 + 1 = 33 slots): its MiniPages need no growth.
  grow_first(93);
  ASSERT_EQ(layout(heap, memory.base()), "metadata 0+1, free 1+94, metadata 95+33");
  constexpr std::size_t kSize = 9216;  // 9 slots, 2 Segments
  const std::size_t size_class = class_index(kSize);
  void* left = heap.allocate(17 * kSlot);  // large, no spare span when freed
  void* t0 = heap.allocate(kSize);         // the MiniPage T, full
  void* t1 = heap.allocate(kSize);
  void* right = heap.allocate(17 * kSlot);
  ASSERT_TRUE(left && t0 && t1 && right);
  ASSERT_EQ(slot_of(left), 1U);
  ASSERT_EQ(slot_of(t0), 18U);
  ASSERT_EQ(slot_of(t1), 22U);  // 9216 bytes in: T's fifth slot
  ASSERT_EQ(slot_of(right), 27U);
  // Four more MiniPages of the class, full, then a current one with a free Segment.
  std::vector<void*> others;
  for (int i = 0; i < 8; ++i) others.push_back(heap.allocate(kSize));
  void* on_current = heap.allocate(kSize);
  ASSERT_NE(on_current, nullptr);
  ASSERT_EQ(layout(heap, memory.base()),
            "metadata 0+1, large 1+17, mini_page 18+9, large 27+17, mini_page 44+9, "
            "mini_page 53+9, mini_page 62+9, mini_page 71+9, mini_page 80+9, free 89+5, "
            "metadata 94+34");
  for (void* block : others) heap.deallocate(block);  // the four become spares
  ASSERT_EQ(heap.core().spare_count(size_class), 4U);
  heap.deallocate(left);
  heap.deallocate(right);
  heap.deallocate(t0);  // T was full: it joins the partial list
  ASSERT_EQ(heap.stats().mini_pages_per_class[size_class], 6U);
  heap.deallocate(t1);  // empty, not current, four spares: its 9 slots merge with both neighbours
  EXPECT_TRUE(reported.empty());
  EXPECT_EQ(heap.stats().mini_pages_per_class[size_class], 5U);
  EXPECT_EQ(heap.core().spare_count(size_class), 4U);
  EXPECT_EQ(layout(heap, memory.base()),
            "metadata 0+1, free 1+43, mini_page 44+9, mini_page 53+9, mini_page 62+9, "
            "mini_page 71+9, mini_page 80+9, free 89+5, metadata 94+34");
  ASSERT_TRUE(heap_is_valid(heap));

  // Stale pointers into the free span T's slots joined: its interior, so invalid.
  auto* t_start = static_cast<std::byte*>(t0);
  std::vector<void*> stale = {t0, t1, t_start + kSlot, t_start + 8 * kSlot};
  for (void* pointer : stale) {
    EXPECT_TRUE(every_call_rejects(pointer, HeapError::invalid_pointer))
        << "slot " << slot_of(pointer);
  }
  ASSERT_TRUE(heap_is_valid(heap));

  // The only free span of 43 slots is that run: a large block takes all of it.
  void* large = heap.allocate(43 * kSlot);
  ASSERT_EQ(large, left) << layout(heap, memory.base());
  EXPECT_EQ(heap.stats().wasm_pages, 4U);
  EXPECT_EQ(layout(heap, memory.base()),
            "metadata 0+1, large 1+43, mini_page 44+9, mini_page 53+9, mini_page 62+9, "
            "mini_page 71+9, mini_page 80+9, free 89+5, metadata 94+34");
  fill(large, 43 * kSlot, 21);
  std::string before = layout(heap, memory.base());
  HeapStats stats_before = heap.stats();
  // The same stale pointers now fall inside the large block: rejected, and it is untouched.
  for (void* pointer : stale) {
    EXPECT_TRUE(every_call_rejects(pointer, HeapError::invalid_pointer))
        << "slot " << slot_of(pointer);
  }
  EXPECT_EQ(first_mismatch(large, 43 * kSlot, 21), 43 * kSlot);
  EXPECT_EQ(layout(heap, memory.base()), before);
  EXPECT_EQ(heap.stats().live_blocks, stats_before.live_blocks);
  EXPECT_EQ(heap.usable_size(large), 43 * kSlot);
  ASSERT_TRUE(heap_is_valid(heap));
  heap.deallocate(large);
  heap.deallocate(on_current);
  EXPECT_TRUE(reported.empty());
}

// --- medium requests and growth ------------------------------------------------------------------
// README, "Small blocks": a MiniPage of k_c > 1 slots may grow the heap; when memory cannot grow,
// the request of n bytes is a large block of ceil(n / 2048) slots instead.

// A fresh heap grows for a MiniPage of several slots as for any other: 1900 bytes (class 1920,
// 15 slots) make their MiniPage by the first growth, and the next 1900 are its Segment 1.
TEST_F(MediumMiniPageTest, AFreshHeapGrowsForAMediumMiniPage) {
  void* first = heap.allocate(1900);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(memory.grow_count(), 1U);
  EXPECT_EQ(heap.usable_size(first), 1920U);
  std::optional<SpanView> span = span_at(first);
  ASSERT_TRUE(span.has_value()) << layout(heap, memory.base());
  EXPECT_EQ(span->kind, SpanKind::mini_page);
  EXPECT_EQ(span->bytes, 15 * kSlot);
  EXPECT_EQ(span->size_class, class_index(1920));
  EXPECT_EQ(heap.stats().large_blocks, 0U);
  void* second = heap.allocate(1900);
  EXPECT_EQ(static_cast<std::byte*>(second), static_cast<std::byte*>(first) + 1920);
  EXPECT_EQ(memory.grow_count(), 1U);
  heap.deallocate(first);
  heap.deallocate(second);
  EXPECT_TRUE(reported.empty());
}

// The same request when that growth is refused: a large block of one slot, which the heap asks
// memory for once more (granted). A reallocation of it to a size of the class moves it
// ("Reallocation": it is not a small block of that class), onto a Segment, with its contents.
TEST_F(MediumMiniPageTest, ARefusedGrowthServesAMediumRequestAsALargeBlock) {
  memory.refuse_next_grows(1);
  void* first = heap.allocate(1900);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(memory.refused_count(), 1U);
  EXPECT_EQ(memory.grow_count(), 1U);
  EXPECT_EQ(heap.usable_size(first), kSlot);
  std::optional<SpanView> span = span_at(first);
  ASSERT_TRUE(span.has_value()) << layout(heap, memory.base());
  EXPECT_EQ(span->kind, SpanKind::large);
  EXPECT_EQ(span->bytes, kSlot);
  EXPECT_EQ(heap.stats().mini_pages, 0U);
  EXPECT_EQ(heap.stats().large_blocks, 1U);

  fill(first, 1900, 7);
  void* moved = heap.reallocate(first, 1910);  // the top free span now holds its MiniPage
  ASSERT_NE(moved, nullptr);
  EXPECT_NE(moved, first);
  EXPECT_EQ(heap.usable_size(moved), 1920U);
  EXPECT_EQ(first_mismatch(moved, 1900, 7), 1900U);
  EXPECT_EQ(heap.stats().large_blocks, 0U);
  EXPECT_EQ(heap.stats().mini_pages, 1U);
  EXPECT_EQ(memory.grow_count(), 1U);
  heap.deallocate(moved);
  EXPECT_TRUE(reported.empty());
}

// A heap that cannot grow, whose only free span (4 slots) is shorter than k_c = 5 of class 5120:
// 5000 bytes is a large block of 3 slots there. It frees plainly or sized and aligned; freed
// again, its slots are the head of a free span, so "Errors" names it a double free. A
// reallocation to 5100 (the same class) moves it, as a large block, with its contents.
TEST(MediumFallbackTest, AMediumRequestInAShortSpanIsALargeBlockWithoutGrowth) {
  SimulatedMemory memory(2 * kPage);
  Heap<SimulatedMemory> heap(memory);
  std::vector<Reported> reported;
  heap.set_error_handler(&record_report, &reported);
  void* a = heap.allocate(17 * kSlot);  // sizes above 16384 bytes: large
  void* b = heap.allocate(9 * kSlot);
  ASSERT_TRUE(a && b);
  ASSERT_EQ(layout(heap, memory.base()),
            "metadata 0+1, large 1+17, large 18+9, free 27+4, metadata 31+33");
  std::size_t pages = heap.stats().wasm_pages;

  for (int sized = 0; sized < 2; ++sized) {
    void* block = heap.allocate(5000);
    ASSERT_NE(block, nullptr) << layout(heap, memory.base());
    EXPECT_EQ(heap.usable_size(block), 3 * kSlot);
    EXPECT_EQ(heap.stats().wasm_pages, pages);
    EXPECT_EQ(heap.stats().mini_pages, 0U);
    EXPECT_EQ(heap.stats().large_blocks, 3U);
    EXPECT_GE(reinterpret_cast<std::byte*>(block), memory.base() + 27 * kSlot);
    EXPECT_TRUE(heap_is_valid(heap));
    if (sized) {
      heap.deallocate(block, 5000, 16);
    } else {
      heap.deallocate(block);
    }
    EXPECT_TRUE(reported.empty());
    EXPECT_TRUE(heap_is_valid(heap));
    heap.deallocate(block);
    ASSERT_EQ(reported.size(), 1U);
    EXPECT_EQ(reported[0].error, HeapError::double_free) << to_string(reported[0].error);
    EXPECT_EQ(reported[0].pointer, block);
    reported.clear();
    EXPECT_TRUE(heap_is_valid(heap));
  }

  void* block = heap.allocate(5000);
  ASSERT_NE(block, nullptr);
  fill(block, 5000, 3);
  void* moved = heap.reallocate(block, 5100);
  // Only 4 slots are free, 3 of them the block's: no second block of 3 slots fits, and the heap
  // cannot grow, so the move fails and the block is untouched.
  EXPECT_EQ(moved, nullptr);
  EXPECT_EQ(heap.usable_size(block), 3 * kSlot);
  EXPECT_EQ(first_mismatch(block, 5000, 3), 5000U);
  heap.deallocate(b);  // a spare span of 9 slots, retired for the move: it succeeds
  moved = heap.reallocate(block, 5100);
  ASSERT_NE(moved, nullptr);
  EXPECT_NE(moved, block);
  EXPECT_EQ(first_mismatch(moved, 5000, 3), 5000U);
  EXPECT_GE(heap.usable_size(moved), 5100U);
  EXPECT_EQ(heap.stats().wasm_pages, pages);
  heap.deallocate(moved);
  heap.deallocate(a);
  EXPECT_TRUE(reported.empty());
  EXPECT_TRUE(heap_is_valid(heap));
}

// The bitmap record: with the pool full (64 MiniPages), no top free span and memory refusing to
// grow, a medium request (15000 bytes, class 15360, 15 slots) whose only free span is 9 slots
// takes ceil(n / 2048) = 8 of them as a large block. Memory is asked once, for the pool's slot,
// and refuses; the large block then needs no growth.
TEST_F(MediumMiniPageTest, AFullPoolThatCannotGrowServesAMediumRequestAsALargeBlock) {
  std::vector<void*> blocks;
  for (int i = 0; i < 64; ++i) blocks.push_back(heap.allocate(2048));  // 64 one-slot MiniPages
  ASSERT_EQ(heap.stats().mini_pages, 64U);
  void* hole = heap.allocate(9 * kSlot);  // large: above 16384 bytes
  ASSERT_NE(hole, nullptr);
  // A large block takes the whole top free span.
  std::vector<SpanView> spans = spans_of(heap);
  ASSERT_GE(spans.size(), 2U);
  std::size_t top_free = spans[spans.size() - 2].kind == SpanKind::free
                             ? spans[spans.size() - 2].bytes / kSlot : 0;
  ASSERT_GT(top_free, 8U) << layout(heap, memory.base());
  void* filler = heap.allocate(top_free * kSlot);
  ASSERT_NE(filler, nullptr);
  ASSERT_EQ(spans_of(heap).size(), spans.size()) << "no top free span";
  heap.deallocate(hole);  // a spare span of 9 slots: retired when the pool needs a slot
  std::string before = layout(heap, memory.base());
  std::size_t pages = heap.stats().wasm_pages;
  memory.refuse_next_grows(1);
  void* block = heap.allocate(15000);  // class 15360: 15 slots, 8 as a large block
  ASSERT_NE(block, nullptr);
  EXPECT_EQ(memory.refused_count(), 1U);
  EXPECT_EQ(heap.stats().wasm_pages, pages) << before << "\n" << layout(heap, memory.base());
  EXPECT_EQ(block, hole);
  EXPECT_EQ(heap.usable_size(block), 8 * kSlot);
  EXPECT_EQ(heap.stats().mini_pages, 64U);
  spans = spans_of(heap);  // the pool kept its one slot, and there is still no top free span
  EXPECT_EQ(spans.back().bytes, table_slots(heap.stats().wasm_pages * kSlotsPerPage, 1) * kSlot);
  EXPECT_NE(spans[spans.size() - 2].kind, SpanKind::free) << layout(heap, memory.base());
  EXPECT_TRUE(heap_is_valid(heap));
  heap.deallocate(block);
  heap.deallocate(filler);
  for (void* b : blocks) heap.deallocate(b);
  EXPECT_TRUE(reported.empty());
}

// --- reallocation --------------------------------------------------------------------------------

TEST_F(HeapTest, ReallocateNullAllocatesAndZeroFrees) {
  void* block = heap.reallocate(nullptr, 300);
  ASSERT_NE(block, nullptr);
  EXPECT_EQ(heap.usable_size(block), expected_usable(300));
  EXPECT_EQ(heap.stats().live_blocks, 1U);
  EXPECT_EQ(heap.reallocate(block, 0), nullptr);
  EXPECT_EQ(heap.stats().live_blocks, 0U);
  void* large = heap.allocate(50000);
  ASSERT_NE(large, nullptr);
  EXPECT_EQ(heap.reallocate(large, 0), nullptr);
  EXPECT_EQ(heap.stats().large_blocks, 0U);
}

TEST_F(HeapTest, ReallocateLargeGrowsAndShrinksInPlaceKeepingContents) {
  void* block = heap.allocate(35000);  // 18 slots (1..18), a free span of 12 after it
  ASSERT_NE(block, nullptr);
  fill(block, 35000, 1);
  void* grown = heap.reallocate(block, 60000);  // 30 slots: all of that free span
  ASSERT_EQ(grown, block);
  EXPECT_EQ(heap.usable_size(block), 30 * kSlot);
  EXPECT_EQ(first_mismatch(block, 35000, 1), 35000U);
  fill(block, 60000, 2);
  void* shrunk = heap.reallocate(block, 40000);  // 20 slots
  ASSERT_EQ(shrunk, block);
  EXPECT_EQ(heap.usable_size(block), 20 * kSlot);
  EXPECT_EQ(first_mismatch(block, 40000, 2), 40000U);
  // The tail went back to the free spans and joined the free span after the block.
  EXPECT_EQ(slot_of(block), 1U);
  EXPECT_EQ(layout(heap, memory.base()), "metadata 0+1, large 1+20, free 21+10, metadata 31+33");
  EXPECT_EQ(heap.stats().wasm_pages, 2U);
}

// A block followed by the top free span, with no free span able to take the whole new block,
// grows in place: memory grows under it. It misses 30 slots, t = 10 (slots 21..30): one page
// leaves 10 + M(64) + 32 - M(96) = 10 + 33 + 32 - 33 = 42 free slots after it.
TEST_F(HeapTest, ReallocateAtTheTopGrowsMemoryUnderTheBlock) {
  void* block = heap.allocate(20 * kSlot);  // slots 1..20
  ASSERT_NE(block, nullptr);
  ASSERT_EQ(heap.stats().wasm_pages, 2U);
  fill(block, 20 * kSlot, 3);
  void* grown = heap.reallocate(block, 50 * kSlot);
  ASSERT_EQ(grown, block);
  EXPECT_EQ(heap.usable_size(block), 50 * kSlot);
  EXPECT_EQ(heap.stats().wasm_pages, 3U);
  EXPECT_EQ(first_mismatch(block, 20 * kSlot, 3), 20 * kSlot);
  EXPECT_EQ(layout(heap, memory.base()), "metadata 0+1, large 1+50, free 51+12, metadata 63+33");
}

// A block that ends where the table begins (no free span between) grows in place too: the table
// moves away from under it. It misses 32 slots, t = 0: one page leaves 0 + 33 + 32 - 33 = 32.
TEST_F(HeapTest, ABlockDirectlyBelowTheTableGrowsInPlace) {
  void* block = heap.allocate(30 * kSlot);  // slots 1..30, the table at 31
  ASSERT_NE(block, nullptr);
  ASSERT_EQ(layout(heap, memory.base()), "metadata 0+1, large 1+30, metadata 31+33");
  fill(block, 30 * kSlot, 16);
  void* grown = heap.reallocate(block, 62 * kSlot);
  ASSERT_EQ(grown, block);
  EXPECT_EQ(heap.usable_size(block), 62 * kSlot);
  EXPECT_EQ(heap.stats().wasm_pages, 3U);
  EXPECT_EQ(memory.grow_count(), 2U);
  EXPECT_EQ(first_mismatch(block, 30 * kSlot, 16), 30 * kSlot);
  EXPECT_EQ(layout(heap, memory.base()), "metadata 0+1, large 1+62, metadata 63+33");
  ASSERT_TRUE(heap_is_valid(heap));
  fill(block, 62 * kSlot, 17);  // all of it is the block's now, up to the new table
  EXPECT_TRUE(heap_is_valid(heap));
  EXPECT_EQ(first_mismatch(block, 62 * kSlot, 17), 62 * kSlot);
}

// A block at the top grows in place across slot 512, where a 1 MiB group's descriptor block used
// to begin; when the growth under it is refused, it moves (the move's own growth is not refused).
TEST_F(HeapTest, ReallocateAtTheTopGrowsAcrossTheOldGroupBoundaryAndMovesWhenRefused) {
  void* block = heap.allocate(490 * kSlot);  // 17 pages: slots 1..490, free 491+16, table 507+37
  ASSERT_NE(block, nullptr);
  ASSERT_EQ(heap.stats().wasm_pages, 17U);
  fill(block, 490 * kSlot, 14);
  // 30 slots missing, t = 16: one page leaves 16 + 37 + 32 - M(576) = 16 + 37 + 32 - 37 = 48.
  void* grown = heap.reallocate(block, 520 * kSlot);
  ASSERT_EQ(grown, block);
  EXPECT_EQ(heap.usable_size(block), 520 * kSlot);
  EXPECT_EQ(first_mismatch(block, 490 * kSlot, 14), 490 * kSlot);
  EXPECT_EQ(heap.stats().wasm_pages, 18U);
  EXPECT_EQ(layout(heap, memory.base()), "metadata 0+1, large 1+520, free 521+18, metadata 539+37");
  ASSERT_TRUE(heap_is_valid(heap));

  // 80 slots missing, t = 18: p_k = 2 (18 + 37 + 64 - M(640) = 18 + 37 + 64 - 37 = 82; one page
  // leaves 50), p_min = ceil(L(576) / 32) = 1, so a single request, refused. The block moves: a
  // fresh 600 slots from the top free span take 19 pages (18 + 37 + 608 - M(1184) = 621; 18
  // leave 590), the new block is its low end (slot 521), and the old block's slots are one free
  // span.
  fill(block, 520 * kSlot, 18);
  memory.refuse_next_grows(1);
  void* moved = heap.reallocate(block, 600 * kSlot);
  ASSERT_NE(moved, nullptr);
  EXPECT_EQ(memory.refused_count(), 1U);
  EXPECT_EQ(slot_of(moved), 521U);
  EXPECT_EQ(heap.usable_size(moved), 600 * kSlot);
  EXPECT_EQ(first_mismatch(moved, 520 * kSlot, 18), 520 * kSlot);
  EXPECT_EQ(heap.stats().wasm_pages, 37U);
  EXPECT_EQ(layout(heap, memory.base()),
            "metadata 0+1, free 1+520, large 521+600, free 1121+21, metadata 1142+42");
  HeapStats stats = heap.stats();
  EXPECT_EQ(stats.large_blocks, 1U);
  EXPECT_EQ(stats.bytes_in_use, 600 * kSlot);
}

// The bitmap pool ("Metadata out of band", "The pool"): a pool slot holds 64 MiniPages' bitmaps,
// so the 65th MiniPage makes the table one slot longer (the pool takes the top free span's last
// slot). Freed MiniPages give their records back, and the pool never shrinks: the same MiniPages
// made again take no new slot and no page.
TEST_F(HeapTest, ThePoolGrowsOneSlotPer64MiniPagesAndReusesFreedRecords) {
  auto table_length = [&] { return spans_of(heap).back().bytes / kSlot; };
  std::vector<void*> blocks;
  for (int i = 0; i < 64; ++i) blocks.push_back(heap.allocate(2048));  // a MiniPage each
  std::size_t top = heap.stats().wasm_pages * kSlotsPerPage;
  EXPECT_EQ(heap.stats().mini_pages, 64U);
  EXPECT_EQ(table_length(), table_slots(top, 1));
  EXPECT_EQ(heap.stats().metadata_bytes, metadata_bytes_for(top, 1));
  blocks.push_back(heap.allocate(2048));
  ASSERT_EQ(top, heap.stats().wasm_pages * kSlotsPerPage) << "a top free span was left";
  EXPECT_EQ(table_length(), table_slots(top, 2));
  EXPECT_EQ(heap.stats().metadata_bytes, metadata_bytes_for(top, 2));
  ASSERT_TRUE(heap_is_valid(heap));
  for (void* block : blocks) heap.deallocate(block);
  EXPECT_EQ(table_length(), table_slots(top, 2));
  ASSERT_TRUE(heap_is_valid(heap));
  std::size_t pages = heap.stats().wasm_pages;
  for (void*& block : blocks) block = heap.allocate(2048);
  EXPECT_EQ(heap.stats().wasm_pages, pages);
  EXPECT_EQ(table_length(), table_slots(top, 2));
  EXPECT_TRUE(heap_is_valid(heap));
}

// With the pool full and no top free span, the spares retire before the pool grows ("The pool"):
// their records serve the new MiniPage, and neither the table nor memory grows.
TEST_F(HeapTest, ThePoolRetiresSparesBeforeItGrows) {
  std::vector<void*> pages;
  for (int i = 0; i < 64; ++i) pages.push_back(heap.allocate(2048));  // slots 1..64, pool full
  ASSERT_EQ(slot_of(pages.back()), 64U);
  std::vector<SpanView> spans = spans_of(heap);
  ASSERT_EQ(spans[spans.size() - 2].kind, SpanKind::free);
  void* filler = heap.allocate(spans[spans.size() - 2].bytes);  // the whole top free span
  ASSERT_NE(filler, nullptr);
  for (int i = 0; i < 4; ++i) heap.deallocate(pages[i]);  // four spares of class 2048
  ASSERT_EQ(heap.core().spare_count(class_index(2048)), 4U);
  const std::size_t pages_before = heap.stats().wasm_pages;
  const std::size_t table_before = spans_of(heap).back().bytes;
  void* small = heap.allocate(8);  // a new MiniPage of another class
  ASSERT_NE(small, nullptr);
  EXPECT_EQ(heap.core().spare_count(class_index(2048)), 0U);
  EXPECT_LT(slot_of(small), 5U);  // one of the retired spares' slots
  EXPECT_EQ(heap.stats().wasm_pages, pages_before);
  EXPECT_EQ(spans_of(heap).back().bytes, table_before);
  EXPECT_TRUE(heap_is_valid(heap));
}

// Growth moves the table, and each class's current MiniPage keeps a pointer to its bitmap in the
// table: after a growth caused by a large request, the current MiniPage must still allocate and
// free through its own (moved) bitmap.
TEST_F(HeapTest, TheCurrentMiniPageStillWorksAfterTheTableMoves) {
  constexpr std::size_t kSize = 256;  // a class of one slot on both tables
  const auto kClass = static_cast<std::size_t>(
      std::find(kClassSizes.begin(), kClassSizes.end(), kSize) - kClassSizes.begin());
  void* first = heap.allocate(kSize);  // slot 1, current for its class
  void* second = heap.allocate(kSize);
  ASSERT_TRUE(first && second);
  const std::byte* current_before = heap.core().current_mini_page(kClass);
  ASSERT_EQ(current_before, memory.base() + kSlot);
  heap.deallocate(first);
  void* large = heap.allocate(40 * kSlot);  // 28 free slots are too few: the table moves
  ASSERT_NE(large, nullptr);
  ASSERT_EQ(heap.stats().wasm_pages, 3U);
  ASSERT_EQ(slot_of(large), 2U);  // over the old table's slots (30..63): overwrite them
  fill(large, 40 * kSlot, 19);
  ASSERT_TRUE(heap_is_valid(heap));
  EXPECT_EQ(heap.core().current_mini_page(kClass), current_before);
  void* third = heap.allocate(kSize);  // from the current MiniPage, through the moved bitmap
  void* fourth = heap.allocate(kSize);
  ASSERT_TRUE(third && fourth);
  EXPECT_EQ(slot_of(third), 1U);
  EXPECT_EQ(slot_of(fourth), 1U);
  EXPECT_TRUE(disjoint({{second, kSize}, {third, kSize}, {fourth, kSize}}));
  ASSERT_TRUE(heap_is_valid(heap));
  for (const SpanView& span : spans_of(heap)) {
    if (span.start == current_before) {
      EXPECT_EQ(span.live_segments, 3U);
    }
  }
  heap.deallocate(second);
  heap.deallocate(third);
  ASSERT_TRUE(heap_is_valid(heap));
  for (const SpanView& span : spans_of(heap)) {
    if (span.start == current_before) {
      EXPECT_EQ(span.live_segments, 1U);
    }
  }
  heap.deallocate(fourth);
  heap.deallocate(large);
  EXPECT_EQ(heap.stats().live_blocks, 0U);
}

TEST_F(HeapTest, ReallocateLargeToTheSameSlotCountStaysInPlace) {
  void* block = heap.allocate(33000);  // 17 slots
  ASSERT_NE(block, nullptr);
  EXPECT_EQ(heap.reallocate(block, 17 * kSlot), block);
  EXPECT_EQ(heap.reallocate(block, 16 * kSlot + 1), block);
  EXPECT_EQ(heap.usable_size(block), 17 * kSlot);
}

TEST_F(HeapTest, ShrinkingAnAlignedLargeBlockKeepsItInPlace) {
  void* block = heap.allocate(10 * kSlot, 8192);
  ASSERT_NE(block, nullptr);
  ASSERT_TRUE(aligned(block, 8192));
  fill(block, 100, 15);
  EXPECT_EQ(heap.reallocate(block, 2 * kSlot, 8192), block);
  EXPECT_EQ(heap.usable_size(block), 2 * kSlot);
  // Alignment above 2048 keeps even a tiny request large: still in place, one slot.
  EXPECT_EQ(heap.reallocate(block, 10, 4096), block);
  EXPECT_EQ(heap.usable_size(block), kSlot);
  EXPECT_EQ(first_mismatch(block, 10, 15), 10U);
  EXPECT_EQ(heap.stats().large_blocks, 1U);
}

TEST_F(HeapTest, ReallocateLargeMovesWhenItsNeighbourIsInUse) {
  void* block = heap.allocate(17000);  // 9 slots
  void* neighbour = heap.allocate(17000);
  ASSERT_TRUE(block && neighbour);
  fill(block, 17000, 4);
  fill(neighbour, 17000, 5);
  void* moved = heap.reallocate(block, 50000);
  ASSERT_NE(moved, nullptr);
  EXPECT_NE(moved, block);
  EXPECT_EQ(first_mismatch(moved, 17000, 4), 17000U);
  EXPECT_EQ(first_mismatch(neighbour, 17000, 5), 17000U);
  EXPECT_EQ(heap.stats().large_blocks, 2U);
  // The old block (9 slots) is kept as a spare span.
  bool old_place_spare = false;
  for (const SpanView& span : spans_of(heap)) {
    if (span.start == block) old_place_spare = span.kind == SpanKind::spare && span.bytes == 9 * kSlot;
  }
  EXPECT_TRUE(old_place_spare) << layout(heap, memory.base());
}

TEST_F(HeapTest, ReallocateWithinAClassStaysInPlace) {
  void* block = heap.allocate(200);  // class 208 on both tables
  ASSERT_NE(block, nullptr);
  fill(block, 200, 6);
  EXPECT_EQ(heap.reallocate(block, 204), block);
  EXPECT_EQ(heap.reallocate(block, 208), block);
  EXPECT_EQ(heap.reallocate(block, 193), block);
  EXPECT_EQ(first_mismatch(block, 193, 6), 193U);
}

TEST_F(HeapTest, ReallocateShrinkingByAtMostHalfStaysInPlace) {
  void* block = heap.allocate(1000);  // class 1024 on both tables
  ASSERT_NE(block, nullptr);
  fill(block, 1000, 11);
  EXPECT_EQ(heap.reallocate(block, 600), block);  // class 640, but at least half of 1024
  EXPECT_EQ(heap.reallocate(block, 512), block);  // exactly half
  EXPECT_EQ(heap.usable_size(block), 1024U);      // the block keeps its class
  EXPECT_EQ(heap.reallocate(block, 1024), block);  // and grows back within it
  EXPECT_EQ(first_mismatch(block, 512, 11), 512U);
  void* moved = heap.reallocate(block, 511);  // below half: moves to class 512
  ASSERT_NE(moved, nullptr);
  EXPECT_NE(moved, block);
  EXPECT_EQ(heap.usable_size(moved), 512U);
  EXPECT_EQ(first_mismatch(moved, 511, 11), 511U);
  EXPECT_EQ(heap.stats().live_blocks, 1U);
  // An explicit alignment the block does not have moves it, even within half.
  void* second = heap.allocate(512);  // Segment 1 of class 512: 512 past a 1024 boundary
  ASSERT_NE(second, nullptr);
  ASSERT_FALSE(aligned(second, 1024)) << "expected Segment 1 of a fresh class-512 MiniPage";
  void* realigned = heap.reallocate(second, 300, 1024);
  ASSERT_NE(realigned, nullptr);
  EXPECT_NE(realigned, second);
  EXPECT_TRUE(aligned(realigned, 1024));
  EXPECT_TRUE(heap.validate().ok());
}

TEST_F(HeapTest, ReallocateAcrossSmallAndLargeKeepsThePrefix) {
  void* block = heap.allocate(100);
  ASSERT_NE(block, nullptr);
  fill(block, 100, 7);
  block = heap.reallocate(block, 1000);  // another class
  ASSERT_NE(block, nullptr);
  EXPECT_EQ(heap.usable_size(block), expected_usable(1000));
  EXPECT_EQ(first_mismatch(block, 100, 7), 100U);
  fill(block, 1000, 8);
  block = heap.reallocate(block, 5000);  // a medium class (5120), a MiniPage of 5 slots
  ASSERT_NE(block, nullptr);
  EXPECT_EQ(heap.usable_size(block), expected_usable(5000));
  EXPECT_EQ(heap.usable_size(block), 5120U);
  EXPECT_EQ(first_mismatch(block, 1000, 8), 1000U);
  fill(block, 5000, 20);
  block = heap.reallocate(block, 20000);  // small to large: 10 slots
  ASSERT_NE(block, nullptr);
  EXPECT_EQ(heap.usable_size(block), 10 * kSlot);
  EXPECT_EQ(heap.stats().large_blocks, 1U);
  EXPECT_EQ(first_mismatch(block, 5000, 20), 5000U);
  fill(block, 20000, 9);
  block = heap.reallocate(block, 60);  // large to small
  ASSERT_NE(block, nullptr);
  EXPECT_EQ(heap.usable_size(block), expected_usable(60));
  EXPECT_EQ(first_mismatch(block, 60, 9), 60U);
  HeapStats stats = heap.stats();
  EXPECT_EQ(stats.live_blocks, 1U);
  EXPECT_EQ(stats.large_blocks, 0U);
  heap.deallocate(block);
}

TEST_F(HeapTest, ReallocateToAStricterAlignmentMovesWhenNeeded) {
  void* block = heap.allocate(3000);
  ASSERT_NE(block, nullptr);
  fill(block, 3000, 10);
  void* realigned = heap.reallocate(block, 3000, 65536);
  ASSERT_NE(realigned, nullptr);
  EXPECT_TRUE(aligned(realigned, 65536));
  EXPECT_EQ(first_mismatch(realigned, 3000, 10), 3000U);
  EXPECT_EQ(heap.stats().live_blocks, 1U);
}

// --- introspection -------------------------------------------------------------------------------

TEST_F(HeapTest, WalkReportsEachMiniPageWithItsSegments) {
  grow_first(1200);  // one free span holds every MiniPage below, in address order
  // Per class: a full MiniPage plus three Segments of the next, with a few freed in between.
  // Fresh MiniPages hand out their Segments in address order, so block i of a class is Segment
  // i % segments of the MiniPage whose Segment 0 is block i - i % segments.
  std::map<const std::byte*, std::vector<std::size_t>> live_by_page;  // page -> segment indexes
  std::map<const std::byte*, std::size_t> class_of_page;
  std::vector<void*> all;
  for (std::size_t c = 0; c < kClassCount; ++c) {
    std::size_t class_bytes = kClassSizes[c];
    std::size_t segments = segments_of(class_bytes);
    std::size_t count = segments + 3;
    std::vector<void*> blocks;
    for (std::size_t i = 0; i < count; ++i) blocks.push_back(heap.allocate(class_bytes));
    std::vector<const std::byte*> page_of(count);
    for (std::size_t i = 0; i < count; ++i) {
      page_of[i] = static_cast<const std::byte*>(blocks[i - i % segments]);
      ASSERT_EQ(static_cast<std::size_t>(page_of[i] - memory.base()) % kSlot, 0U);
      ASSERT_EQ(static_cast<const std::byte*>(blocks[i]), page_of[i] + i % segments * class_bytes)
          << "class " << c << " block " << i;
    }
    // Free every third block of the first MiniPage that is not its last.
    for (std::size_t i = 0; i + 1 < segments; i += 3) {
      heap.deallocate(blocks[i]);
      blocks[i] = nullptr;
    }
    for (std::size_t i = 0; i < count; ++i) {
      if (blocks[i] == nullptr) continue;
      live_by_page[page_of[i]].push_back(i % segments);
      class_of_page[page_of[i]] = c;
      all.push_back(blocks[i]);
    }
  }
  std::size_t mini_pages_seen = 0;
  std::vector<std::size_t> current_per_class(kClassCount, 0);
  for (const SpanView& span : spans_of(heap)) {
    if (span.kind != SpanKind::mini_page) {  // the MiniPage fields are zero elsewhere
      EXPECT_EQ(span.segments + span.live_segments + span.cached_segments + span.size_class, 0U);
      EXPECT_EQ(span.bitmap, (std::array<std::uint64_t, 4>{}));
      EXPECT_FALSE(span.current || span.spare);
      continue;
    }
    ++mini_pages_seen;
    ASSERT_TRUE(live_by_page.count(span.start)) << "a MiniPage holding none of our blocks";
    std::size_t c = class_of_page[span.start];
    EXPECT_EQ(span.bytes, mini_page_slots_of(kClassSizes[c]) * kSlot) << "class " << c;
    EXPECT_EQ(span.size_class, c);
    EXPECT_EQ(span.segments, segments_of(kClassSizes[c])) << "class " << c;
    std::size_t popcount = 0;
    for (std::uint64_t word : span.bitmap) {
      for (int bit = 0; bit < 64; ++bit) popcount += (word >> bit) & 1;
    }
    EXPECT_EQ(span.live_segments, popcount);
    EXPECT_EQ(span.live_segments, live_by_page[span.start].size());
    for (unsigned segment = 0; segment < 256; ++segment) {
      bool set = (span.bitmap[segment / 64] >> (segment % 64)) & 1;
      const std::vector<std::size_t>& live = live_by_page[span.start];
      bool ours = std::find(live.begin(), live.end(), segment) != live.end();
      ASSERT_EQ(set, ours) << "class " << c << " segment " << segment;
    }
    EXPECT_EQ(span.current, heap.core().current_mini_page(c) == span.start);
    if (span.current) ++current_per_class[c];
  }
  EXPECT_EQ(mini_pages_seen, live_by_page.size());
  for (std::size_t c = 0; c < kClassCount; ++c) {
    EXPECT_EQ(current_per_class[c], 1U) << "class " << c;
    EXPECT_NE(heap.core().current_mini_page(c), nullptr) << "class " << c;
  }
  for (void* block : all) heap.deallocate(block);
}

TEST_F(HeapTest, StatsCountBlocksPerClass) {
  grow_first(1200);  // one free span holds every MiniPage below, in address order
  std::vector<std::size_t> counts(kClassCount);
  std::vector<void*> blocks;
  std::size_t expected_pages = 0;
  std::size_t expected_page_slots = 0;
  std::size_t expected_bytes = 0;
  Random random{42};
  for (std::size_t c = 0; c < kClassCount; ++c) {
    // Up to 300 blocks of a one-slot class; up to three MiniPages' worth of a medium one (whose
    // MiniPages span up to 15 slots), so the heap stays within its 4 MiB.
    counts[c] = kClassSizes[c] <= 672 ? (c * 37) % 300 + 1
                                      : (c * 37) % (3 * segments_of(kClassSizes[c])) + 1;
    std::size_t low = c == 0 ? 0 : kClassSizes[c - 1] + 1;  // any size this class serves
    for (std::size_t i = 0; i < counts[c]; ++i) {
      std::size_t size = low + random.below(kClassSizes[c] - low + 1);
      void* block = heap.allocate(size);
      ASSERT_NE(block, nullptr);
      blocks.push_back(block);
    }
    std::size_t segments = segments_of(kClassSizes[c]);
    expected_pages += (counts[c] + segments - 1) / segments;
    expected_page_slots +=
        (counts[c] + segments - 1) / segments * mini_page_slots_of(kClassSizes[c]);
    expected_bytes += counts[c] * kClassSizes[c];
  }
  HeapStats stats = heap.stats();
  std::size_t total = 0;
  for (std::size_t c = 0; c < kClassCount; ++c) {
    std::size_t segments = segments_of(kClassSizes[c]);
    EXPECT_EQ(stats.blocks_per_class[c], counts[c]) << "class " << c;
    EXPECT_EQ(stats.mini_pages_per_class[c], (counts[c] + segments - 1) / segments) << "class " << c;
    total += counts[c];
  }
  EXPECT_EQ(stats.live_blocks, total);
  EXPECT_EQ(stats.mini_pages, expected_pages);
  EXPECT_EQ(stats.bytes_in_use, expected_bytes);
  EXPECT_EQ(stats.large_blocks, 0U);
  // Slot 0, the apron, a pool slot per 64 MiniPages (none was ever freed) and ceil(top / 128)
  // slots of records.
  EXPECT_EQ(stats.metadata_bytes,
            metadata_bytes_for(stats.wasm_pages * kSlotsPerPage,
                               (expected_pages + kBitmapsPerPoolSlot - 1) / kBitmapsPerPoolSlot));
  EXPECT_EQ(stats.free_bytes + stats.metadata_bytes + expected_page_slots * kSlot,
            stats.wasm_pages * kPage);

  // Freeing lowers the right class's count only.
  void* first = blocks.front();  // class 0
  heap.deallocate(first);
  HeapStats after = heap.stats();
  EXPECT_EQ(after.blocks_per_class[0], counts[0] - 1);
  for (std::size_t c = 1; c < kClassCount; ++c) EXPECT_EQ(after.blocks_per_class[c], counts[c]);
  EXPECT_EQ(after.live_blocks, total - 1);
}

TEST_F(HeapTest, OwnsCoversExactlyTheHeapsMemory) {
  void* small = heap.allocate(10);
  void* large = heap.allocate(40000);
  ASSERT_TRUE(small && large);
  EXPECT_TRUE(heap.owns(small));
  EXPECT_TRUE(heap.owns(large));
  EXPECT_TRUE(heap.owns(static_cast<std::byte*>(large) + 39999));
  EXPECT_TRUE(heap.owns(memory.base()));
  EXPECT_TRUE(heap.owns(heap.end() - 1));
  EXPECT_FALSE(heap.owns(heap.end()));
  EXPECT_FALSE(heap.owns(memory.base() - 1));
  int local = 0;
  EXPECT_FALSE(heap.owns(&local));
  EXPECT_FALSE(heap.owns(nullptr));
}

TEST_F(HeapTest, SizedDeallocationWithTheRightLayoutFrees) {
  void* small = heap.allocate(24, 8);
  void* large = heap.allocate(5000, 4096);
  ASSERT_TRUE(small && large);
  heap.deallocate(small, 24, 8);
  heap.deallocate(large, 5000, 4096);
  EXPECT_EQ(heap.stats().live_blocks, 0U);
  heap.deallocate(nullptr, 10, 8);  // ignored
  heap.deallocate(nullptr);
}

#if UINTPTR_MAX > 0xFFFFFFFFu
// wasm32's whole 4 GiB, simulated (64-bit hosts only: a 32-bit process cannot reserve it). Past
// 2 GiB, slot numbers need all 21 bits of the list links: partial MiniPages and free spans above
// a 2.5 GiB block (never touched) are linked on their lists, the heap stays valid, and the same
// requests are served again from those lists without growth.
TEST(FourGiBHeapTest, ListsLinkSlotsPastTwoGiB) {
  SimulatedMemory memory(std::size_t{4} << 30);
  Heap heap(memory);
  void* low = heap.allocate(std::size_t{5} << 29);
  ASSERT_NE(low, nullptr);
  std::vector<void*> small;  // 1024 bytes: two Segments a one-slot MiniPage
  std::vector<void*> large;  // 40 KiB: 20 slots, freed into an exact bin (not kept as spares)
  for (int i = 0; i < 64; ++i) small.push_back(heap.allocate(1024));
  for (int i = 0; i < 16; ++i) large.push_back(heap.allocate(40 << 10));
  for (void* block : small) ASSERT_GT(slot_index(memory.base(), block), std::size_t{1} << 20);
  for (void* block : large) ASSERT_GT(slot_index(memory.base(), block), std::size_t{1} << 20);
  for (std::size_t i = 0; i < small.size(); i += 2) heap.deallocate(small[i]);
  for (std::size_t i = 0; i < large.size(); i += 2) heap.deallocate(large[i]);
  ASSERT_TRUE(heap_is_valid(heap));
  const std::size_t pages = heap.stats().wasm_pages;
  for (std::size_t i = 0; i < small.size(); i += 2) small[i] = heap.allocate(1024);
  for (std::size_t i = 0; i < large.size(); i += 2) large[i] = heap.allocate(40 << 10);
  EXPECT_EQ(heap.stats().wasm_pages, pages);
  EXPECT_TRUE(heap_is_valid(heap));
  for (void* block : small) heap.deallocate(block);
  for (void* block : large) heap.deallocate(block);
  heap.deallocate(low);
  EXPECT_EQ(heap.stats().live_blocks, 0U);
  EXPECT_TRUE(heap_is_valid(heap));
}

// The 4 GiB bound (allocator/README.md, "The 4 GiB address space") with a memory source that
// would grant more than wasm32 has: near the end, the generous p_min ask is cut to p_k, and a
// request whose p_k would pass 2^21 slots fails without an ask.
TEST(FourGiBHeapTest, NoGrowthTakesTheHeapPastTheAddressSpace) {
  SimulatedMemory memory(std::size_t{5} << 30);
  Heap heap(memory);
  // 65,159 pages: 2,085,088 slots, 32 + ceil(2,085,088 / 128) = 16,322 of them the table, and 20
  // left free; 377 pages to the bound.
  void* low = heap.allocate(std::size_t{2068745} * kSlot);
  ASSERT_NE(low, nullptr);
  ASSERT_EQ(heap.stats().wasm_pages, 65159U);
  EXPECT_EQ(layout(heap, memory.base()),
            "metadata 0+1, large 1+2068745, free 2068746+20, metadata 2068766+16322");
  // p_k = 1 page; p_min = ceil(16,290 / 32) = 510 pages would pass the bound, so the ask is p_k.
  void* next = heap.allocate(40 * kSlot);
  ASSERT_NE(next, nullptr);
  EXPECT_EQ(heap.stats().wasm_pages, 65160U);
  EXPECT_EQ(memory.grow_count(), 2U);
  EXPECT_EQ(layout(heap, memory.base()),
            "metadata 0+1, large 1+2068745, large 2068746+40, free 2068786+12, "
            "metadata 2068798+16322");
  // 400 pages of slots need more than the 376 left: no ask, and nothing changes.
  EXPECT_EQ(heap.allocate(std::size_t{400} * 32 * kSlot), nullptr);
  EXPECT_EQ(memory.grow_count(), 2U);
  EXPECT_EQ(heap.stats().wasm_pages, 65160U);
  EXPECT_TRUE(heap_is_valid(heap));
  heap.deallocate(next);
  heap.deallocate(low);
}

// The same bound after a first growth whose lead gave the heap 2^21 + 1 slots (allocator/README.md
// allows it on hosts): no page is left, so a request the top free span cannot serve fails with
// no ask, and a refusal the memory has pending stays pending. (The room was once computed as
// 2^21 - top in 32 bits, which wrapped to 2^32 - 1 here, and the heap asked twice.)
TEST(FourGiBHeapTest, AHeapPastTheBoundFromItsLeadAsksForNothingMore) {
  SimulatedMemory memory(std::size_t{4} << 30, kSlot);
  Heap heap(memory);
  // p_k = 2^16 pages, counted without the lead: 32p - 33 - ceil(32p / 128) >= 2,080,720 slots.
  void* low = heap.allocate(std::size_t{2080720} * kSlot);
  ASSERT_NE(low, nullptr);
  ASSERT_EQ(heap.stats().wasm_pages, 65536U);
  ASSERT_EQ(memory.grow_count(), 1U);
  memory.refuse_next_grows(1);
  EXPECT_EQ(heap.allocate(64 * kSlot), nullptr);
  EXPECT_EQ(memory.refused_count(), 0U);
  EXPECT_EQ(memory.grow_count(), 1U);
  EXPECT_EQ(heap.stats().wasm_pages, 65536U);
  EXPECT_TRUE(heap_is_valid(heap));
  heap.deallocate(low);
  EXPECT_TRUE(heap_is_valid(heap));
}
#endif

}  // namespace
}  // namespace alligator::testing
