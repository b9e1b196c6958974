// The heap model on hand-built scenarios: each feeds it what a heap following the README would
// do (and what a broken one might), and checks it accepts the first and rejects the second.
#include <alligator/model/heap_model.hpp>

#include <gtest/gtest.h>

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
  HeapModel model{1 << 20, 16};
};

TEST_F(ModelTest, FirstAllocationGrowsOnePageAfterGroupZerosMetadata) {
  EXPECT_LEGAL(model.allocate(1, 1, got(at_slot(12), 1)));
  EXPECT_LEGAL(model.allocate(8, 1, got(at_slot(12, 8), 1)));
  ModelStats stats = model.stats();
  EXPECT_EQ(stats.wasm_pages, 1U);
  EXPECT_EQ(stats.metadata_bytes, 24U * 1024);
  EXPECT_EQ(stats.mini_pages, 1U);
  EXPECT_EQ(stats.live_blocks, 2U);
  EXPECT_EQ(stats.bytes_in_use, 16U);
  EXPECT_EQ(stats.free_bytes, 19U * 2048);
  EXPECT_EQ(layout(model), "0:metadatax12 12:MiniPagex1 13:freex19 ");
  check();
}

TEST_F(ModelTest, RejectsExtraGrowthAndOutOfOrderSegments) {
  HeapModel fresh = model;
  EXPECT_ILLEGAL(fresh.allocate(1, 1, got(at_slot(12), 2)), "wasm page");
  fresh = model;
  EXPECT_ILLEGAL(fresh.allocate(1, 1, got(at_slot(12, 8), 1)), "Segment 0");
  fresh = model;
  EXPECT_ILLEGAL(fresh.allocate(1, 1, got(at_slot(13), 1)), "Segment 0");
  fresh = model;
  EXPECT_LEGAL(fresh.allocate(1, 1, got(at_slot(12), 1)));
  EXPECT_ILLEGAL(fresh.allocate(1, 1, got(at_slot(12, 16), 1)), "address order");
  fresh = model;
  EXPECT_ILLEGAL(fresh.allocate(1, 1, got(0, 1)), "null");
}

TEST_F(ModelTest, EachSizeGoesToItsClass) {
  EXPECT_LEGAL(model.allocate(16, 1, got(at_slot(12), 1)));      // class 16
  EXPECT_LEGAL(model.allocate(17, 1, got(at_slot(13), 1)));      // class 32
  EXPECT_ILLEGAL(model.allocate(17, 1, got(at_slot(12, 16), 1)), "class");  // the 16 MiniPage
  EXPECT_LEGAL(model.allocate(8, 16, got(at_slot(12, 16), 1)));  // alignment 16 -> class 16
}

TEST_F(ModelTest, PartialMiniPageBecomesCurrentOnlyWhenCurrentIsFull) {
  // Class 1024: two Segments per MiniPage.
  EXPECT_LEGAL(model.allocate(1000, 1, got(at_slot(12), 1)));
  EXPECT_LEGAL(model.allocate(1000, 1, got(at_slot(12, 1024), 1)));
  EXPECT_LEGAL(model.allocate(1000, 1, got(at_slot(13), 1)));   // new current MiniPage
  EXPECT_LEGAL(model.deallocate(at_slot(12), got(0, 1)));       // the full one turns partial
  std::size_t c = *model.classes().class_of_size(1024);
  EXPECT_EQ(model.partial(c).size(), 1U);
  HeapModel wrong = model;
  EXPECT_ILLEGAL(wrong.allocate(1000, 1, got(at_slot(12), 1)), "MiniPage at heap+26624");
  EXPECT_LEGAL(model.allocate(1000, 1, got(at_slot(13, 1024), 1)));
  wrong = model;
  EXPECT_ILLEGAL(wrong.allocate(1000, 1, got(at_slot(14), 1)), "partial");
  EXPECT_LEGAL(model.allocate(1000, 1, got(at_slot(12), 1)));
  EXPECT_EQ(model.current(c), 12U);
  EXPECT_TRUE(model.partial(c).empty());
  check();
}

