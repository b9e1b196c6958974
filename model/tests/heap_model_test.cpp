// The heap model on hand-built scenarios: each feeds it what a heap following the README would
// do (and what a broken one might), and checks it accepts the first and rejects the second.
#include <alligator/model/heap_model.hpp>

#include <gtest/gtest.h>

#include <cstdint>

namespace alligator::model {
namespace {

constexpr std::uintptr_t kBase = 0x100000;  // where the fake memory starts (1 MiB aligned)

std::uintptr_t at_slot(std::size_t slot, std::size_t byte = 0) {
  return kBase + slot * kSlotBytes + byte;
}

Outcome got(std::uintptr_t result, std::size_t pages, std::size_t refused = 0,
            Error error = Error::none) {
  return Outcome{result, pages > 0 ? kBase : 0, pages, refused, error};
}

std::string layout(const HeapModel& model) {
  std::string text;
  for (const auto& [first, span] : model.span_map().spans()) {
    text += std::to_string(first) + ":" + to_string(span.kind) + "x" + std::to_string(span.slots) + " ";
  }
  return text;
}

#define EXPECT_LEGAL(verdict)                          \
  do {                                                 \
    Verdict v_ = (verdict);                            \
    EXPECT_TRUE(v_.ok()) << v_.problem;                \
  } while (0)
#define EXPECT_ILLEGAL(verdict, words)                                           \
  do {                                                                           \
    Verdict v_ = (verdict);                                                      \
    EXPECT_FALSE(v_.ok());                                                       \
    EXPECT_NE(v_.problem.find(words), std::string::npos) << v_.problem;          \
  } while (0)

class ModelTest : public ::testing::Test {
 protected:
  void check() {
    for (const auto& problem : model.check_invariants()) ADD_FAILURE() << problem;
  }
  // The first growth, by a large block of `slots` (more than spare spans keep) freed at once:
  // `pages` pages, one free span from slot 1 to the table. With the defaults, 30 slots at 1 and
  // the table at 31, as a first allocation would leave them. (Tests of MiniPages of several
  // slots start here, so that their layout does not depend on growth.)
  void grow_first(std::size_t slots = 17, std::size_t pages = 2) {
    EXPECT_LEGAL(model.allocate(slots * 2048, 1, got(at_slot(1), pages)));
    EXPECT_LEGAL(model.deallocate(at_slot(1), got(0, pages)));
  }
  HeapModel model{1 << 20, 16};
};

// The first growth of a heap: two pages make slot 0, a free span of 30 slots and the table
// (32 + 0 + ceil(64 / 128) = 33 slots) at the end. The first MiniPage needs a bitmap record: the
// pool takes the free span's last slot, and the table (34 slots) starts at 30.
constexpr std::size_t kFirstPages = 2;
constexpr const char* kFirstTable = "31:metadatax33 ";
constexpr const char* kPoolTable = "30:metadatax34 ";

TEST_F(ModelTest, FirstAllocationGrowsTwoPagesForSlotZeroAndTheTable) {
  EXPECT_LEGAL(model.allocate(1, 1, got(at_slot(1), kFirstPages)));
  EXPECT_LEGAL(model.allocate(8, 1, got(at_slot(1, 8), kFirstPages)));
  ModelStats stats = model.stats();
  EXPECT_EQ(stats.wasm_pages, 2U);
  EXPECT_EQ(stats.metadata_bytes, 2048U * (1 + 32 + 1 + 1));
  EXPECT_EQ(stats.mini_pages, 1U);
  EXPECT_EQ(stats.live_blocks, 2U);
  EXPECT_EQ(stats.bytes_in_use, 16U);
  EXPECT_EQ(stats.free_bytes, 28U * 2048);
  EXPECT_EQ(layout(model), std::string("0:metadatax1 1:MiniPagex1 2:freex28 ") + kPoolTable);
  EXPECT_NE(model.describe().find("the table: apron 32 + bitmap pool 1 + records 1"),
            std::string::npos)
      << model.describe();
  check();
}

TEST_F(ModelTest, RejectsExtraGrowthAndOutOfOrderSegments) {
  HeapModel fresh = model;
  EXPECT_ILLEGAL(fresh.allocate(1, 1, got(at_slot(1), 3)), "wasm page");
  fresh = model;
  EXPECT_ILLEGAL(fresh.allocate(1, 1, got(at_slot(1), 1)), "wasm page");  // no room for the table
  fresh = model;
  EXPECT_ILLEGAL(fresh.allocate(1, 1, got(at_slot(0), 2)), "free span");  // slot 0 is reserved
  fresh = model;
  EXPECT_ILLEGAL(fresh.allocate(1, 1, got(at_slot(1, 8), 2)), "Segment 0");
  fresh = model;
  EXPECT_ILLEGAL(fresh.allocate(1, 1, got(at_slot(2), 2)), "Segment 0");
  fresh = model;
  EXPECT_LEGAL(fresh.allocate(1, 1, got(at_slot(1), 2)));
  EXPECT_ILLEGAL(fresh.allocate(1, 1, got(at_slot(1, 16), 2)), "address order");
  fresh = model;
  EXPECT_ILLEGAL(fresh.allocate(1, 1, got(0, 2)), "null");
}

TEST_F(ModelTest, EachSizeGoesToItsClass) {
  EXPECT_LEGAL(model.allocate(16, 1, got(at_slot(1), 2)));      // class 16
  EXPECT_LEGAL(model.allocate(17, 1, got(at_slot(2), 2)));      // class 32
  EXPECT_ILLEGAL(model.allocate(17, 1, got(at_slot(1, 16), 2)), "class");  // the 16 MiniPage
  EXPECT_LEGAL(model.allocate(8, 16, got(at_slot(1, 16), 2)));  // alignment 16 -> class 16
}

TEST_F(ModelTest, PartialMiniPageBecomesCurrentOnlyWhenCurrentIsFull) {
  // Class 1024: two Segments per MiniPage.
  EXPECT_LEGAL(model.allocate(1000, 1, got(at_slot(1), 2)));
  EXPECT_LEGAL(model.allocate(1000, 1, got(at_slot(1, 1024), 2)));
  EXPECT_LEGAL(model.allocate(1000, 1, got(at_slot(2), 2)));   // new current MiniPage
  EXPECT_LEGAL(model.deallocate(at_slot(1), got(0, 2)));       // the full one turns partial
  std::size_t c = *model.classes().class_of_size(1024);
  EXPECT_EQ(model.partial(c).size(), 1U);
  HeapModel wrong = model;
  EXPECT_ILLEGAL(wrong.allocate(1000, 1, got(at_slot(1), 2)), "MiniPage at heap+4096");
  EXPECT_LEGAL(model.allocate(1000, 1, got(at_slot(2, 1024), 2)));
  wrong = model;
  EXPECT_ILLEGAL(wrong.allocate(1000, 1, got(at_slot(3), 2)), "partial");
  EXPECT_LEGAL(model.allocate(1000, 1, got(at_slot(1), 2)));
  EXPECT_EQ(model.current(c), 1U);
  EXPECT_TRUE(model.partial(c).empty());
  check();
}

TEST_F(ModelTest, FullMiniPageWithAFreedSegmentReplacesAFullCurrentOne) {
  // Class 1024: two Segments per MiniPage. Both MiniPages full, slot 2 current.
  EXPECT_LEGAL(model.allocate(1000, 1, got(at_slot(1), 2)));
  EXPECT_LEGAL(model.allocate(1000, 1, got(at_slot(1, 1024), 2)));
  EXPECT_LEGAL(model.allocate(1000, 1, got(at_slot(2), 2)));
  EXPECT_LEGAL(model.allocate(1000, 1, got(at_slot(2, 1024), 2)));
  std::size_t c = *model.classes().class_of_size(1024);
  EXPECT_LEGAL(model.deallocate(at_slot(1, 1024), got(0, 2)));  // slot 1 becomes current
  EXPECT_EQ(model.current(c), 1U);
  EXPECT_TRUE(model.partial(c).empty());
  EXPECT_LEGAL(model.deallocate(at_slot(2), got(0, 2)));  // current has room: 2 turns partial
  EXPECT_EQ(model.partial(c).size(), 1U);
  HeapModel wrong = model;
  EXPECT_ILLEGAL(wrong.allocate(1000, 1, got(at_slot(2), 2)), "MiniPage at");
  EXPECT_LEGAL(model.allocate(1000, 1, got(at_slot(1, 1024), 2)));
  check();
}

TEST_F(ModelTest, EmptyMiniPageThatIsNotCurrentIsFreedAndCoalesced) {
  for (std::size_t slot = 1; slot <= 7; ++slot) {
    EXPECT_LEGAL(model.allocate(2048, 1, got(at_slot(slot), 2)));  // 7 is current
  }
  std::size_t c = *model.classes().class_of_size(2048);
  // The first four MiniPages to empty (not current) become the class's spares ...
  for (std::size_t slot : {1, 4, 5, 6}) EXPECT_LEGAL(model.deallocate(at_slot(slot), got(0, 2)));
  EXPECT_EQ(model.spares(c), (std::set<std::size_t>{1, 4, 5, 6}));
  EXPECT_EQ(layout(model), std::string("0:metadatax1 1:MiniPagex1 2:MiniPagex1 3:MiniPagex1 "
                                       "4:MiniPagex1 5:MiniPagex1 6:MiniPagex1 7:MiniPagex1 "
                                       "8:freex22 ") + kPoolTable);
  // ... the next ones are freed as spans, and coalesce.
  EXPECT_LEGAL(model.deallocate(at_slot(3), got(0, 2)));
  EXPECT_EQ(layout(model), std::string("0:metadatax1 1:MiniPagex1 2:MiniPagex1 3:freex1 "
                                       "4:MiniPagex1 5:MiniPagex1 6:MiniPagex1 7:MiniPagex1 "
                                       "8:freex22 ") + kPoolTable);
  EXPECT_LEGAL(model.deallocate(at_slot(2), got(0, 2)));
  EXPECT_EQ(layout(model), std::string("0:metadatax1 1:MiniPagex1 2:freex2 "
                                       "4:MiniPagex1 5:MiniPagex1 6:MiniPagex1 7:MiniPagex1 "
                                       "8:freex22 ") + kPoolTable);
  EXPECT_EQ(model.spares(c).size(), kSpares);
  // The current MiniPage (7) is full: a spare becomes current (any of them, Segment 0) before
  // any span is taken.
  HeapModel wrong = model;
  EXPECT_ILLEGAL(wrong.allocate(2048, 1, got(at_slot(2), 2)), "spares");
  HeapModel spare_first = model;
  EXPECT_LEGAL(spare_first.allocate(2048, 1, got(at_slot(5), 2)));
  EXPECT_EQ(spare_first.current(c), 5U);
  EXPECT_EQ(spare_first.spares(c), (std::set<std::size_t>{1, 4, 6}));
  check();
}

TEST_F(ModelTest, EmptyCurrentMiniPagesRetireBeforeMemoryGrows) {
  HeapModel small(2 * 64 * 1024, 16);  // two wasm pages: slots 1..29 free
  EXPECT_LEGAL(small.allocate(8, 1, got(at_slot(1), 2)));
  EXPECT_LEGAL(small.deallocate(at_slot(1), got(0, 2)));  // current: stays, empty
  EXPECT_EQ(small.current(0), 1U);
  EXPECT_LEGAL(small.allocate(28 * 2048, 1, got(at_slot(2), 2)));
  // Class 112 needs a slot: none free, so class 8's empty current MiniPage retires.
  HeapModel wrong = small;
  EXPECT_ILLEGAL(wrong.allocate(100, 1, got(0, 2)), "null");
  EXPECT_LEGAL(small.allocate(100, 1, got(at_slot(1), 2)));
  EXPECT_FALSE(small.current(0));
  // Nothing left and memory is at its maximum: null is the only answer.
  wrong = small;
  EXPECT_ILLEGAL(wrong.allocate(200, 1, got(at_slot(1, 112), 2)), "cannot grow");
  EXPECT_LEGAL(small.allocate(200, 1, got(0, 2)));
}

TEST_F(ModelTest, AMemoryOfOnePageCannotHoldTheFirstGrowth) {
  HeapModel tiny(64 * 1024, 16);
  HeapModel wrong = tiny;
  EXPECT_ILLEGAL(wrong.allocate(8, 1, got(at_slot(1), 1)), "cannot grow");
  EXPECT_LEGAL(tiny.allocate(8, 1, got(0, 0)));
  EXPECT_EQ(tiny.pages(), 0U);
}

#if UINTPTR_MAX > 0xFFFFFFFFu
// "The 4 GiB address space": a host memory that begins one slot before a page boundary, and a
// first growth of all 2^16 pages, give the heap 2^21 + 1 slots. No page is left to ask for: a
// request the top free span cannot serve fails with no ask, and a refusal stays pending. (64-bit
// hosts only, as such a memory: 4 GiB does not fit a 32-bit size_t.)
TEST_F(ModelTest, AHeapPastTheBoundFromItsLeadAsksForNothingMore) {
  HeapModel heap(std::size_t{4} << 30, 16);
  const std::uintptr_t base = kBase - kSlotBytes;
  // p_k = 2^16 pages, counted without the lead: 32p - 33 - ceil(32p / 128) >= 2,080,720 slots.
  EXPECT_LEGAL(heap.allocate(std::size_t{2080720} * kSlotBytes, 1,
                             Outcome{base + kSlotBytes, base, 65536}));
  EXPECT_EQ(heap.span_map().top(), (std::size_t{1} << 21) + 1);
  heap.refuse_next_grows(1);
  HeapModel asks = heap;
  EXPECT_ILLEGAL(asks.allocate(64 * kSlotBytes, 1, Outcome{0, base, 65536, 1}), "refused");
  EXPECT_LEGAL(heap.allocate(64 * kSlotBytes, 1, Outcome{0, base, 65536, 0}));
  EXPECT_EQ(heap.refusals_pending(), 1U);
  for (const auto& problem : heap.check_invariants()) ADD_FAILURE() << problem;
}
#endif

TEST_F(ModelTest, SparesRetireBeforeMemoryGrows) {
  HeapModel small(2 * 64 * 1024, 16);  // two wasm pages: slots 1..29 free
  std::size_t c = *small.classes().class_of_size(2048);
  EXPECT_LEGAL(small.allocate(2048, 1, got(at_slot(1), 2)));
  EXPECT_LEGAL(small.allocate(2048, 1, got(at_slot(2), 2)));  // current now
  EXPECT_LEGAL(small.deallocate(at_slot(1), got(0, 2)));      // a spare
  EXPECT_EQ(small.spares(c), std::set<std::size_t>{1});
  EXPECT_LEGAL(small.allocate(27 * 2048, 1, got(at_slot(3), 2)));
  EXPECT_EQ(small.spares(c), std::set<std::size_t>{1});  // a free span fitted: nothing retired
  // A class-8 MiniPage needs a slot: none is free, so the spare retires.
  HeapModel wrong = small;
  EXPECT_ILLEGAL(wrong.allocate(8, 1, got(0, 2)), "null");
  EXPECT_LEGAL(small.allocate(8, 1, got(at_slot(1), 2)));
  EXPECT_TRUE(small.spares(c).empty());
  EXPECT_TRUE(small.check_invariants().empty());
}

// Medium classes: MiniPages of k_c slots, taken by the search of "Taking k slots".

TEST_F(ModelTest, MediumMiniPageTakesItsKcSlotsAtTheLowEndOfAFreeSpan) {
  grow_first();
  // Class 768: k_c = 3 slots, 8 Segments. The pool takes the free span's last slot first, then
  // the MiniPage the low end of what is left.
  std::size_t c = *model.classes().class_of_size(768);
  ASSERT_EQ(model.classes().slots(c), 3U);
  ASSERT_EQ(model.classes().segments(c), 8U);
  HeapModel wrong = model;
  EXPECT_ILLEGAL(wrong.allocate(750, 1, got(at_slot(2), 2)), "low end");
  wrong = model;
  EXPECT_ILLEGAL(wrong.allocate(750, 1, got(at_slot(27), 2)), "low end");
  wrong = model;
  EXPECT_ILLEGAL(wrong.allocate(750, 1, got(at_slot(1, 768), 2)), "Segment 0");
  EXPECT_LEGAL(model.allocate(750, 1, got(at_slot(1), 2)));
  EXPECT_EQ(layout(model), std::string("0:metadatax1 1:MiniPagex3 4:freex26 ") + kPoolTable);
  // Segments in address order through all three slots: Segment i at byte 768 i of slot 1.
  for (std::size_t i = 1; i < 8; ++i) {
    SCOPED_TRACE(i);
    const std::size_t byte = i * 768;
    EXPECT_LEGAL(model.allocate(750, 1, got(at_slot(1 + byte / 2048, byte % 2048), 2)));
  }
  EXPECT_EQ(model.stats().bytes_in_use, 8U * 768);
  // Full: the ninth block comes from a new MiniPage, the next three slots.
  wrong = model;
  EXPECT_ILLEGAL(wrong.allocate(750, 1, got(at_slot(3, 1280), 2)), "free span");
  wrong = model;
  EXPECT_ILLEGAL(wrong.allocate(750, 1, got(at_slot(5), 2)), "low end");
  EXPECT_LEGAL(model.allocate(750, 1, got(at_slot(4), 2)));
  EXPECT_EQ(layout(model),
            std::string("0:metadatax1 1:MiniPagex3 4:MiniPagex3 7:freex23 ") + kPoolTable);
  EXPECT_EQ(model.stats().mini_pages, 2U);
  EXPECT_EQ(model.stats().mini_pages_per_class[c], 2U);
  EXPECT_EQ(model.current(c), 4U);
  check();
}

TEST_F(ModelTest, MediumMiniPageTakesOnlyAFreeSpanThatHoldsItsKcSlots) {
  // Three pages (a 61-slot block, freed), then free spans of 17 slots at 1 and 8 at 55.
  grow_first(61, 3);
  EXPECT_LEGAL(model.allocate(17 * 2048, 1, got(at_slot(1), 3)));
  EXPECT_LEGAL(model.allocate(20 * 2048, 1, got(at_slot(18), 3)));
  EXPECT_LEGAL(model.allocate(17 * 2048, 1, got(at_slot(38), 3)));
  EXPECT_LEGAL(model.deallocate(at_slot(1), got(0, 3)));
  EXPECT_EQ(layout(model), "0:metadatax1 1:freex17 18:large blockx20 38:large blockx17 "
                           "55:freex8 63:metadatax33 ");
  // Class 1152 (k_c = 9): the pool takes the top free span's last slot (7 are left at 55), so
  // only the span at 1 holds 9 slots.
  ASSERT_EQ(model.classes().slots(*model.classes().class_of_size(1152)), 9U);
  HeapModel wrong = model;
  EXPECT_ILLEGAL(wrong.allocate(1100, 1, got(at_slot(55), 3)), "free span");
  wrong = model;
  EXPECT_ILLEGAL(wrong.allocate(1100, 1, got(at_slot(9), 3)), "low end");
  EXPECT_LEGAL(model.allocate(1100, 1, got(at_slot(1), 3)));
  EXPECT_EQ(layout(model), "0:metadatax1 1:MiniPagex9 10:freex8 18:large blockx20 "
                           "38:large blockx17 55:freex7 62:metadatax34 ");
  // Class 896 (k_c = 7): both free spans hold 7 slots; either may be taken, at its low end.
  ASSERT_EQ(model.classes().slots(*model.classes().class_of_size(896)), 7U);
  HeapModel low = model;
  EXPECT_LEGAL(low.allocate(850, 1, got(at_slot(10), 3)));
  EXPECT_EQ(layout(low), "0:metadatax1 1:MiniPagex9 10:MiniPagex7 17:freex1 18:large blockx20 "
                         "38:large blockx17 55:freex7 62:metadatax34 ");
  HeapModel top = model;
  EXPECT_LEGAL(top.allocate(850, 1, got(at_slot(55), 3)));
  EXPECT_EQ(layout(top), "0:metadatax1 1:MiniPagex9 10:freex8 18:large blockx20 "
                         "38:large blockx17 55:MiniPagex7 62:metadatax34 ");
  wrong = model;
  EXPECT_ILLEGAL(wrong.allocate(850, 1, got(at_slot(11), 3)), "low end");
  // Class 1920 (k_c = 15): no span holds 15 slots and nothing retires, so memory grows by a
  // page, which extends the top free span at 55 to 38 slots, and the MiniPage takes its low end.
  ASSERT_EQ(model.classes().slots(*model.classes().class_of_size(1920)), 15U);
  wrong = model;
  EXPECT_ILLEGAL(wrong.allocate(1900, 1, got(at_slot(10), 3)), "free span");
  wrong = model;
  EXPECT_ILLEGAL(wrong.allocate(1900, 1, got(at_slot(10), 4)), "free span");
  HeapModel refused = model;
  EXPECT_LEGAL(model.allocate(1900, 1, got(at_slot(55), 4)));
  EXPECT_EQ(layout(model), "0:metadatax1 1:MiniPagex9 10:freex8 18:large blockx20 "
                           "38:large blockx17 55:MiniPagex15 70:freex24 94:metadatax34 ");
  EXPECT_LEGAL(model.usable_size(at_slot(55), 1920, got(0, 4)));
  check();
  // When that growth is refused, the 1900 bytes become a large block of one slot, at the low end
  // of either free span, and nothing asks memory again (both spans hold the slot).
  refused.refuse_next_grows(2);
  wrong = refused;
  EXPECT_ILLEGAL(wrong.allocate(1900, 1, got(0, 3, 1)), "null");
  wrong = refused;
  EXPECT_ILLEGAL(wrong.allocate(1900, 1, got(at_slot(11), 3, 1)), "free span");
  HeapModel at_top = refused;
  EXPECT_LEGAL(at_top.allocate(1900, 1, got(at_slot(55), 3, 1)));
  EXPECT_LEGAL(refused.allocate(1900, 1, got(at_slot(10), 3, 1)));
  EXPECT_EQ(layout(refused), "0:metadatax1 1:MiniPagex9 10:large blockx1 11:freex7 "
                             "18:large blockx20 38:large blockx17 55:freex7 62:metadatax34 ");
  EXPECT_LEGAL(refused.usable_size(at_slot(10), 2048, got(0, 3)));
  EXPECT_EQ(refused.refusals_pending(), 1U);
  for (const auto& problem : refused.check_invariants()) ADD_FAILURE() << problem;
}

TEST_F(ModelTest, AMiniPageOfSeveralSlotsGrowsTheHeapLikeAnyOther) {
  // A fresh heap: 1900 bytes (class 1920, k_c = 15) make their MiniPage by the first growth
  // (two pages: 64 slots less slot 0 and a 33-slot table leave 30).
  HeapModel wrong = model;
  EXPECT_ILLEGAL(wrong.allocate(1900, 1, got(at_slot(1), 1)), "wasm page");
  EXPECT_LEGAL(model.allocate(1900, 1, got(at_slot(1), 2)));
  EXPECT_LEGAL(model.usable_size(at_slot(1), 1920, got(0, 2)));
  EXPECT_EQ(model.stats().mini_pages, 1U);
  check();
}

TEST_F(ModelTest, ARefusedGrowthLeavesAClassOfSeveralSlotsALargeBlock) {
  // The first ask, for the MiniPage, is refused; the large block of one slot asks again, and
  // that ask is granted.
  model.refuse_next_grows(1);
  HeapModel wrong = model;
  EXPECT_ILLEGAL(wrong.allocate(1900, 1, got(at_slot(1), 2, 0)), "refused");
  EXPECT_LEGAL(model.allocate(1900, 1, got(at_slot(1), 2, 1)));
  EXPECT_LEGAL(model.usable_size(at_slot(1), 2048, got(0, 2)));
  wrong = model;
  EXPECT_ILLEGAL(wrong.usable_size(at_slot(1), 1920, got(0, 2)), "the model says 2048");
  // A class of one slot has no such fallback: refused, it fails.
  HeapModel one_slot{1 << 20, 16};
  one_slot.refuse_next_grows(1);
  EXPECT_LEGAL(one_slot.allocate(250, 1, got(0, 0, 1)));
  for (const auto& problem : model.check_invariants()) ADD_FAILURE() << problem;
  for (const auto& problem : one_slot.check_invariants()) ADD_FAILURE() << problem;
}

TEST_F(ModelTest, SegmentsInAMiniPagesLaterSlotsAreBlocks) {
  grow_first();
  // Class 768 (3 slots, 8 Segments): Segment 3 starts at byte 2304, in the second slot, and
  // Segment 7 at 5376, in the third.
  for (std::size_t i = 0; i < 8; ++i) {
    SCOPED_TRACE(i);
    const std::size_t byte = i * 768;
    EXPECT_LEGAL(model.allocate(768, 1, got(at_slot(1 + byte / 2048, byte % 2048), 2)));
  }
  EXPECT_LEGAL(model.usable_size(at_slot(2, 256), 768, got(0, 2)));
  EXPECT_LEGAL(model.usable_size(at_slot(3, 1280), 768, got(0, 2)));
  // Pointers inside a Segment, not at its start, are invalid_pointer in every slot of the
  // MiniPage: byte 2048 is inside Segment 2, byte 4096 inside Segment 5.
  EXPECT_ILLEGAL(model.deallocate(at_slot(2), got(0, 2, 0, Error::double_free)), "invalid_pointer");
  EXPECT_LEGAL(model.deallocate(at_slot(2), got(0, 2, 0, Error::invalid_pointer)));
  EXPECT_LEGAL(model.deallocate(at_slot(2, 300), got(0, 2, 0, Error::invalid_pointer)));
  EXPECT_LEGAL(model.deallocate(at_slot(3), got(0, 2, 0, Error::invalid_pointer)));
  EXPECT_LEGAL(model.usable_size(at_slot(3, 8), 0, got(0, 2, 0, Error::invalid_pointer)));
  EXPECT_EQ(model.stats().live_blocks, 8U);
  // Freed from its second slot: the MiniPage is current, so it stays; the next allocation gets
  // that Segment back (the only free one).
  EXPECT_LEGAL(model.deallocate(at_slot(2, 256), got(0, 2)));
  EXPECT_EQ(model.stats().live_blocks, 7U);
  EXPECT_LEGAL(model.deallocate(at_slot(2, 256), got(0, 2, 0, Error::double_free)));
  EXPECT_ILLEGAL(model.deallocate(at_slot(2, 256), got(0, 2, 0, Error::invalid_pointer)),
                 "double_free");
  HeapModel wrong = model;
  EXPECT_ILLEGAL(wrong.allocate(768, 1, got(at_slot(2), 2)), "not the start of a Segment");
  wrong = model;
  EXPECT_ILLEGAL(wrong.allocate(768, 1, got(at_slot(3, 1280), 2)), "already live");
  EXPECT_LEGAL(model.allocate(768, 1, got(at_slot(2, 256), 2)));
  // Freed from its third slot, by a sized deallocation (768 bytes, 256-aligned).
  EXPECT_LEGAL(model.deallocate_sized(at_slot(3, 1280), 769, 1,
                                      got(0, 2, 0, Error::size_mismatch)));
  EXPECT_LEGAL(model.deallocate_sized(at_slot(3, 1280), 768, 256, got(0, 2)));
  EXPECT_EQ(model.stats().live_blocks, 7U);
  check();
}

TEST_F(ModelTest, PointersPastTheLastSegmentOrInsideOneAreInvalid) {
  // Class 1344: three Segments in two slots, bytes 4032 to 4095 belong to none.
  ASSERT_EQ(model.classes().slots(*model.classes().class_of_size(1344)), 2U);
  EXPECT_LEGAL(model.allocate(1300, 1, got(at_slot(1), 2)));
  EXPECT_LEGAL(model.deallocate(at_slot(2, 1984), got(0, 2, 0, Error::invalid_pointer)));
  EXPECT_ILLEGAL(model.deallocate(at_slot(2, 1984), got(0, 2, 0, Error::double_free)),
                 "invalid_pointer");
  EXPECT_LEGAL(model.deallocate(at_slot(1, 1344), got(0, 2, 0, Error::double_free)));  // free
  EXPECT_LEGAL(model.deallocate(at_slot(2, 640), got(0, 2, 0, Error::double_free)));   // free
  // Class 4096: one Segment over two slots, so the second slot's start is inside it.
  EXPECT_LEGAL(model.allocate(4000, 1, got(at_slot(3), 2)));
  EXPECT_EQ(layout(model), std::string("0:metadatax1 1:MiniPagex2 3:MiniPagex2 5:freex25 ") +
                               kPoolTable);
  EXPECT_LEGAL(model.usable_size(at_slot(3), 4096, got(0, 2)));
  EXPECT_LEGAL(model.deallocate(at_slot(4), got(0, 2, 0, Error::invalid_pointer)));
  EXPECT_ILLEGAL(model.deallocate(at_slot(4), got(0, 2, 0, Error::double_free)), "invalid_pointer");
  EXPECT_LEGAL(model.deallocate(at_slot(4, 2040), got(0, 2, 0, Error::invalid_pointer)));
  // A MiniPage without slack ends with its last Segment: just past it is the next span (here
  // the head of a free span, which reads as a freed block).
  EXPECT_LEGAL(model.deallocate(at_slot(5), got(0, 2, 0, Error::double_free)));
  EXPECT_EQ(model.stats().live_blocks, 2U);
  check();
}

TEST_F(ModelTest, EmptiedMediumMiniPageBeyondFourSparesFreesAllItsSlotsAsOneSpan) {
  grow_first();
  // Class 4096: k_c = 2, one Segment. Six MiniPages at 1, 3, ..., 11; 11 is current.
  std::size_t c = *model.classes().class_of_size(4096);
  for (std::size_t first = 1; first <= 11; first += 2) {
    EXPECT_LEGAL(model.allocate(4096, 1, got(at_slot(first), 2)));
  }
  for (std::size_t first : {1, 3, 5, 7}) EXPECT_LEGAL(model.deallocate(at_slot(first), got(0, 2)));
  EXPECT_EQ(model.spares(c), (std::set<std::size_t>{1, 3, 5, 7}));
  // A spare becomes current (its Segment 0), and the MiniPage at 9 empties into the fourth
  // spare place.
  EXPECT_LEGAL(model.allocate(4096, 1, got(at_slot(1), 2)));
  EXPECT_EQ(model.current(c), 1U);
  EXPECT_LEGAL(model.deallocate(at_slot(9), got(0, 2)));
  EXPECT_EQ(model.spares(c), (std::set<std::size_t>{3, 5, 7, 9}));
  // The MiniPage at 11, no longer current, empties with four spares: both its slots are freed
  // as one span, which merges with the top free span; its bitmap record goes back.
  EXPECT_LEGAL(model.deallocate(at_slot(11), got(0, 2)));
  EXPECT_EQ(layout(model), std::string("0:metadatax1 1:MiniPagex2 3:MiniPagex2 5:MiniPagex2 "
                                       "7:MiniPagex2 9:MiniPagex2 11:freex19 ") + kPoolTable);
  EXPECT_EQ(model.stats().mini_pages, 5U);
  EXPECT_LEGAL(model.deallocate(at_slot(11), got(0, 2, 0, Error::double_free)));
  EXPECT_LEGAL(model.deallocate(at_slot(12), got(0, 2, 0, Error::invalid_pointer)));
  check();
  // Retiring frees the spares' slots the same way: a 20-slot block fits no span (19 at 11), so
  // the four spares retire and merge with it into one span of 27 at 3.
  HeapModel wrong = model;
  EXPECT_ILLEGAL(wrong.allocate(20 * 2048, 1, got(at_slot(11), 2)), "low end");
  EXPECT_LEGAL(model.allocate(20 * 2048, 1, got(at_slot(3), 2)));
  EXPECT_EQ(layout(model),
            std::string("0:metadatax1 1:MiniPagex2 3:large blockx20 23:freex7 ") + kPoolTable);
  EXPECT_TRUE(model.spares(c).empty());
  EXPECT_EQ(model.retired_mini_pages(), 4U);
  check();
}

TEST_F(ModelTest, ANewMiniPagesSearchRetiresSpareSpansBeforeMemoryGrows) {
  EXPECT_LEGAL(model.allocate(8, 1, got(at_slot(1), 2)));  // the pool has records now
  EXPECT_LEGAL(model.allocate(9 * 2048, 1, got(at_slot(2), 2)));
  EXPECT_LEGAL(model.allocate(10 * 2048, 1, got(at_slot(11), 2)));
  EXPECT_LEGAL(model.allocate(9 * 2048, 1, got(at_slot(21), 2)));  // up to the table
  EXPECT_LEGAL(model.deallocate(at_slot(2), got(0, 2)));
  EXPECT_LEGAL(model.deallocate(at_slot(11), got(0, 2)));
  EXPECT_EQ(layout(model), std::string("0:metadatax1 1:MiniPagex1 2:spare spanx9 "
                                       "11:spare spanx10 21:large blockx9 ") + kPoolTable);
  // Class 15360 (k_c = 15): no free span, so the spare spans retire (19 free slots at 2) and
  // the MiniPage takes the low end; memory must not grow.
  ASSERT_EQ(model.classes().slots(*model.classes().class_of_size(15360)), 15U);
  HeapModel wrong = model;
  EXPECT_ILLEGAL(wrong.allocate(15000, 1, got(at_slot(31), 3)), "free span");
  EXPECT_LEGAL(model.allocate(15000, 1, got(at_slot(2), 2)));
  EXPECT_EQ(layout(model), std::string("0:metadatax1 1:MiniPagex1 2:MiniPagex15 17:freex4 "
                                       "21:large blockx9 ") + kPoolTable);
  EXPECT_TRUE(model.spare_spans(9).empty());
  EXPECT_TRUE(model.spare_spans(10).empty());
  EXPECT_EQ(model.retired_spare_spans(), 2U);
  // Its second Segment starts at byte 15360, in the MiniPage's eighth slot.
  EXPECT_LEGAL(model.allocate(15000, 1, got(at_slot(9, 1024), 2)));
  check();
}

TEST_F(ModelTest, SixteenKiBIsTheLargestSmallBlock) {
  grow_first();
  EXPECT_LEGAL(model.allocate(16384, 1, got(at_slot(1), 2)));  // class 16384: 8 slots
  EXPECT_LEGAL(model.allocate(16385, 1, got(at_slot(9), 2)));  // large: 9 slots
  EXPECT_EQ(layout(model), std::string("0:metadatax1 1:MiniPagex8 9:large blockx9 18:freex12 ") +
                               kPoolTable);
  EXPECT_EQ(model.stats().mini_pages, 1U);
  EXPECT_EQ(model.stats().large_blocks, 1U);
  EXPECT_EQ(model.stats().bytes_in_use, 16384U + 9 * 2048);
  EXPECT_LEGAL(model.usable_size(at_slot(1), 16384, got(0, 2)));
  // Reallocation within the class stays in place; past 16384 bytes the block moves to a large
  // block, and its MiniPage (current) stays, empty.
  EXPECT_LEGAL(model.reallocate(at_slot(1), 15873, 1, got(at_slot(1), 2)));
  HeapModel wrong = model;
  EXPECT_ILLEGAL(wrong.reallocate(at_slot(1), 16385, 1, got(at_slot(1), 2)), "free span");
  EXPECT_LEGAL(model.reallocate(at_slot(1), 16385, 1, got(at_slot(18), 2)));
  // A large block reallocated to 16384 bytes becomes small: it moves into the current
  // MiniPage, and the old 9-slot block is kept as a spare span.
  EXPECT_LEGAL(model.reallocate(at_slot(9), 16384, 1, got(at_slot(1), 2)));
  EXPECT_EQ(layout(model), std::string("0:metadatax1 1:MiniPagex8 9:spare spanx9 "
                                       "18:large blockx9 27:freex3 ") + kPoolTable);
  check();
}

TEST_F(ModelTest, LargeBlocksTakeTheLowEndAndCoalesceWhenFreed) {
  // Blocks of more than 16 slots: never kept as spare spans.
  EXPECT_LEGAL(model.allocate(17 * 2048, 1, got(at_slot(1), 2)));  // 13 free slots after it
  // 17 slots: the top free span (13) grows by one page, through the old table:
  // 13 + 33 + 32 - 33 = 45.
  EXPECT_LEGAL(model.allocate(16 * 2048 + 1, 1, got(at_slot(18), 3)));
  EXPECT_LEGAL(model.allocate(20 * 2048 - 100, 1, got(at_slot(35), 3)));
  EXPECT_EQ(model.stats().bytes_in_use, 54U * 2048);
  EXPECT_LEGAL(model.deallocate(at_slot(18), got(0, 3)));
  EXPECT_LEGAL(model.deallocate(at_slot(1), got(0, 3)));
  EXPECT_EQ(layout(model), "0:metadatax1 1:freex34 35:large blockx20 55:freex8 63:metadatax33 ");
  EXPECT_LEGAL(model.deallocate(at_slot(35), got(0, 3)));
  EXPECT_EQ(layout(model), "0:metadatax1 1:freex62 63:metadatax33 ");
  EXPECT_EQ(model.stats().free_bytes, 62U * 2048);
  EXPECT_EQ(model.stats().metadata_bytes, 34U * 2048);
  check();
}

TEST_F(ModelTest, FreedNineSlotBlockIsASpareSpanTheNextNineSlotRequestTakes) {
  EXPECT_LEGAL(model.allocate(8, 1, got(at_slot(1), 2)));  // so the block starts at slot 2
  EXPECT_LEGAL(model.allocate(9 * 2048, 1, got(at_slot(2), 2)));
  EXPECT_LEGAL(model.deallocate(at_slot(2), got(0, 2)));
  // Kept whole, beside the free span it does not merge with, and counted as free bytes.
  EXPECT_EQ(layout(model),
            std::string("0:metadatax1 1:MiniPagex1 2:spare spanx9 11:freex19 ") + kPoolTable);
  EXPECT_EQ(model.spare_spans(9), std::set<std::size_t>{2});
  EXPECT_EQ(model.stats().free_bytes, 28U * 2048);
  EXPECT_EQ(model.stats().large_blocks, 0U);
  check();
  // No free-span search sees it: not a 10-slot request, nor a 9-slot one aligned past 2048
  // (slot 2 is on a 4096 boundary, the free span's low end is not), nor a new MiniPage of 9
  // slots (class 9216), which never takes a spare span.
  HeapModel other = model;
  EXPECT_ILLEGAL(other.allocate(10 * 2048, 1, got(at_slot(2), 2)), "free span");
  EXPECT_LEGAL(other.allocate(10 * 2048, 1, got(at_slot(11), 2)));
  other = model;
  EXPECT_ILLEGAL(other.allocate(9 * 2048, 4096, got(at_slot(2), 2)), "free span");
  EXPECT_LEGAL(other.allocate(9 * 2048, 4096, got(at_slot(12), 2)));
  other = model;
  ASSERT_EQ(other.classes().slots(*other.classes().class_of_size(9216)), 9U);
  EXPECT_ILLEGAL(other.allocate(9000, 1, got(at_slot(2), 2)), "free span");
  EXPECT_LEGAL(other.allocate(9000, 1, got(at_slot(11), 2)));
  EXPECT_EQ(layout(other), std::string("0:metadatax1 1:MiniPagex1 2:spare spanx9 11:MiniPagex9 "
                                       "20:freex10 ") + kPoolTable);
  // A 9-slot request takes it before any free span.
  HeapModel wrong = model;
  EXPECT_ILLEGAL(wrong.allocate(9 * 2048, 1, got(at_slot(11), 2)), "spare span");
  wrong = model;
  EXPECT_ILLEGAL(wrong.allocate(9 * 2048, 1, got(at_slot(2, 8), 2)), "spare span");
  EXPECT_LEGAL(model.allocate(17000, 1, got(at_slot(2), 2)));
  EXPECT_EQ(layout(model),
            std::string("0:metadatax1 1:MiniPagex1 2:large blockx9 11:freex19 ") + kPoolTable);
  EXPECT_TRUE(model.spare_spans(9).empty());
  EXPECT_LEGAL(model.usable_size(at_slot(2), 9 * 2048, got(0, 2)));
  check();
}

TEST_F(ModelTest, FifthFreedBlockOfALengthIsFreedAsASpanAndMerges) {
  // Nine-slot blocks at 1, 10 and 19; the fourth grows memory by a page (3 + 33 + 32 - 33 = 35
  // free at 28).
  for (std::size_t slot = 1; slot <= 37; slot += 9) {
    EXPECT_LEGAL(model.allocate(9 * 2048, 1, got(at_slot(slot), slot < 28 ? 2 : 3)));
  }
  for (std::size_t slot = 1; slot <= 37; slot += 9) {
    EXPECT_LEGAL(model.deallocate(at_slot(slot), got(0, 3)));
  }
  // Four spare spans of 9 slots; the fifth block merges with the free span after it (not with
  // the spare span before it).
  EXPECT_EQ(model.spare_spans(9), (std::set<std::size_t>{1, 10, 19, 28}));
  EXPECT_EQ(layout(model), "0:metadatax1 1:spare spanx9 10:spare spanx9 19:spare spanx9 "
                           "28:spare spanx9 37:freex26 63:metadatax33 ");
  // The four are per length: a 10-slot block is still kept.
  EXPECT_LEGAL(model.allocate(10 * 2048, 1, got(at_slot(37), 3)));
  EXPECT_LEGAL(model.deallocate(at_slot(37), got(0, 3)));
  EXPECT_EQ(model.spare_spans(10), std::set<std::size_t>{37});
  EXPECT_EQ(model.stats().free_bytes, 62U * 2048);
  // Any of the four serves a 9-slot request.
  HeapModel wrong = model;
  EXPECT_ILLEGAL(wrong.allocate(9 * 2048, 1, got(at_slot(47), 3)), "spare span");
  EXPECT_LEGAL(model.allocate(9 * 2048, 1, got(at_slot(19), 3)));
  EXPECT_EQ(model.spare_spans(9), (std::set<std::size_t>{1, 10, 28}));
  check();
}

TEST_F(ModelTest, SpareSpansRetireBeforeMemoryGrows) {
  EXPECT_LEGAL(model.allocate(9 * 2048, 1, got(at_slot(1), 2)));
  EXPECT_LEGAL(model.allocate(10 * 2048, 1, got(at_slot(10), 2)));
  EXPECT_LEGAL(model.allocate(11 * 2048, 1, got(at_slot(20), 2)));  // up to the table
  EXPECT_LEGAL(model.deallocate(at_slot(1), got(0, 2)));
  EXPECT_LEGAL(model.deallocate(at_slot(10), got(0, 2)));
  EXPECT_EQ(layout(model), std::string("0:metadatax1 1:spare spanx9 10:spare spanx10 "
                                       "20:large blockx11 ") + kFirstTable);
  // No spare span of 12 slots and no free span: both spare spans are freed as one span, whose
  // low end the block takes; the heap must not grow.
  HeapModel wrong = model;
  EXPECT_ILLEGAL(wrong.allocate(12 * 2048, 1, got(at_slot(31), 3)), "free span");
  EXPECT_LEGAL(model.allocate(12 * 2048, 1, got(at_slot(1), 2)));
  EXPECT_EQ(layout(model), std::string("0:metadatax1 1:large blockx12 13:freex7 "
                                       "20:large blockx11 ") + kFirstTable);
  EXPECT_TRUE(model.spare_spans(9).empty());
  EXPECT_TRUE(model.spare_spans(10).empty());
  check();
}

TEST_F(ModelTest, SpareSpansHeadIsADoubleFree) {
  EXPECT_LEGAL(model.allocate(9 * 2048, 1, got(at_slot(1), 2)));
  EXPECT_LEGAL(model.deallocate(at_slot(1), got(0, 2)));
  EXPECT_ILLEGAL(model.deallocate(at_slot(1), got(0, 2)), "double_free");
  EXPECT_ILLEGAL(model.deallocate(at_slot(1), got(0, 2, 0, Error::invalid_pointer)), "double_free");
  EXPECT_LEGAL(model.deallocate(at_slot(1), got(0, 2, 0, Error::double_free)));
  EXPECT_LEGAL(model.deallocate_sized(at_slot(1), 9 * 2048, 1, got(0, 2, 0, Error::double_free)));
  EXPECT_LEGAL(model.usable_size(at_slot(1), 0, got(0, 2, 0, Error::double_free)));
  EXPECT_LEGAL(model.reallocate(at_slot(1), 100, 1, got(0, 2, 0, Error::double_free)));
  // Inside it, as inside a free span: invalid_pointer.
  EXPECT_ILLEGAL(model.deallocate(at_slot(2), got(0, 2, 0, Error::double_free)), "invalid_pointer");
  EXPECT_LEGAL(model.deallocate(at_slot(2), got(0, 2, 0, Error::invalid_pointer)));
  EXPECT_EQ(model.spare_spans(9), std::set<std::size_t>{1});  // untouched
  check();
}

TEST_F(ModelTest, ReallocationKeepsTheOldBlockAsASpareSpanButNeverTheTail) {
  // Three pages first: a 61-slot block (no spare span is that long), freed as a span.
  grow_first(61, 3);
  EXPECT_LEGAL(model.allocate(9 * 2048, 1, got(at_slot(1), 3)));
  EXPECT_LEGAL(model.allocate(10 * 2048, 1, got(at_slot(10), 3)));
  EXPECT_LEGAL(model.deallocate(at_slot(10), got(0, 3)));
  // Growing in place needs a free span after the block, not a spare one: the block moves, and
  // the old block becomes a spare span.
  HeapModel wrong = model;
  EXPECT_ILLEGAL(wrong.reallocate(at_slot(1), 18 * 2048, 1, got(at_slot(1), 3)), "free span");
  EXPECT_LEGAL(model.reallocate(at_slot(1), 18 * 2048, 1, got(at_slot(20), 3)));
  EXPECT_EQ(layout(model), "0:metadatax1 1:spare spanx9 10:spare spanx10 20:large blockx18 "
                           "38:freex25 63:metadatax33 ");
  // Shrinking frees the tail as a span (it merges), even one of a spare span's length.
  EXPECT_LEGAL(model.reallocate(at_slot(20), 9 * 2048, 1, got(at_slot(20), 3)));
  EXPECT_EQ(layout(model), "0:metadatax1 1:spare spanx9 10:spare spanx10 20:large blockx9 "
                           "29:freex34 63:metadatax33 ");
  EXPECT_EQ(model.spare_spans(9), std::set<std::size_t>{1});
  // A block that cannot grow in place moves into a spare span of its new length.
  EXPECT_LEGAL(model.allocate(20 * 2048, 1, got(at_slot(29), 3)));
  wrong = model;
  EXPECT_ILLEGAL(wrong.reallocate(at_slot(20), 10 * 2048, 1, got(at_slot(49), 3)), "spare span");
  EXPECT_LEGAL(model.reallocate(at_slot(20), 10 * 2048, 1, got(at_slot(10), 3)));
  EXPECT_EQ(layout(model), "0:metadatax1 1:spare spanx9 10:large blockx10 20:spare spanx9 "
                           "29:large blockx20 49:freex14 63:metadatax33 ");
  check();
}

TEST_F(ModelTest, AlignedLargeBlockKeepsTheFirstAlignedSlotsOfItsSpan) {
  // 16 KiB alignment: 1 + 8 - 1 slots taken from slot 1, the block kept at slot 8.
  HeapModel wrong = model;
  EXPECT_ILLEGAL(wrong.allocate(100, 16384, got(at_slot(1), 2)), "aligned");
  EXPECT_LEGAL(model.allocate(100, 16384, got(at_slot(8), 2)));
  EXPECT_EQ(layout(model),
            std::string("0:metadatax1 1:freex7 8:large blockx1 9:freex22 ") + kFirstTable);
  check();
}

TEST_F(ModelTest, GrowthTakesTheFewestPages) {
  HeapModel big(4 << 20, 16);
  EXPECT_LEGAL(big.allocate(30 * 2048, 1, got(at_slot(1), 2)));  // 64 - 1 - 33 = 30: two pages
  // 33 slots, no top free span: one page leaves 33 + 32 - 33 = 32, two 33 + 64 - 33 = 64.
  HeapModel wrong = big;
  EXPECT_ILLEGAL(wrong.allocate(33 * 2048, 1, got(at_slot(31), 5)), "wasm page");
  wrong = big;
  EXPECT_ILLEGAL(wrong.allocate(33 * 2048, 1, got(at_slot(31), 3)), "wasm page");
  EXPECT_LEGAL(big.allocate(33 * 2048, 1, got(at_slot(31), 4)));
  EXPECT_EQ(layout(big), "0:metadatax1 1:large blockx30 31:large blockx33 64:freex31 "
                         "95:metadatax33 ");
  // The pool takes the top free span's last slot, the MiniPage its first.
  EXPECT_LEGAL(big.allocate(8, 1, got(at_slot(64), 4)));
  EXPECT_EQ(layout(big), "0:metadatax1 1:large blockx30 31:large blockx33 64:MiniPagex1 "
                         "65:freex29 94:metadatax34 ");
  check();
}

TEST_F(ModelTest, GrowthRunsThroughTheOldTable) {
  EXPECT_LEGAL(model.allocate(8, 1, got(at_slot(1), 2)));
  // 40 slots: the top free span (28 at 2) is short; one page gives 28 + 34 + 32 - 34 = 60, and
  // the block's low end lies where the old table was.
  HeapModel wrong = model;
  EXPECT_ILLEGAL(wrong.allocate(40 * 2048, 1, got(at_slot(64), 3)), "free span");
  EXPECT_LEGAL(model.allocate(40 * 2048, 1, got(at_slot(2), 3)));
  EXPECT_EQ(layout(model), "0:metadatax1 1:MiniPagex1 2:large blockx40 42:freex20 "
                           "62:metadatax34 ");
  EXPECT_EQ(model.stats().metadata_bytes, 2048U * (1 + 34));
  check();
}

// A heap of 130 pages (4160 slots) whose table has 33 slots of records: p_min = 2.
class GenerousGrowthTest : public ::testing::Test {
 protected:
  static constexpr std::size_t kPages = 130;
  // 4160 - 1 - 65 = 4094 slots: the first growth makes exactly 130 pages, all taken.
  void fill(HeapModel& heap) {
    EXPECT_LEGAL(heap.allocate(4094 * 2048, 1, got(at_slot(1), kPages)));
    EXPECT_EQ(layout(heap), "0:metadatax1 1:large blockx4094 4095:metadatax65 ");
  }
};

TEST_F(GenerousGrowthTest, PMinMakesTheHeapAskForMoreThanItNeeds) {
  HeapModel heap(16 << 20, 16);
  fill(heap);
  // A MiniPage needs a bitmap record; the pool has none and there is no top free span to take,
  // so memory grows for one slot: one page would do (0 + 65 + 32 - 65 = 32), but the records
  // moved are 33 slots, so the heap asks for two: 65 + 64 - 65 = 64 free. The pool takes the
  // last of them, the MiniPage the first.
  HeapModel wrong = heap;
  EXPECT_ILLEGAL(wrong.allocate(8, 1, got(at_slot(4095), kPages + 1)), "wasm page");
  EXPECT_LEGAL(heap.allocate(8, 1, got(at_slot(4095), kPages + 2)));
  EXPECT_EQ(layout(heap), "0:metadatax1 1:large blockx4094 4095:MiniPagex1 4096:freex62 "
                          "4158:metadatax66 ");
  for (const auto& problem : heap.check_invariants()) ADD_FAILURE() << problem;
}

TEST_F(GenerousGrowthTest, RefusedGenerousGrowthAsksOnceMoreForTheFewest) {
  HeapModel heap(16 << 20, 16);
  fill(heap);
  heap.refuse_next_grows(1);
  // The ask for two pages is refused (one refusal seen), the ask for one is granted.
  HeapModel wrong = heap;
  EXPECT_ILLEGAL(wrong.allocate(8, 1, got(0, kPages, 1)), "null");
  wrong = heap;
  EXPECT_ILLEGAL(wrong.allocate(8, 1, got(at_slot(4095), kPages + 1, 0)), "refused");
  EXPECT_LEGAL(heap.allocate(8, 1, got(at_slot(4095), kPages + 1, 1)));
  EXPECT_EQ(layout(heap), "0:metadatax1 1:large blockx4094 4095:MiniPagex1 4096:freex30 "
                          "4126:metadatax66 ");
  EXPECT_EQ(heap.refusals_pending(), 0U);
}

TEST_F(GenerousGrowthTest, BothAsksRefusedFailTheCall) {
  HeapModel heap(16 << 20, 16);
  fill(heap);
  heap.refuse_next_grows(3);
  HeapModel wrong = heap;
  EXPECT_ILLEGAL(wrong.allocate(8, 1, got(0, kPages, 1)), "refused");
  EXPECT_LEGAL(heap.allocate(8, 1, got(0, kPages, 2)));
  EXPECT_EQ(heap.refusals_pending(), 1U);
  EXPECT_EQ(layout(heap), "0:metadatax1 1:large blockx4094 4095:metadatax65 ");
}

TEST_F(GenerousGrowthTest, GenerousGrowthPastTheMaximumAsksForTheFewest) {
  HeapModel heap((kPages + 1) * 65536, 16);  // room for one more page only
  fill(heap);
  // Two pages pass the maximum (no refusal counted); one page is granted.
  HeapModel wrong = heap;
  EXPECT_ILLEGAL(wrong.allocate(8, 1, got(0, kPages)), "null");
  EXPECT_LEGAL(heap.allocate(8, 1, got(at_slot(4095), kPages + 1)));
  EXPECT_EQ(layout(heap), "0:metadatax1 1:large blockx4094 4095:MiniPagex1 4096:freex30 "
                          "4126:metadatax66 ");
}

TEST_F(GenerousGrowthTest, GrowthUnderABlockAsksForPMinToo) {
  HeapModel heap(16 << 20, 16);
  fill(heap);  // the block ends where the table begins
  // One slot more: k = 1, t = 0, p_k = 1, p_min = 2. In place either way.
  HeapModel exact = heap;
  EXPECT_LEGAL(heap.reallocate(at_slot(1), 4095 * 2048, 1, got(at_slot(1), kPages + 2)));
  EXPECT_EQ(layout(heap), "0:metadatax1 1:large blockx4095 4096:freex63 4159:metadatax65 ");
  exact.refuse_next_grows(1);
  HeapModel wrong = exact;
  EXPECT_ILLEGAL(wrong.reallocate(at_slot(1), 4095 * 2048, 1, got(at_slot(1), kPages + 2, 1)),
                 "wasm page");
  EXPECT_LEGAL(exact.reallocate(at_slot(1), 4095 * 2048, 1, got(at_slot(1), kPages + 1, 1)));
  EXPECT_EQ(layout(exact), "0:metadatax1 1:large blockx4095 4096:freex31 4127:metadatax65 ");
}

// "The pool": every MiniPage owns one of the pool's 64 bitmap records per slot. One-Segment
// MiniPages (class 2048) fill slots 1..29 (the pool took slot 30), then grow memory a page at a
// time (34 + 32 - 34 = 32 free slots each); the 65th MiniPage finds the pool full and the pool
// takes the top free span's last slot: the table starts one slot lower.
TEST_F(ModelTest, The65thMiniPageGrowsThePoolByTheTopFreeSpansLastSlot) {
  for (std::size_t page = 1; page <= 65; ++page) {
    std::size_t pages = page <= 29 ? 2 : page <= 61 ? 3 : 4;
    EXPECT_LEGAL(model.allocate(2048, 1, got(at_slot(page), pages)));
  }
  EXPECT_EQ(model.span_map().pool_slots(), 2U);
  const std::string text = layout(model);
  EXPECT_NE(text.find("65:MiniPagex1 66:freex27 93:metadatax35 "), std::string::npos) << text;
  EXPECT_EQ(model.stats().metadata_bytes, 2048U * (1 + 32 + 2 + 1));
  check();
  // Freed, a MiniPage's record goes back to the pool, which keeps its slots: the next MiniPage
  // needs no new one.
  EXPECT_LEGAL(model.deallocate(at_slot(10), got(0, 4)));
  EXPECT_EQ(model.span_map().pool_slots(), 2U);
  check();
}

TEST_F(ModelTest, RefusedGrowFailsTheCallAndChangesNothing) {
  model.refuse_next_grows(1);
  HeapModel wrong = model;
  EXPECT_ILLEGAL(wrong.allocate(1, 1, got(0, 0, 0)), "refused");
  EXPECT_LEGAL(model.allocate(1, 1, got(0, 0, 1)));  // the first growth asks once: p = p_k
  EXPECT_LEGAL(model.allocate(1, 1, got(at_slot(1), 2)));
}

TEST_F(ModelTest, BadPointersGetTheirErrors) {
  EXPECT_LEGAL(model.allocate(8, 1, got(at_slot(1), 2)));
  EXPECT_LEGAL(model.allocate(8, 1, got(at_slot(1, 8), 2)));
  EXPECT_ILLEGAL(model.deallocate(at_slot(1, 4), got(0, 2)), "invalid_pointer");
  EXPECT_LEGAL(model.deallocate(at_slot(1, 4), got(0, 2, 0, Error::invalid_pointer)));
  EXPECT_LEGAL(model.deallocate(at_slot(1), got(0, 2)));
  EXPECT_ILLEGAL(model.deallocate(at_slot(1), got(0, 2, 0, Error::invalid_pointer)), "double_free");
  EXPECT_LEGAL(model.deallocate(at_slot(1), got(0, 2, 0, Error::double_free)));
  EXPECT_LEGAL(model.deallocate(at_slot(2), got(0, 2, 0, Error::double_free)));  // span head
  EXPECT_ILLEGAL(model.deallocate(at_slot(2), got(0, 2, 0, Error::invalid_pointer)), "double_free");
  EXPECT_LEGAL(model.deallocate(at_slot(10), got(0, 2, 0, Error::invalid_pointer)));  // inside
  EXPECT_ILLEGAL(model.deallocate(at_slot(10), got(0, 2, 0, Error::double_free)), "invalid_pointer");
  EXPECT_LEGAL(model.deallocate(at_slot(0), got(0, 2, 0, Error::invalid_pointer)));   // slot 0
  EXPECT_LEGAL(model.deallocate(at_slot(30), got(0, 2, 0, Error::invalid_pointer)));  // apron
  EXPECT_LEGAL(model.deallocate(at_slot(63), got(0, 2, 0, Error::invalid_pointer)));  // table
  EXPECT_ILLEGAL(model.deallocate(at_slot(30), got(0, 2, 0, Error::double_free)), "invalid_pointer");
  EXPECT_LEGAL(model.deallocate(kBase - 8, got(0, 2, 0, Error::invalid_pointer)));
  EXPECT_LEGAL(model.deallocate(at_slot(64), got(0, 2, 0, Error::invalid_pointer)));  // past top
  EXPECT_LEGAL(model.deallocate(0, got(0, 2)));
  // Sized deallocation: the block (8 bytes at an 8-byte boundary) cannot hold 9 bytes or
  // 16-byte alignment.
  std::uintptr_t block = at_slot(1, 8);
  EXPECT_LEGAL(model.deallocate_sized(block, 9, 8, got(0, 2, 0, Error::size_mismatch)));
  EXPECT_LEGAL(model.deallocate_sized(block, 8, 16, got(0, 2, 0, Error::size_mismatch)));
  EXPECT_LEGAL(model.usable_size(block, 8, got(0, 2)));
  EXPECT_ILLEGAL(model.usable_size(block, 16, got(0, 2)), "usable size");
  EXPECT_LEGAL(model.deallocate_sized(block, 8, 8, got(0, 2)));
  EXPECT_EQ(model.stats().live_blocks, 0U);
}

TEST_F(ModelTest, ReallocationInPlaceWhenTheREADMESaysSo) {
  EXPECT_LEGAL(model.allocate(9 * 2048, 1, got(at_slot(1), 2)));
  EXPECT_LEGAL(model.allocate(17 * 2048, 1, got(at_slot(10), 2)));  // freed as a span, not a spare
  EXPECT_LEGAL(model.deallocate(at_slot(10), got(0, 2)));
  std::uintptr_t block = at_slot(1);
  EXPECT_ILLEGAL(model.reallocate(block, 12 * 2048, 1, got(at_slot(10), 2)), "in place");
  EXPECT_LEGAL(model.reallocate(block, 12 * 2048, 1, got(block, 2)));  // into the span after it
  EXPECT_EQ(layout(model), std::string("0:metadatax1 1:large blockx12 13:freex18 ") + kFirstTable);
  EXPECT_LEGAL(model.reallocate(block, 9 * 2048, 1, got(block, 2)));  // shrinks, frees the tail
  EXPECT_EQ(layout(model), std::string("0:metadatax1 1:large blockx9 10:freex21 ") + kFirstTable);
  // 31 slots: the span after (21) is short but is the top free span, and no span of 31 exists,
  // so memory grows under the block: 21 + 33 + 32 - 33 = 53 >= 22 missing.
  EXPECT_LEGAL(model.reallocate(block, 31 * 2048, 1, got(block, 3)));
  EXPECT_EQ(layout(model), "0:metadatax1 1:large blockx31 32:freex31 63:metadatax33 ");
  // Large to small moves: the pool takes the top free span's last slot, a new MiniPage the low
  // end of the only span, then the old block is freed.
  EXPECT_LEGAL(model.reallocate(block, 250, 1, got(at_slot(32), 3)));  // class 256: one slot
  EXPECT_EQ(layout(model), "0:metadatax1 1:freex31 32:MiniPagex1 33:freex29 62:metadatax34 ");
  EXPECT_LEGAL(model.reallocate(at_slot(32), 255, 1, got(at_slot(32), 3)));  // same class
  EXPECT_ILLEGAL(model.reallocate(at_slot(32), 250, 1, got(at_slot(32, 256), 3)), "stays in place");
  // Shrunk to half its class (128 of 256 bytes) it stays; below half it moves to its class.
  HeapModel moved = model;
  EXPECT_ILLEGAL(moved.reallocate(at_slot(32), 128, 1, got(at_slot(33), 3)),
                 "shrunk by at most half stays in place");
  HeapModel kept = model;  // below half: a new MiniPage of class 128, not the old block
  EXPECT_ILLEGAL(kept.reallocate(at_slot(32), 127, 1, got(at_slot(32), 3)), "can take 1 slot");
  // Within half but not aligned as asked: Segment 1 (256 bytes into the slot) asked for 512
  // moves to class 512, a new MiniPage, not the block.
  HeapModel unaligned = model;
  EXPECT_LEGAL(unaligned.allocate(250, 1, got(at_slot(32, 256), 3)));
  EXPECT_ILLEGAL(unaligned.reallocate(at_slot(32, 256), 200, 512, got(at_slot(32, 256), 3)),
                 "can take 1 slot");
  EXPECT_LEGAL(model.reallocate(at_slot(32), 128, 1, got(at_slot(32), 3)));
  EXPECT_LEGAL(model.usable_size(at_slot(32), 256, got(0, 3)));  // still its class size
  EXPECT_LEGAL(model.reallocate(at_slot(32), 0, 1, got(0, 3)));
  EXPECT_EQ(model.stats().live_blocks, 0U);
  EXPECT_EQ(model.stats().mini_pages, 1U);  // current, empty, kept
  check();
}

TEST_F(ModelTest, BlockDirectlyBelowTheTableGrowsInPlace) {
  EXPECT_LEGAL(model.allocate(30 * 2048, 1, got(at_slot(1), 2)));
  EXPECT_EQ(layout(model), std::string("0:metadatax1 1:large blockx30 ") + kFirstTable);
  // 41 slots: 11 missing, no free span after the block (it ends where the table begins): one
  // page gives 0 + 33 + 32 - 33 = 32 free slots right after it.
  HeapModel wrong = model;
  EXPECT_ILLEGAL(wrong.reallocate(at_slot(1), 41 * 2048, 1, got(at_slot(31), 4)), "in place");
  wrong = model;
  EXPECT_ILLEGAL(wrong.reallocate(at_slot(1), 41 * 2048, 1, got(at_slot(1), 4)), "wasm page");
  EXPECT_LEGAL(model.reallocate(at_slot(1), 41 * 2048, 1, got(at_slot(1), 3)));
  EXPECT_EQ(layout(model), "0:metadatax1 1:large blockx41 42:freex21 63:metadatax33 ");
  check();
}

TEST_F(ModelTest, BlockBelowTheTableMovesWhenTheGrowthUnderItIsRefused) {
  HeapModel big(4 << 20, 16);
  EXPECT_LEGAL(big.allocate(30 * 2048, 1, got(at_slot(1), 2)));
  big.refuse_next_grows(1);
  // The growth for the 11 missing slots is refused; the block moves like any reallocation:
  // nothing free, so memory grows for the whole 41 slots (33 + 64 - 33 = 64, two pages) and
  // the old block is freed.
  HeapModel wrong = big;
  EXPECT_ILLEGAL(wrong.reallocate(at_slot(1), 41 * 2048, 1, got(at_slot(1), 3, 1)), "free span");
  wrong = big;
  EXPECT_ILLEGAL(wrong.reallocate(at_slot(1), 41 * 2048, 1, got(at_slot(31), 4, 0)), "refused");
  EXPECT_LEGAL(big.reallocate(at_slot(1), 41 * 2048, 1, got(at_slot(31), 4, 1)));
  EXPECT_EQ(layout(big), "0:metadatax1 1:freex30 31:large blockx41 72:freex23 95:metadatax33 ");
  // Both refused: null, the block untouched.
  big.refuse_next_grows(2);
  EXPECT_LEGAL(big.reallocate(at_slot(31), 100 * 2048, 1, got(0, 4, 2)));
  EXPECT_EQ(layout(big), "0:metadatax1 1:freex30 31:large blockx41 72:freex23 95:metadatax33 ");
  for (const auto& problem : big.check_invariants()) ADD_FAILURE() << problem;
}

TEST_F(ModelTest, BlockAtTheTopGrowsInPlacePastWhatWasAGroupBoundary) {
  HeapModel big(4 << 20, 16);
  // 480 slots: 17 pages (544 - 1 - 37 = 506), a top free span of 26 up to the table at 507.
  EXPECT_LEGAL(big.allocate(480 * 2048, 1, got(at_slot(1), 17)));
  EXPECT_EQ(layout(big), "0:metadatax1 1:large blockx480 481:freex26 507:metadatax37 ");
  // 600 slots: 120 missing over a top free span of 26; three pages give 26 + 37 + 96 - 37 =
  // 122. The block grows in place across slot 512 (once a 1 MiB group's descriptor block).
  HeapModel wrong = big;
  EXPECT_ILLEGAL(wrong.reallocate(at_slot(1), 600 * 2048, 1, got(at_slot(481), 37)), "in place");
  wrong = big;
  EXPECT_ILLEGAL(wrong.reallocate(at_slot(1), 600 * 2048, 1, got(at_slot(1), 19)), "wasm page");
  wrong = big;
  EXPECT_ILLEGAL(wrong.reallocate(at_slot(1), 600 * 2048, 1, got(at_slot(1), 21)), "wasm page");
  EXPECT_LEGAL(big.reallocate(at_slot(1), 600 * 2048, 1, got(at_slot(1), 20)));
  EXPECT_EQ(layout(big), "0:metadatax1 1:large blockx600 601:freex2 603:metadatax37 ");
  EXPECT_EQ(big.stats().metadata_bytes, 2048U * (1 + 37));
  for (const auto& problem : big.check_invariants()) ADD_FAILURE() << problem;
}

TEST_F(ModelTest, BlockNotAtTheTopMovesInsteadOfGrowingMemory) {
  HeapModel big(4 << 20, 16);
  EXPECT_LEGAL(big.allocate(17 * 2048, 1, got(at_slot(1), 2)));
  EXPECT_LEGAL(big.allocate(9 * 2048, 1, got(at_slot(18), 2)));  // 4 free slots after it
  // The first block is followed by a large block: it moves, growing the heap for 20 slots
  // (4 + 33 + 32 - 33 = 36 free at 27), and is freed as a span (17 slots: no spare span).
  HeapModel wrong = big;
  EXPECT_ILLEGAL(wrong.reallocate(at_slot(1), 20 * 2048, 1, got(at_slot(1), 3)), "free span");
  EXPECT_LEGAL(big.reallocate(at_slot(1), 20 * 2048, 1, got(at_slot(27), 3)));
  EXPECT_EQ(layout(big), "0:metadatax1 1:freex17 18:large blockx9 27:large blockx20 "
                         "47:freex16 63:metadatax33 ");
  for (const auto& problem : big.check_invariants()) ADD_FAILURE() << problem;
}

}  // namespace
}  // namespace alligator::model
