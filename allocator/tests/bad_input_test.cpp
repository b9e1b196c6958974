// Bad input: every pointer the heap did not hand out (or already took back) is diagnosed through
// the heap's error handler, and the offending call changes nothing. A recording handler stands in
// for the default one (which prints and aborts: checked by death tests where the platform has
// them). Expected diagnoses follow allocator/README.md, "Errors".
#include "heap_test_support.hpp"

#include <alligator/heap.hpp>
#include <alligator/introspection.hpp>
#include <alligator/shim/simulated_memory.hpp>

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

namespace alligator::testing {
namespace {

class BadInputTest : public HeapFixture {
 protected:
  BadInputTest() : HeapFixture(std::size_t{4} << 20) {
    heap.set_error_handler(&record_report, &reported);
  }

  // Everything observable about the heap: stats, and every span with its MiniPage bitmap.
  std::string snapshot() const {
    std::ostringstream out;
    HeapStats stats = heap.stats();
    out << "pages " << stats.wasm_pages << " live " << stats.live_blocks << " in use "
        << stats.bytes_in_use << " free " << stats.free_bytes << " grows " << memory.grow_count()
        << "\n";
    for (const SpanView& span : spans_of(heap)) {
      out << kind_name(span.kind) << " " << static_cast<const void*>(span.start) << "+" << span.bytes;
      if (span.kind == SpanKind::mini_page) {
        out << " class " << span.size_class << " live " << span.live_segments << " current "
            << span.current << " bits";
        for (std::uint64_t word : span.bitmap) out << " " << std::hex << word << std::dec;
      }
      out << "\n";
    }
    for (std::size_t c = 0; c < kClassCount; ++c) {
      out << static_cast<const void*>(heap.core().current_mini_page(c)) << " ";
    }
    return out.str();
  }

  // Runs `bad_call`, expects exactly one report of `error` about `pointer` and no change at all.
  template <class Call>
  void expect_rejected(Call bad_call, HeapError error, const void* pointer) {
    std::string before = snapshot();
    reported.clear();
    bad_call();
    ASSERT_EQ(reported.size(), 1U) << "expected one " << to_string(error);
    EXPECT_EQ(reported[0].error, error)
        << "got " << to_string(reported[0].error) << ", expected " << to_string(error);
    EXPECT_EQ(reported[0].pointer, pointer);
    EXPECT_EQ(snapshot(), before) << "a rejected call changed the heap";
    EXPECT_TRUE(heap_is_valid(heap));
    reported.clear();
  }