TEST_F(ModelTest, FullMiniPageWithAFreedSegmentReplacesAFullCurrentOne) {
  // Class 1024: two Segments per MiniPage. Both MiniPages full, slot 13 current.
  EXPECT_LEGAL(model.allocate(1000, 1, got(at_slot(12), 1)));
  EXPECT_LEGAL(model.allocate(1000, 1, got(at_slot(12, 1024), 1)));
  EXPECT_LEGAL(model.allocate(1000, 1, got(at_slot(13), 1)));
  EXPECT_LEGAL(model.allocate(1000, 1, got(at_slot(13, 1024), 1)));
  std::size_t c = *model.classes().class_of_size(1024);
  EXPECT_LEGAL(model.deallocate(at_slot(12, 1024), got(0, 1)));  // slot 12 becomes current
  EXPECT_EQ(model.current(c), 12U);
  EXPECT_TRUE(model.partial(c).empty());
  EXPECT_LEGAL(model.deallocate(at_slot(13), got(0, 1)));  // current has room: 13 turns partial
  EXPECT_EQ(model.partial(c).size(), 1U);
  HeapModel wrong = model;
  EXPECT_ILLEGAL(wrong.allocate(1000, 1, got(at_slot(13), 1)), "MiniPage at");
  EXPECT_LEGAL(model.allocate(1000, 1, got(at_slot(12, 1024), 1)));
  check();
}

TEST_F(ModelTest, EmptyMiniPageThatIsNotCurrentIsFreedAndCoalesced) {
  for (std::size_t slot = 12; slot <= 18; ++slot) {
    EXPECT_LEGAL(model.allocate(2048, 1, got(at_slot(slot), 1)));  // 18 is current
  }
  std::size_t c = *model.classes().class_of_size(2048);
  // The first four MiniPages to empty (not current) become the class's spares ...
  for (std::size_t slot : {12, 15, 16, 17}) EXPECT_LEGAL(model.deallocate(at_slot(slot), got(0, 1)));
  EXPECT_EQ(model.spares(c), (std::set<std::size_t>{12, 15, 16, 17}));
  EXPECT_EQ(layout(model), "0:metadatax12 12:MiniPagex1 13:MiniPagex1 14:MiniPagex1 "
                           "15:MiniPagex1 16:MiniPagex1 17:MiniPagex1 18:MiniPagex1 19:freex13 ");
  // ... the next ones are freed as spans, and coalesce.
  EXPECT_LEGAL(model.deallocate(at_slot(14), got(0, 1)));
  EXPECT_EQ(layout(model), "0:metadatax12 12:MiniPagex1 13:MiniPagex1 14:freex1 "
                           "15:MiniPagex1 16:MiniPagex1 17:MiniPagex1 18:MiniPagex1 19:freex13 ");
  EXPECT_LEGAL(model.deallocate(at_slot(13), got(0, 1)));
  EXPECT_EQ(layout(model), "0:metadatax12 12:MiniPagex1 13:freex2 "
                           "15:MiniPagex1 16:MiniPagex1 17:MiniPagex1 18:MiniPagex1 19:freex13 ");
  EXPECT_EQ(model.spares(c).size(), kSpares);
  // The current MiniPage (18) is full: a spare becomes current (any of them, Segment 0) before
  // any span is taken.
  HeapModel wrong = model;
  EXPECT_ILLEGAL(wrong.allocate(2048, 1, got(at_slot(13), 1)), "spares");
  HeapModel spare_first = model;
  EXPECT_LEGAL(spare_first.allocate(2048, 1, got(at_slot(16), 1)));
  EXPECT_EQ(spare_first.current(c), 16U);
  EXPECT_EQ(spare_first.spares(c), (std::set<std::size_t>{12, 15, 17}));
  check();
}

