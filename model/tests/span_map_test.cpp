// Spans by themselves: carving, coalescing on release, the good-fit rule, growth's layout (slot
// 0, the top free span, the table moving to the end), the bitmap pool taking a slot.
#include <alligator/model/span_map.hpp>

#include <gtest/gtest.h>

namespace alligator::model {
namespace {

std::string layout(const SpanMap& map) {
  std::string text;
  for (const auto& [first, span] : map.spans()) {
    text += std::to_string(first) + ":" + to_string(span.kind) + "x" + std::to_string(span.slots) + " ";
  }
  return text;
}

// Two pages and a pool of one slot: slot 0, 29 free slots, the table of 32 + 1 + 1 = 34 at 30.
SpanMap two_pages_with_a_pool() {
  SpanMap map;
  map.grow(64);
  map.grow_pool();
  return map;
}

TEST(ModelGoodFit, ExactBelow64ThenRoundedToBinSteps) {
  EXPECT_EQ(good_fit(1), 1U);
  EXPECT_EQ(good_fit(63), 63U);
  EXPECT_EQ(good_fit(64), 64U);
  EXPECT_EQ(good_fit(65), 66U);   // step 2 from 64
  EXPECT_EQ(good_fit(127), 128U);
  EXPECT_EQ(good_fit(129), 132U);  // step 4 from 128
  EXPECT_EQ(good_fit(1000), 1008U);  // step 16 from 512
}

TEST(ModelSpanMap, FirstGrowthLaysOutSlotZeroTheFreeSpanAndTheTable) {
  SpanMap map;
  EXPECT_FALSE(map.top_free_span());
  map.grow(64);  // two pages: slot 0, 30 free slots, the table of 32 + 0 + ceil(64 / 128) = 33
  EXPECT_EQ(layout(map), "0:metadatax1 1:freex30 31:metadatax33 ");
  EXPECT_EQ(map.table_start(), 31U);
  EXPECT_EQ(map.top_free_span(), 1U);
  EXPECT_EQ(map.top_free_slots(), 30U);
  EXPECT_EQ(map.pool_slots(), 0U);
  EXPECT_TRUE(map.check().empty());
}

TEST(ModelSpanMap, ThePoolTakesTheLastSlotOfTheTopFreeSpan) {
  SpanMap map;
  map.grow(64);
  map.grow_pool();  // the table starts one slot lower
  EXPECT_EQ(layout(map), "0:metadatax1 1:freex29 30:metadatax34 ");
  EXPECT_EQ(map.pool_slots(), 1U);
  EXPECT_EQ(map.table_start(), 30U);
  map.carve(1, 28, SpanKind::large);
  map.grow_pool();  // a top free span of one slot disappears
  EXPECT_EQ(layout(map), "0:metadatax1 1:large blockx28 29:metadatax35 ");
  EXPECT_FALSE(map.top_free_span());
  EXPECT_TRUE(map.check().empty());
  // Growth moves the pool with the table: 35 + 32 - (32 + 2 + 1) = 32 free slots.
  map.grow(32);
  EXPECT_EQ(layout(map), "0:metadatax1 1:large blockx28 29:freex32 61:metadatax35 ");
  EXPECT_TRUE(map.check().empty());
}

TEST(ModelSpanMap, GrowthExtendsTheTopFreeSpanThroughTheOldTable) {
  SpanMap map = two_pages_with_a_pool();
  map.carve(1, 1, SpanKind::mini_page);  // the top free span is now 28 slots at 2
  map.grow(32);
  // The table moved from 30 to 96 - 34 = 62; its old 34 slots and the 32 new ones joined the
  // free span: 28 + 34 + 32 - 34 = 60.
  EXPECT_EQ(layout(map), "0:metadatax1 1:MiniPagex1 2:freex60 62:metadatax34 ");
  // A block carved from it covers what was the table.
  map.carve(2, 40, SpanKind::large);
  EXPECT_EQ(layout(map), "0:metadatax1 1:MiniPagex1 2:large blockx40 42:freex20 62:metadatax34 ");
  EXPECT_TRUE(map.check().empty());
}

TEST(ModelSpanMap, GrowthWithoutATopFreeSpanStartsOneWhereTheTableWas) {
  SpanMap map = two_pages_with_a_pool();
  map.carve(1, 29, SpanKind::large);  // the block ends where the table begins
  EXPECT_FALSE(map.top_free_span());
  EXPECT_EQ(map.top_free_slots(), 0U);
  map.grow(32);
  EXPECT_EQ(layout(map), "0:metadatax1 1:large blockx29 30:freex32 62:metadatax34 ");
  // So the block can grow in place into it.
  map.extend(1, 32);
  EXPECT_EQ(layout(map), "0:metadatax1 1:large blockx61 62:metadatax34 ");
  map.grow(64);  // 160 slots: table 32 + 1 + 2 = 35 at 125
  EXPECT_EQ(layout(map), "0:metadatax1 1:large blockx61 62:freex63 125:metadatax35 ");
  EXPECT_TRUE(map.check().empty());
}

TEST(ModelSpanMap, CarveSplitsAndReleaseCoalescesBothSides) {
  SpanMap map = two_pages_with_a_pool();
  map.carve(1, 1, SpanKind::mini_page);
  map.carve(2, 4, SpanKind::large);
  map.carve(6, 2, SpanKind::large);
  EXPECT_EQ(layout(map), "0:metadatax1 1:MiniPagex1 2:large blockx4 6:large blockx2 8:freex22 "
                         "30:metadatax34 ");
  map.release(1, 1);  // slot 0 before it is metadata: nothing to merge with
  EXPECT_EQ(layout(map), "0:metadatax1 1:freex1 2:large blockx4 6:large blockx2 8:freex22 "
                         "30:metadatax34 ");
  map.release(6, 2);
  EXPECT_EQ(layout(map), "0:metadatax1 1:freex1 2:large blockx4 6:freex24 30:metadatax34 ");
  map.release(2, 4);
  EXPECT_EQ(layout(map), "0:metadatax1 1:freex29 30:metadatax34 ");
  EXPECT_TRUE(map.check().empty());
}

TEST(ModelSpanMap, MiniPagesSpanUpTo16SlotsAndFreeAsOneSpan) {
  SpanMap map = two_pages_with_a_pool();
  map.carve(1, 3, SpanKind::mini_page);   // class 768: k_c = 3
  map.carve(4, 15, SpanKind::mini_page);  // class 1920: k_c = 15
  map.carve(19, 2, SpanKind::mini_page);  // class 4096: k_c = 2
  EXPECT_EQ(layout(map), "0:metadatax1 1:MiniPagex3 4:MiniPagex15 19:MiniPagex2 21:freex9 "
                         "30:metadatax34 ");
  EXPECT_TRUE(map.check().empty());
  // Any slot of a MiniPage leads to its first slot.
  EXPECT_EQ(map.span_holding(3), 1U);
  EXPECT_EQ(map.span_holding(18), 4U);
  EXPECT_EQ(map.span_holding(20), 19U);
  map.release(1, 3);  // slot 0 before it, a MiniPage after: nothing to merge with
  EXPECT_EQ(layout(map), "0:metadatax1 1:freex3 4:MiniPagex15 19:MiniPagex2 21:freex9 "
                         "30:metadatax34 ");
  map.release(19, 2);  // merges with the free span after it
  EXPECT_EQ(layout(map), "0:metadatax1 1:freex3 4:MiniPagex15 19:freex11 30:metadatax34 ");
  map.release(4, 15);  // all 15 slots at once, merging both ways
  EXPECT_EQ(layout(map), "0:metadatax1 1:freex29 30:metadatax34 ");
  EXPECT_TRUE(map.check().empty());
  // 16 slots is the most a MiniPage spans; 17 is more.
  map.carve(1, 16, SpanKind::mini_page);
  EXPECT_TRUE(map.check().empty());
  map.release(1, 16);
  map.carve(1, 17, SpanKind::mini_page);
  auto problems = map.check();
  ASSERT_EQ(problems.size(), 1U);
  EXPECT_NE(problems[0].find("more than 16 slots"), std::string::npos) << problems[0];
}

TEST(ModelSpanMap, SpareSpansAreNeitherTakenNorMerged) {
  SpanMap map = two_pages_with_a_pool();
  map.carve(1, 3, SpanKind::large);
  map.carve(4, 2, SpanKind::large);
  map.retag(1, SpanKind::spare);
  EXPECT_EQ(map.takeable(3), (std::vector<std::size_t>{6}));
  map.release(4, 2);  // merges with the free span after it, not with the spare span before
  EXPECT_EQ(layout(map), "0:metadatax1 1:spare spanx3 4:freex26 30:metadatax34 ");
  map.carve(4, 23, SpanKind::large);
  map.carve(27, 3, SpanKind::large);
  map.retag(27, SpanKind::spare);  // a spare span below the table is no top free span
  EXPECT_FALSE(map.top_free_span());
  EXPECT_EQ(map.top_free_slots(), 0U);
  EXPECT_TRUE(map.takeable(1).empty());
  map.release(4, 23);  // between two spare spans: stays apart
  EXPECT_EQ(layout(map), "0:metadatax1 1:spare spanx3 4:freex23 27:spare spanx3 30:metadatax34 ");
  map.retag(1, SpanKind::large);
  EXPECT_EQ(map.takeable(23), (std::vector<std::size_t>{4}));
  EXPECT_TRUE(map.check().empty());
}

TEST(ModelSpanMap, ShrinkFreesTheTailAndExtendTakesTheNextSpan) {
  SpanMap map = two_pages_with_a_pool();
  map.carve(1, 10, SpanKind::large);
  map.shrink(1, 4);
  EXPECT_EQ(layout(map), "0:metadatax1 1:large blockx4 5:freex25 30:metadatax34 ");
  map.extend(1, 6);
  EXPECT_EQ(layout(map), "0:metadatax1 1:large blockx10 11:freex19 30:metadatax34 ");
  map.extend(1, 19);
  EXPECT_EQ(layout(map), "0:metadatax1 1:large blockx29 30:metadatax34 ");
}

TEST(ModelSpanMap, TakeableIsGoodFitsElseTheTopFreeSpan) {
  SpanMap map;
  map.grow(32 * 16);                      // slots 1..475 free, the table (36 slots) at 476
  EXPECT_EQ(layout(map), "0:metadatax1 1:freex475 476:metadatax36 ");
  map.carve(1, 100, SpanKind::large);
  map.carve(101, 1, SpanKind::large);
  map.release(1, 100);                    // free 100 at 1, large at 101, free 374 at 102
  map.carve(102, 305, SpanKind::large);   // the top free span: 69 slots at 407
  EXPECT_EQ(map.top_free_span(), 407U);
  EXPECT_EQ(map.takeable(66), (std::vector<std::size_t>{1, 407}));
  EXPECT_EQ(map.takeable(99), (std::vector<std::size_t>{1}));   // good fit 100
  // 70 needs a span of 70: only the one at 1 (the top free span has 69).
  EXPECT_EQ(map.takeable(70), (std::vector<std::size_t>{1}));
  // 101 needs 102 (good fit): no span has it, and the top free span (69) is too short.
  EXPECT_TRUE(map.takeable(101).empty());
  map.release(102, 305);                  // merges with the top free span: 374 at 102
  EXPECT_EQ(map.takeable(101), (std::vector<std::size_t>{102}));
  // 374 needs 376 by good fit (step 8 from 256), so only the top-free-span rule lets it in:
  // the span ends where the table begins, not at the heap's top.
  EXPECT_EQ(good_fit(374), 376U);
  EXPECT_EQ(map.takeable(374), (std::vector<std::size_t>{102}));
  map.carve(474, 1, SpanKind::large);     // now the top free span is 1 slot at 475
  EXPECT_EQ(map.top_free_span(), 475U);
  EXPECT_TRUE(map.takeable(371).empty()); // 371 needs 376: the span of 372 at 102 is no fit
  EXPECT_TRUE(map.check().empty());
}

TEST(ModelSpanMap, CheckReportsMetadataOtherThanSlotZeroAndTheTable) {
  SpanMap map;
  map.grow(64);
  map.carve(5, 2, SpanKind::metadata);
  auto problems = map.check();
  ASSERT_EQ(problems.size(), 1U);
  EXPECT_NE(problems[0].find("neither slot 0 nor the table"), std::string::npos) << problems[0];
}

}  // namespace
}  // namespace alligator::model