  std::vector<Reported> reported;
};

// --- double free ---------------------------------------------------------------------------------

TEST_F(BadInputTest, DoubleFreeOfASmallBlockInTheCurrentMiniPage) {
  void* block = heap.allocate(40);
  void* other = heap.allocate(40);  // keeps the MiniPage from being empty
  ASSERT_TRUE(block && other);
  heap.deallocate(block);
  ASSERT_TRUE(reported.empty());
  expect_rejected([&] { heap.deallocate(block); }, HeapError::double_free, block);
  expect_rejected([&] { heap.deallocate(block, 40, 8); }, HeapError::double_free, block);
}

// The 4 blocks of a full MiniPage of class 512; a fifth block makes a second MiniPage current.
std::vector<void*> fill_a_mini_page_of_512(Heap<SimulatedMemory>& heap) {
  std::vector<void*> first_page;
  for (int i = 0; i < 4; ++i) first_page.push_back(heap.allocate(512));
  EXPECT_NE(heap.allocate(512), nullptr);
  return first_page;
}

TEST_F(BadInputTest, DoubleFreeOfASmallBlockInAPartialMiniPage) {
  std::vector<void*> first_page = fill_a_mini_page_of_512(heap);
  heap.deallocate(first_page[1]);  // the first MiniPage is now partial, not current
  expect_rejected([&] { heap.deallocate(first_page[1]); }, HeapError::double_free, first_page[1]);
}

// The MiniPage empties and becomes its class's spare: the freed Segment is still a freed
// Segment of a live MiniPage, so the second free is a double free, sized or not.
TEST_F(BadInputTest, DoubleFreeOfASmallBlockWhoseMiniPageBecameTheSpare) {
  constexpr std::size_t kSize = 512;
  std::vector<void*> first_page = fill_a_mini_page_of_512(heap);
  for (void* block : first_page) heap.deallocate(block);
  std::size_t size_class = 0;
  while (kClassSizes[size_class] != kSize) ++size_class;
  ASSERT_EQ(heap.core().spare_mini_page(size_class), first_page[0]);
  ASSERT_TRUE(reported.empty());
  expect_rejected([&] { heap.deallocate(first_page[2]); }, HeapError::double_free, first_page[2]);
  expect_rejected([&] { heap.deallocate(first_page[0], kSize, 8); }, HeapError::double_free,
                  first_page[0]);
}

// Large blocks of 17 slots (34000 bytes): above 16384 bytes, and longer than any spare span.
constexpr std::size_t kLarge = 34000;

TEST_F(BadInputTest, DoubleFreeOfALargeBlock) {
  void* a = heap.allocate(kLarge);
  void* b = heap.allocate(kLarge);
  void* c = heap.allocate(kLarge);
  ASSERT_TRUE(a && b && c);
  ASSERT_EQ(heap.stats().large_blocks, 3U);
  heap.deallocate(b);  // its neighbours are live: b's slots become a free span of their own
  expect_rejected([&] { heap.deallocate(b); }, HeapError::double_free, b);
  expect_rejected([&] { heap.deallocate(b, kLarge, 1); }, HeapError::double_free, b);
}

TEST_F(BadInputTest, DoubleFreeOfALargeBlockKeptAsASpareSpan) {
  void* a = heap.allocate(20000);  // 10 slots: kept as a spare span when freed
  void* b = heap.allocate(20000);
  ASSERT_TRUE(a && b);
  heap.deallocate(a);
  ASSERT_EQ(heap.stats().large_blocks, 1U);
  expect_rejected([&] { heap.deallocate(a); }, HeapError::double_free, a);
  expect_rejected([&] { heap.deallocate(a, 20000, 1); }, HeapError::double_free, a);
  expect_rejected([&] { EXPECT_EQ(heap.reallocate(a, 100), nullptr); }, HeapError::double_free, a);
  expect_rejected([&] { EXPECT_EQ(heap.usable_size(a), 0U); }, HeapError::double_free, a);
}

TEST_F(BadInputTest, DoubleFreeOfALargeBlockThatJoinedTheTopFreeSpan) {
  void* a = heap.allocate(kLarge);
  void* b = heap.allocate(kLarge);
  ASSERT_TRUE(a && b);
  heap.deallocate(b);  // merges with the free span after it, and starts it
  expect_rejected([&] { heap.deallocate(b); }, HeapError::double_free, b);
}

// A freed block whose slots merged into a free span before them no longer starts a span: the
// heap cannot tell it from any other slot inside a free span (constant-time lookup), so either
// diagnosis is acceptable; what matters is that it is diagnosed and nothing changes.
TEST_F(BadInputTest, FreeOfABlockMergedIntoAFreeSpanIsDiagnosed) {
  void* a = heap.allocate(kLarge);
  void* b = heap.allocate(kLarge);
  void* c = heap.allocate(kLarge);
  ASSERT_TRUE(a && b && c);
  heap.deallocate(a);
  heap.deallocate(b);  // b's slots now lie inside the free span starting at a
  std::string before = snapshot();
  heap.deallocate(b);
  ASSERT_EQ(reported.size(), 1U);
  EXPECT_TRUE(reported[0].error == HeapError::double_free ||
              reported[0].error == HeapError::invalid_pointer)
      << to_string(reported[0].error);
  EXPECT_EQ(snapshot(), before);
}

// --- pointers that were never blocks -------------------------------------------------------------

TEST_F(BadInputTest, PointerInsideASmallBlock) {
  void* block = heap.allocate(64);
  ASSERT_NE(block, nullptr);
  auto* bytes = static_cast<std::byte*>(block);
  for (std::size_t offset : {1, 8, 16, 32, 63}) {
    expect_rejected([&] { heap.deallocate(bytes + offset); }, HeapError::invalid_pointer,
                    bytes + offset);
  }
  EXPECT_EQ(heap.stats().live_blocks, 1U);
  heap.deallocate(block);  // the real pointer still frees
  EXPECT_TRUE(reported.empty());
  EXPECT_EQ(heap.stats().live_blocks, 0U);
}

TEST_F(BadInputTest, PointerInsideALargeBlock) {
  void* block = heap.allocate(9 * kSlot);
  ASSERT_NE(block, nullptr);
  ASSERT_EQ(heap.stats().large_blocks, 1U);
  auto* bytes = static_cast<std::byte*>(block);
  for (std::size_t offset : {std::size_t{1}, std::size_t{16}, kSlot, 2 * kSlot, 4 * kSlot,
                             8 * kSlot, 9 * kSlot - 1}) {
    expect_rejected([&] { heap.deallocate(bytes + offset); }, HeapError::invalid_pointer,
                    bytes + offset);
  }
  heap.deallocate(block);
  EXPECT_TRUE(reported.empty());
}

// The bytes after a MiniPage's last Segment (2048 is not a multiple of every class) are not a
// Segment, though they sit where the next one would start.
TEST_F(BadInputTest, PointerToTheUnusedTailOfAMiniPage) {
  // The first class whose MiniPage leaves bytes after its last Segment (24 on wasm32, 1088 on
  // the 16 table), and the first such whose MiniPage spans several slots (56 on wasm32, two
  // slots; 1088, eight): its tail lies in its last slot, found through that slot's record.
  auto leaves_a_tail = [](std::size_t size) { return mini_page_slots_of(size) * kSlot % size != 0; };
  std::size_t any = 0, several = 0;
  for (std::size_t size : kClassSizes) {
    if (any == 0 && leaves_a_tail(size)) any = size;
    if (several == 0 && leaves_a_tail(size) && mini_page_slots_of(size) > 1) several = size;
  }
  ASSERT_NE(any, 0U);
  ASSERT_NE(several, 0U);
  std::vector<std::size_t> classes = {any};
  if (several != any) classes.push_back(several);  // on the 16 table both are 1088
  for (std::size_t class_bytes : classes) {
    auto* block = static_cast<std::byte*>(heap.allocate(class_bytes));
    ASSERT_NE(block, nullptr);
    // A fresh MiniPage: the block is Segment 0, at its start; the tail follows the last one.
    std::byte* tail =
        block + (mini_page_slots_of(class_bytes) * kSlot / class_bytes) * class_bytes;
    if (class_bytes == several) {
      ASSERT_GE(static_cast<std::size_t>(tail - block), kSlot) << "the tail is in a later slot";
    }
    expect_rejected([&] { heap.deallocate(tail); }, HeapError::invalid_pointer, tail);
    expect_rejected([&] { heap.usable_size(tail); }, HeapError::invalid_pointer, tail);
  }
}

TEST_F(BadInputTest, PointerOutsideTheHeap) {
  void* block = heap.allocate(100);
  ASSERT_NE(block, nullptr);
  int local = 0;
  static int global = 0;
  expect_rejected([&] { heap.deallocate(&local); }, HeapError::invalid_pointer, &local);
  expect_rejected([&] { heap.deallocate(&global); }, HeapError::invalid_pointer, &global);
  const std::byte* end = heap.end();  // grown memory ends here; the maximum lies beyond
  expect_rejected([&] { heap.deallocate(const_cast<std::byte*>(end)); },
                  HeapError::invalid_pointer, end);
  expect_rejected([&] { heap.deallocate(const_cast<std::byte*>(end) + kSlot); },
                  HeapError::invalid_pointer, end + kSlot);
}

TEST_F(BadInputTest, PointerBeforeTheFirstGrowth) {
  int local = 0;
  std::string before = snapshot();
  heap.deallocate(&local);
  ASSERT_EQ(reported.size(), 1U);
  EXPECT_EQ(reported[0].error, HeapError::invalid_pointer);
  EXPECT_EQ(snapshot(), before);
  EXPECT_EQ(memory.grow_count(), 0U);
}

// Slot 0, the apron, the bitmap pool and the records are metadata: no pointer into them is a block, before and
// after a growth moves the table (its old place is then free memory, or a block's inside).
TEST_F(BadInputTest, PointerIntoMetadata) {
  void* block = heap.allocate(100);  // two pages: slot 0, MiniPage 1, free 2..29, table 30..63
  ASSERT_NE(block, nullptr);
  std::byte* base = memory.base();
  auto expect_metadata_rejected = [&](std::size_t table_slot, std::size_t top) {
    std::size_t descriptors = table_slot + kApronSlots;
    for (std::size_t offset :
         {std::size_t{0}, std::size_t{48}, kSlot - 8,                        // slot 0
          table_slot * kSlot, table_slot * kSlot + 48, (table_slot + 1) * kSlot,  // the apron
          (descriptors - 1) * kSlot + 2040,
          descriptors * kSlot, descriptors * kSlot + 48, top * kSlot - 8}) {  // pool, records
      std::byte* pointer = base + offset;
      expect_rejected([&] { heap.deallocate(pointer); }, HeapError::invalid_pointer, pointer);
      void* result = block;
      expect_rejected([&] { result = heap.reallocate(pointer, 200); }, HeapError::invalid_pointer,
                      pointer);
      EXPECT_EQ(result, nullptr) << offset;
      std::size_t usable = 99;
      expect_rejected([&] { usable = heap.usable_size(pointer); }, HeapError::invalid_pointer,
                      pointer);
      EXPECT_EQ(usable, 0U) << offset;
    }
  };
  ASSERT_EQ(table_start(heap, 1), base + 30 * kSlot);  // a pool of one slot
  expect_metadata_rejected(30, 64);
  void* large = heap.allocate(40 * kSlot);  // grows by one page: the table moves to 62..95
  ASSERT_NE(large, nullptr);
  ASSERT_EQ(table_start(heap, 1), base + 62 * kSlot);
  expect_metadata_rejected(62, 96);
}

TEST_F(BadInputTest, PointerInsideAFreeSpan) {
  void* block = heap.allocate(100);  // MiniPage at slot 1; slots 2..29 are a free span
  ASSERT_NE(block, nullptr);
  std::byte* free_start = memory.base() + 2 * kSlot;
  for (std::size_t offset : {std::size_t{8}, kSlot, 5 * kSlot + 64, 18 * kSlot}) {
    expect_rejected([&] { heap.deallocate(free_start + offset); }, HeapError::invalid_pointer,
                    free_start + offset);
  }
  // The start of a free span that was never a block: diagnosed (the heap cannot know whether a
  // block was freed there), nothing changes.
  std::string before = snapshot();
  heap.deallocate(free_start);
  ASSERT_EQ(reported.size(), 1U);
  EXPECT_TRUE(reported[0].error == HeapError::invalid_pointer ||
              reported[0].error == HeapError::double_free);
  EXPECT_EQ(snapshot(), before);
}

// --- sized deallocation --------------------------------------------------------------------------

TEST_F(BadInputTest, SizedDeallocationLargerThanTheBlock) {
  void* small = heap.allocate(200);    // 208-byte class on both tables
  void* medium = heap.allocate(5000);  // the 5120-byte class, a MiniPage of 5 slots
  void* large = heap.allocate(20000);  // 10 slots
  ASSERT_TRUE(small && medium && large);
  expect_rejected([&] { heap.deallocate(small, 209, 1); }, HeapError::size_mismatch, small);
  expect_rejected([&] { heap.deallocate(small, 4096, 8); }, HeapError::size_mismatch, small);
  expect_rejected([&] { heap.deallocate(medium, 5121, 1); }, HeapError::size_mismatch, medium);
  expect_rejected([&] { heap.deallocate(medium, 16384, 8); }, HeapError::size_mismatch, medium);
  expect_rejected([&] { heap.deallocate(large, 10 * kSlot + 1, 1); }, HeapError::size_mismatch,
                  large);
  expect_rejected([&] { heap.deallocate(large, std::numeric_limits<std::size_t>::max(), 1); },
                  HeapError::size_mismatch, large);
  // The blocks are intact: the right layouts (up to the usable size) free them.
  heap.deallocate(small, 208, 1);
  heap.deallocate(medium, 5120, 1);
  heap.deallocate(large, 10 * kSlot, 1);
  EXPECT_TRUE(reported.empty());
  EXPECT_EQ(heap.stats().live_blocks, 0U);
}

TEST_F(BadInputTest, SizedDeallocationWithAnAlignmentTheBlockLacks) {
  heap.allocate(200);  // the first Segment may sit on a 4 KiB boundary; use the second
  void* block = heap.allocate(200);  // class 208 on both tables: 16-aligned
  ASSERT_NE(block, nullptr);
  ASSERT_NE(reinterpret_cast<std::uintptr_t>(block) % 4096, 0U);
  expect_rejected([&] { heap.deallocate(block, 200, 4096); }, HeapError::size_mismatch, block);
  expect_rejected([&] { heap.deallocate(block, 200, 3); }, HeapError::size_mismatch, block);
  expect_rejected([&] { heap.deallocate(block, 200, 0); }, HeapError::size_mismatch, block);
  heap.deallocate(block, 200, 16);
  EXPECT_TRUE(reported.empty());
}

// --- reallocate and usable_size trace pointers the same way --------------------------------------

TEST_F(BadInputTest, ReallocateAndUsableSizeDiagnoseBadPointers) {
  void* live = heap.allocate(100);
  void* freed = heap.allocate(100);
  ASSERT_TRUE(live && freed);
  heap.deallocate(freed);
  int local = 0;
  void* result = &local;
  expect_rejected([&] { result = heap.reallocate(freed, 200); }, HeapError::double_free, freed);
  EXPECT_EQ(result, nullptr);
  result = &local;
  expect_rejected([&] { result = heap.reallocate(&local, 200); }, HeapError::invalid_pointer,
                  &local);
  EXPECT_EQ(result, nullptr);
  std::byte* inside = static_cast<std::byte*>(live) + 4;
  expect_rejected([&] { result = heap.reallocate(inside, 0); }, HeapError::invalid_pointer, inside);
  EXPECT_EQ(result, nullptr);
  std::size_t usable = 99;
  expect_rejected([&] { usable = heap.usable_size(freed); }, HeapError::double_free, freed);
  EXPECT_EQ(usable, 0U);
  usable = 99;
  expect_rejected([&] { usable = heap.usable_size(&local); }, HeapError::invalid_pointer, &local);
  EXPECT_EQ(usable, 0U);
}

// --- alignments that are not powers of two -------------------------------------------------------

TEST_F(BadInputTest, NonPowerOfTwoAlignmentGivesNullAndChangesNothing) {
  void* block = heap.allocate(100);
  ASSERT_NE(block, nullptr);
  fill(block, 100, 1);
  std::string before = snapshot();
  for (std::size_t alignment :
       {std::size_t{0}, std::size_t{3}, std::size_t{6}, std::size_t{24}, std::size_t{4095},
        std::size_t{12288}, std::numeric_limits<std::size_t>::max()}) {
    EXPECT_EQ(heap.allocate(16, alignment), nullptr) << alignment;
    EXPECT_EQ(heap.allocate(5000, alignment), nullptr) << alignment;
    EXPECT_EQ(heap.allocate(0, alignment), nullptr) << alignment;
    EXPECT_EQ(heap.reallocate(block, 300, alignment), nullptr) << alignment;
    EXPECT_EQ(heap.reallocate(nullptr, 300, alignment), nullptr) << alignment;
  }
  EXPECT_TRUE(reported.empty()) << "a bad alignment is not a bad pointer";
  EXPECT_EQ(snapshot(), before);
  EXPECT_EQ(first_mismatch(block, 100, 1), 100U);
  EXPECT_EQ(heap.usable_size(block), expected_usable(100));
}

TEST_F(BadInputTest, ReallocateLooksThePointerUpBeforeTheAlignment) {
  // allocator/README.md, Reallocation: the pointer first, then size 0 frees, then the alignment.
  int local = 0;
  void* result = &local;
  expect_rejected([&] { result = heap.reallocate(&local, 300, 3); }, HeapError::invalid_pointer,
                  &local);
  EXPECT_EQ(result, nullptr);
  void* block = heap.allocate(100);
  ASSERT_NE(block, nullptr);
  const std::size_t live = heap.stats().live_blocks;
  EXPECT_EQ(heap.reallocate(block, 0, 3), nullptr);
  EXPECT_TRUE(reported.empty());
  EXPECT_EQ(heap.stats().live_blocks, live - 1) << "size 0 frees whatever the alignment";
}

TEST_F(BadInputTest, NullIsIgnoredEverywhere) {
  heap.allocate(10);
  std::string before = snapshot();
  heap.deallocate(nullptr);
  heap.deallocate(nullptr, 100, 8);
  EXPECT_EQ(heap.usable_size(nullptr), 0U);
  EXPECT_TRUE(reported.empty());
  EXPECT_EQ(snapshot(), before);
}

// --- the default handler -------------------------------------------------------------------------

TEST(HeapErrorTest, ErrorsHaveDistinctNames) {
  std::string invalid = to_string(HeapError::invalid_pointer);
  std::string twice = to_string(HeapError::double_free);
  std::string mismatch = to_string(HeapError::size_mismatch);
  EXPECT_NE(invalid, twice);
  EXPECT_NE(invalid, mismatch);
  EXPECT_NE(twice, mismatch);
  EXPECT_NE(twice.find("double free"), std::string::npos);
  EXPECT_NE(invalid.find("invalid pointer"), std::string::npos);
}

#if GTEST_HAS_DEATH_TEST
// The address in the diagnosis is the pointer passed, digit for digit.
TEST(HeapErrorDeathTest, DiagnosisNamesTheExactPointer) {
  SimulatedMemory memory(std::size_t{1} << 20);
  Heap heap(memory);
  auto* small = static_cast<char*>(heap.allocate(100));
  heap.allocate(100);
  auto* large = static_cast<char*>(heap.allocate(50000));
  heap.deallocate(small);
  EXPECT_EQ(diagnosis_in_child([&] { heap.deallocate(small); }),
            diagnosis_text(to_string(HeapError::double_free), small));
  EXPECT_EQ(diagnosis_in_child([&] { heap.deallocate(large + 24); }),
            diagnosis_text(to_string(HeapError::invalid_pointer), large + 24));
  EXPECT_EQ(diagnosis_in_child([&] { heap.deallocate(large, 60000, 1); }),
            diagnosis_text(to_string(HeapError::size_mismatch), large));
  heap.deallocate(large);
  EXPECT_EQ(diagnosis_in_child([&] { heap.deallocate(large); }),
            diagnosis_text(to_string(HeapError::double_free), large));
}

TEST(HeapErrorDeathTest, DefaultHandlerPrintsAndAborts) {
  ::testing::FLAGS_gtest_death_test_style = "threadsafe";
  EXPECT_DEATH(
      {
        SimulatedMemory memory(std::size_t{1} << 20);
        Heap heap(memory);
        void* block = heap.allocate(100);
        heap.allocate(100);
        heap.deallocate(block);
        heap.deallocate(block);
      },
      "alligator: double free at 0x[0-9a-f]+");
  EXPECT_DEATH(
      {
        SimulatedMemory memory(std::size_t{1} << 20);
        Heap heap(memory);
        auto* block = static_cast<char*>(heap.allocate(100));
        heap.deallocate(block + 1);
      },
      "alligator: invalid pointer.* at 0x[0-9a-f]+");
  EXPECT_DEATH(
      {
        SimulatedMemory memory(std::size_t{1} << 20);
        Heap heap(memory);
        void* block = heap.allocate(100);
        heap.deallocate(block, 5000, 1);
      },
      "alligator: size or alignment does not match");
}

// A memory source that breaks its contract (memory_source.hpp): its first grow starts `skew`
// bytes past the memory's, or a later grow leaves a page's gap. The heap diagnoses and aborts
// rather than number slots off their 2 KiB boundaries or carve a hole into its spans.
struct BrokenMemory {
  SimulatedMemory memory{std::size_t{4} << 20};
  std::size_t skew = 0;
  bool gap = false;
  bool grown = false;
  std::byte* grow(std::size_t pages) {
    std::byte* start = memory.grow(pages + (grown && gap ? 1 : 0));
    if (start == nullptr) return nullptr;
    std::size_t offset = grown ? (gap ? kPage : 0) : skew;
    grown = true;
    return start + offset;
  }
};

TEST(HeapErrorDeathTest, AMemorySourceBreakingItsContractAborts) {
  ::testing::FLAGS_gtest_death_test_style = "threadsafe";
  EXPECT_DEATH(
      {
        BrokenMemory memory;
        memory.skew = 1024;
        Heap<BrokenMemory> heap(memory);
        heap.allocate(100);
      },
      "alligator: memory source broke its contract; aborting");
  EXPECT_DEATH(
      {
        BrokenMemory memory;
        memory.gap = true;
        Heap<BrokenMemory> heap(memory);
        heap.allocate(100);
        heap.allocate(std::size_t{1} << 20);
      },
      "alligator: memory source broke its contract; aborting");
}
#endif

}  // namespace
}  // namespace alligator::testing