TEST_F(ModelTest, EmptyCurrentMiniPagesRetireBeforeMemoryGrows) {
  HeapModel small(64 * 1024, 16);  // one wasm page: slots 12..31 free
  EXPECT_LEGAL(small.allocate(8, 1, got(at_slot(12), 1)));
  EXPECT_LEGAL(small.deallocate(at_slot(12), got(0, 1)));  // current: stays, empty
  EXPECT_EQ(small.current(0), 12U);
  EXPECT_LEGAL(small.allocate(19 * 2048, 1, got(at_slot(13), 1)));
  // Class 112 needs a slot: none free, so class 8's empty current MiniPage retires.
  HeapModel wrong = small;
  EXPECT_ILLEGAL(wrong.allocate(100, 1, got(0, 1)), "null");
  EXPECT_LEGAL(small.allocate(100, 1, got(at_slot(12), 1)));
  EXPECT_FALSE(small.current(0));
  // Nothing left and memory is at its maximum: null is the only answer.
  wrong = small;
  EXPECT_ILLEGAL(wrong.allocate(200, 1, got(at_slot(12, 112), 1)), "cannot grow");
  EXPECT_LEGAL(small.allocate(200, 1, got(0, 1)));
}

TEST_F(ModelTest, SparesRetireBeforeMemoryGrows) {
  HeapModel small(64 * 1024, 16);  // one wasm page: slots 12..31 free
  std::size_t c = *small.classes().class_of_size(2048);
  EXPECT_LEGAL(small.allocate(2048, 1, got(at_slot(12), 1)));
  EXPECT_LEGAL(small.allocate(2048, 1, got(at_slot(13), 1)));  // current now
  EXPECT_LEGAL(small.deallocate(at_slot(12), got(0, 1)));      // a spare
  EXPECT_EQ(small.spares(c), std::set<std::size_t>{12});
  EXPECT_LEGAL(small.allocate(18 * 2048, 1, got(at_slot(14), 1)));
  EXPECT_EQ(small.spares(c), std::set<std::size_t>{12});  // a free span fitted: nothing retired
  // A class-8 MiniPage needs a slot: none is free, so the spare retires.
  HeapModel wrong = small;
  EXPECT_ILLEGAL(wrong.allocate(8, 1, got(0, 1)), "null");
  EXPECT_LEGAL(small.allocate(8, 1, got(at_slot(12), 1)));
  EXPECT_TRUE(small.spares(c).empty());
  EXPECT_TRUE(small.check_invariants().empty());
}

TEST_F(ModelTest, LargeBlocksTakeTheLowEndAndCoalesceWhenFreed) {
  // Blocks of more than 8 slots: never kept as spare spans.
  EXPECT_LEGAL(model.allocate(9 * 2048, 1, got(at_slot(12), 1)));
  EXPECT_LEGAL(model.allocate(9 * 2048 + 1, 1, got(at_slot(21), 1)));  // 10 slots, 11 free
  EXPECT_LEGAL(model.allocate(21000, 1, got(at_slot(31), 2)));  // 11 slots: the top span grows
  EXPECT_EQ(model.stats().bytes_in_use, 30U * 2048);
  EXPECT_LEGAL(model.deallocate(at_slot(21), got(0, 2)));
  EXPECT_LEGAL(model.deallocate(at_slot(12), got(0, 2)));
  EXPECT_EQ(layout(model), "0:metadatax12 12:freex19 31:large blockx11 42:freex22 ");
  EXPECT_LEGAL(model.deallocate(at_slot(31), got(0, 2)));
  EXPECT_EQ(layout(model), "0:metadatax12 12:freex52 ");
  EXPECT_EQ(model.stats().free_bytes, 52U * 2048);
  check();
}

TEST_F(ModelTest, FreedThreeSlotBlockIsASpareSpanTheNextThreeSlotRequestTakes) {
  EXPECT_LEGAL(model.allocate(3 * 2048, 1, got(at_slot(12), 1)));
  EXPECT_LEGAL(model.deallocate(at_slot(12), got(0, 1)));
  // Kept whole, beside the free span it does not merge with, and counted as free bytes.
  EXPECT_EQ(layout(model), "0:metadatax12 12:spare spanx3 15:freex17 ");
  EXPECT_EQ(model.spare_spans(3), std::set<std::size_t>{12});
  EXPECT_EQ(model.stats().free_bytes, 20U * 2048);
  EXPECT_EQ(model.stats().large_blocks, 0U);
  check();
  // No free-span search sees it: not a 2-slot request, nor a 3-slot one aligned past 2048
  // (slot 12 is on a 4096 boundary, the free span's low end is not).
  HeapModel other = model;
  EXPECT_ILLEGAL(other.allocate(2 * 2048, 1, got(at_slot(12), 1)), "free span");
  EXPECT_LEGAL(other.allocate(2 * 2048, 1, got(at_slot(15), 1)));
  other = model;
  EXPECT_ILLEGAL(other.allocate(3 * 2048, 4096, got(at_slot(12), 1)), "free span");
  EXPECT_LEGAL(other.allocate(3 * 2048, 4096, got(at_slot(16), 1)));
  // A 3-slot request takes it before any free span.
  HeapModel wrong = model;
  EXPECT_ILLEGAL(wrong.allocate(3 * 2048, 1, got(at_slot(15), 1)), "spare span");
  wrong = model;
  EXPECT_ILLEGAL(wrong.allocate(3 * 2048, 1, got(at_slot(12, 8), 1)), "spare span");
  EXPECT_LEGAL(model.allocate(5000, 1, got(at_slot(12), 1)));
  EXPECT_EQ(layout(model), "0:metadatax12 12:large blockx3 15:freex17 ");
  EXPECT_TRUE(model.spare_spans(3).empty());
  EXPECT_LEGAL(model.usable_size(at_slot(12), 3 * 2048, got(0, 1)));
  check();
}

TEST_F(ModelTest, FifthFreedBlockOfALengthIsFreedAsASpanAndMerges) {
  for (std::size_t slot = 12; slot <= 20; slot += 2) {
    EXPECT_LEGAL(model.allocate(2 * 2048, 1, got(at_slot(slot), 1)));
  }
  for (std::size_t slot = 12; slot <= 20; slot += 2) {
    EXPECT_LEGAL(model.deallocate(at_slot(slot), got(0, 1)));
  }
  // Four spare spans of 2 slots; the fifth block merges with the free span after it (not with
  // the spare span before it).
  EXPECT_EQ(model.spare_spans(2), (std::set<std::size_t>{12, 14, 16, 18}));
  EXPECT_EQ(layout(model), "0:metadatax12 12:spare spanx2 14:spare spanx2 16:spare spanx2 "
                           "18:spare spanx2 20:freex12 ");
  // The four are per length: a 3-slot block is still kept.
  EXPECT_LEGAL(model.allocate(3 * 2048, 1, got(at_slot(20), 1)));
  EXPECT_LEGAL(model.deallocate(at_slot(20), got(0, 1)));
  EXPECT_EQ(model.spare_spans(3), std::set<std::size_t>{20});
  EXPECT_EQ(model.stats().free_bytes, 20U * 2048);
  // Any of the four serves a 2-slot request.
  HeapModel wrong = model;
  EXPECT_ILLEGAL(wrong.allocate(2 * 2048, 1, got(at_slot(23), 1)), "spare span");
  EXPECT_LEGAL(model.allocate(2 * 2048, 1, got(at_slot(16), 1)));
  EXPECT_EQ(model.spare_spans(2), (std::set<std::size_t>{12, 14, 18}));
  check();
}

TEST_F(ModelTest, SpareSpansRetireBeforeMemoryGrows) {
  EXPECT_LEGAL(model.allocate(2 * 2048, 1, got(at_slot(12), 1)));
  EXPECT_LEGAL(model.allocate(8 * 2048, 1, got(at_slot(14), 1)));
  EXPECT_LEGAL(model.allocate(10 * 2048, 1, got(at_slot(22), 1)));  // the page is full
  EXPECT_LEGAL(model.deallocate(at_slot(12), got(0, 1)));
  EXPECT_LEGAL(model.deallocate(at_slot(14), got(0, 1)));
  EXPECT_EQ(layout(model), "0:metadatax12 12:spare spanx2 14:spare spanx8 22:large blockx10 ");
  // No spare span of 4 slots and no free span: both spare spans are freed as one span, whose
  // low end the block takes; the heap must not grow.
  HeapModel wrong = model;
  EXPECT_ILLEGAL(wrong.allocate(4 * 2048, 1, got(at_slot(32), 2)), "free span");
  EXPECT_LEGAL(model.allocate(4 * 2048, 1, got(at_slot(12), 1)));
  EXPECT_EQ(layout(model), "0:metadatax12 12:large blockx4 16:freex6 22:large blockx10 ");
  EXPECT_TRUE(model.spare_spans(2).empty());
  EXPECT_TRUE(model.spare_spans(8).empty());
  check();
}

TEST_F(ModelTest, SpareSpansHeadIsADoubleFree) {
  EXPECT_LEGAL(model.allocate(3 * 2048, 1, got(at_slot(12), 1)));
  EXPECT_LEGAL(model.deallocate(at_slot(12), got(0, 1)));
  EXPECT_ILLEGAL(model.deallocate(at_slot(12), got(0, 1)), "double_free");
  EXPECT_ILLEGAL(model.deallocate(at_slot(12), got(0, 1, 0, Error::invalid_pointer)), "double_free");
  EXPECT_LEGAL(model.deallocate(at_slot(12), got(0, 1, 0, Error::double_free)));
  EXPECT_LEGAL(model.deallocate_sized(at_slot(12), 6144, 1, got(0, 1, 0, Error::double_free)));
  EXPECT_LEGAL(model.usable_size(at_slot(12), 0, got(0, 1, 0, Error::double_free)));
  EXPECT_LEGAL(model.reallocate(at_slot(12), 100, 1, got(0, 1, 0, Error::double_free)));
  // Inside it, as inside a free span: invalid_pointer.
  EXPECT_ILLEGAL(model.deallocate(at_slot(13), got(0, 1, 0, Error::double_free)), "invalid_pointer");
  EXPECT_LEGAL(model.deallocate(at_slot(13), got(0, 1, 0, Error::invalid_pointer)));
  EXPECT_EQ(model.spare_spans(3), std::set<std::size_t>{12});  // untouched
  check();
}

TEST_F(ModelTest, ReallocationKeepsTheOldBlockAsASpareSpanButNeverTheTail) {
  EXPECT_LEGAL(model.allocate(3 * 2048, 1, got(at_slot(12), 1)));
  EXPECT_LEGAL(model.allocate(2 * 2048, 1, got(at_slot(15), 1)));
  EXPECT_LEGAL(model.deallocate(at_slot(15), got(0, 1)));
  // Growing in place needs a free span after the block, not a spare one: the block moves, and
  // the old block becomes a spare span.
  HeapModel wrong = model;
  EXPECT_ILLEGAL(wrong.reallocate(at_slot(12), 5 * 2048, 1, got(at_slot(12), 1)), "free span");
  EXPECT_LEGAL(model.reallocate(at_slot(12), 5 * 2048, 1, got(at_slot(17), 1)));
  EXPECT_EQ(layout(model), "0:metadatax12 12:spare spanx3 15:spare spanx2 17:large blockx5 "
                           "22:freex10 ");
  // Shrinking frees the tail as a span (it merges), even one of a spare span's length.
  EXPECT_LEGAL(model.reallocate(at_slot(17), 2 * 2048, 1, got(at_slot(17), 1)));
  EXPECT_EQ(layout(model), "0:metadatax12 12:spare spanx3 15:spare spanx2 17:large blockx2 "
                           "19:freex13 ");
  EXPECT_EQ(model.spare_spans(3), std::set<std::size_t>{12});
  // A block that cannot grow in place moves into a spare span of its new length.
  EXPECT_LEGAL(model.allocate(9 * 2048, 1, got(at_slot(19), 1)));
  wrong = model;
  EXPECT_ILLEGAL(wrong.reallocate(at_slot(17), 3 * 2048, 1, got(at_slot(28), 1)), "spare span");
  EXPECT_LEGAL(model.reallocate(at_slot(17), 3 * 2048, 1, got(at_slot(12), 1)));
  EXPECT_EQ(layout(model), "0:metadatax12 12:large blockx3 15:spare spanx2 17:spare spanx2 "
                           "19:large blockx9 28:freex4 ");
  check();
}

TEST_F(ModelTest, AlignedLargeBlockKeepsTheFirstAlignedSlotsOfItsSpan) {
  // 16 KiB alignment: 1 + 8 - 1 slots taken from slot 12, the block kept at slot 16.
  HeapModel wrong = model;
  EXPECT_ILLEGAL(wrong.allocate(100, 16384, got(at_slot(12), 1)), "aligned");
  EXPECT_LEGAL(model.allocate(100, 16384, got(at_slot(16), 1)));
  EXPECT_EQ(layout(model), "0:metadatax12 12:freex4 16:large blockx1 17:freex15 ");
  check();
}

TEST_F(ModelTest, GrowthTakesTheFewestPages) {
  HeapModel big(4 << 20, 16);
  EXPECT_LEGAL(big.allocate(20 * 2048, 1, got(at_slot(12), 1)));  // 32 - 12 = 20: one page
  HeapModel wrong = big;
  EXPECT_ILLEGAL(wrong.allocate(33 * 2048, 1, got(at_slot(32), 4)), "wasm page");
  EXPECT_LEGAL(big.allocate(33 * 2048, 1, got(at_slot(32), 3)));  // 33 slots: two more pages
  EXPECT_LEGAL(big.allocate(8, 1, got(at_slot(65), 3)));          // top span had 31 slots
  check();
}

TEST_F(ModelTest, RefusedGrowFailsTheCallAndChangesNothing) {
  model.refuse_next_grows(1);
  HeapModel wrong = model;
  EXPECT_ILLEGAL(wrong.allocate(1, 1, got(0, 0, 0)), "refused");
  EXPECT_LEGAL(model.allocate(1, 1, got(0, 0, 1)));
  EXPECT_LEGAL(model.allocate(1, 1, got(at_slot(12), 1)));
}

TEST_F(ModelTest, BadPointersGetTheirErrors) {
  EXPECT_LEGAL(model.allocate(8, 1, got(at_slot(12), 1)));
  EXPECT_LEGAL(model.allocate(8, 1, got(at_slot(12, 8), 1)));
  EXPECT_ILLEGAL(model.deallocate(at_slot(12, 4), got(0, 1)), "invalid_pointer");
  EXPECT_LEGAL(model.deallocate(at_slot(12, 4), got(0, 1, 0, Error::invalid_pointer)));
  EXPECT_LEGAL(model.deallocate(at_slot(12), got(0, 1)));
  EXPECT_ILLEGAL(model.deallocate(at_slot(12), got(0, 1, 0, Error::invalid_pointer)), "double_free");
  EXPECT_LEGAL(model.deallocate(at_slot(12), got(0, 1, 0, Error::double_free)));
  EXPECT_LEGAL(model.deallocate(at_slot(13), got(0, 1, 0, Error::double_free)));  // span head
  EXPECT_ILLEGAL(model.deallocate(at_slot(13), got(0, 1, 0, Error::invalid_pointer)), "double_free");
  EXPECT_LEGAL(model.deallocate(at_slot(20), got(0, 1, 0, Error::invalid_pointer)));  // inside
  EXPECT_ILLEGAL(model.deallocate(at_slot(20), got(0, 1, 0, Error::double_free)), "invalid_pointer");
  EXPECT_LEGAL(model.deallocate(at_slot(3), got(0, 1, 0, Error::invalid_pointer)));  // metadata
  EXPECT_LEGAL(model.deallocate(kBase - 8, got(0, 1, 0, Error::invalid_pointer)));
  EXPECT_LEGAL(model.deallocate(at_slot(40), got(0, 1, 0, Error::invalid_pointer)));  // past top
  EXPECT_LEGAL(model.deallocate(0, got(0, 1)));
  // Sized deallocation: the block (8 bytes at an 8-byte boundary) cannot hold 9 bytes or
  // 16-byte alignment.
  std::uintptr_t block = at_slot(12, 8);
  EXPECT_LEGAL(model.deallocate_sized(block, 9, 8, got(0, 1, 0, Error::size_mismatch)));
  EXPECT_LEGAL(model.deallocate_sized(block, 8, 16, got(0, 1, 0, Error::size_mismatch)));
  EXPECT_LEGAL(model.usable_size(block, 8, got(0, 1)));
  EXPECT_ILLEGAL(model.usable_size(block, 16, got(0, 1)), "usable size");
  EXPECT_LEGAL(model.deallocate_sized(block, 8, 8, got(0, 1)));
  EXPECT_EQ(model.stats().live_blocks, 0U);
}

TEST_F(ModelTest, ReallocationInPlaceWhenTheREADMESaysSo) {
  EXPECT_LEGAL(model.allocate(3 * 2048, 1, got(at_slot(12), 1)));
  EXPECT_LEGAL(model.allocate(9 * 2048, 1, got(at_slot(15), 1)));  // freed as a span, not a spare
  EXPECT_LEGAL(model.deallocate(at_slot(15), got(0, 1)));
  std::uintptr_t block = at_slot(12);
  EXPECT_ILLEGAL(model.reallocate(block, 5 * 2048, 1, got(at_slot(17), 1)), "in place");
  EXPECT_LEGAL(model.reallocate(block, 5 * 2048, 1, got(block, 1)));  // into the span after it
  EXPECT_EQ(layout(model), "0:metadatax12 12:large blockx5 17:freex15 ");
  EXPECT_LEGAL(model.reallocate(block, 2 * 2048, 1, got(block, 1)));  // shrinks, frees the tail
  EXPECT_EQ(layout(model), "0:metadatax12 12:large blockx2 14:freex18 ");
  // 30 slots: the span after (18) is short but reaches the top, and no span of 30 exists, so
  // memory grows under the block: 18 + 32 >= 28 more.
  EXPECT_LEGAL(model.reallocate(block, 30 * 2048, 1, got(block, 2)));
  EXPECT_EQ(layout(model), "0:metadatax12 12:large blockx30 42:freex22 ");
  // Large to small moves: a new MiniPage at the low end of the only span, then the old block
  // is freed.
  EXPECT_LEGAL(model.reallocate(block, 100, 1, got(at_slot(42), 2)));
  EXPECT_EQ(layout(model), "0:metadatax12 12:freex30 42:MiniPagex1 43:freex21 ");
  EXPECT_LEGAL(model.reallocate(at_slot(42), 110, 1, got(at_slot(42), 2)));  // same class
  EXPECT_ILLEGAL(model.reallocate(at_slot(42), 100, 1, got(at_slot(43), 2)), "stays in place");
  EXPECT_LEGAL(model.reallocate(at_slot(42), 0, 1, got(0, 2)));
  EXPECT_EQ(model.stats().live_blocks, 0U);
  EXPECT_EQ(model.stats().mini_pages, 1U);  // current, empty, kept
  check();
}

TEST_F(ModelTest, ReallocationMovesWhenGrowingUnderTheBlockWouldReachANewGroup) {
  HeapModel big(4 << 20, 16);
  // 480 slots: 15 pages, the block at 12..491, a free span of 20 up to the top (512).
  EXPECT_LEGAL(big.allocate(480 * 2048, 1, got(at_slot(12), 16)));
  EXPECT_EQ(layout(big), "0:metadatax12 12:large blockx480 492:freex20 ");
  // 510 slots: 30 more than the block has, 20 of them free at the top. One page past the top
  // reaches group 1, whose metadata would cut the new pages off from the block, so the block
  // moves: 32p - m >= 510 gives p = 17, which reaches group 2 as well (m = 24).
  HeapModel wrong = big;
  EXPECT_ILLEGAL(wrong.reallocate(at_slot(12), 510 * 2048, 1, got(at_slot(12), 17)), "free span");
  EXPECT_LEGAL(big.reallocate(at_slot(12), 510 * 2048, 1, got(at_slot(536), 33)));
  EXPECT_EQ(layout(big),
            "0:metadatax12 12:freex500 512:metadatax12 524:metadatax12 536:large blockx510 "
            "1046:freex10 ");
  check();
}

}  // namespace
}  // namespace alligator::model
