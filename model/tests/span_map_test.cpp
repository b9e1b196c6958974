// Spans by themselves: carving, coalescing on release, the good-fit rule, growth's layout.
#include <alligator/model/growth.hpp>
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

TEST(ModelGoodFit, ExactBelow64ThenRoundedToBinSteps) {
  EXPECT_EQ(good_fit(1), 1U);
  EXPECT_EQ(good_fit(63), 63U);
  EXPECT_EQ(good_fit(64), 64U);
  EXPECT_EQ(good_fit(65), 66U);   // step 2 from 64
  EXPECT_EQ(good_fit(127), 128U);
  EXPECT_EQ(good_fit(129), 132U);  // step 4 from 128
  EXPECT_EQ(good_fit(1000), 1008U);  // step 16 from 512
}

TEST(ModelGrowth, FirstGrowthPutsGroupZerosMetadataFirst) {
  EXPECT_EQ(plan_growth(0, 0, 1, 1, 100)->pages, 1U);
  EXPECT_EQ(plan_growth(0, 0, 1, 1, 100)->metadata_slots, 12U);
  EXPECT_EQ(plan_growth(0, 0, 20, 20, 100)->pages, 1U);  // 32 - 12 = 20 slots free
  EXPECT_EQ(plan_growth(0, 0, 21, 21, 100)->pages, 2U);
  EXPECT_FALSE(plan_growth(0, 0, 21, 21, 1));
}

TEST(ModelGrowth, TopFreeSpanCountsOnlyWithoutNewGroups) {
  // Inside group 0: the top free span of 5 slots plus one page.
  EXPECT_EQ(plan_growth(64, 5, 37, 37, 100)->pages, 1U);
  EXPECT_EQ(plan_growth(64, 5, 37, 37, 100)->metadata_slots, 0U);
  // From 480, one page stays in group 0 (5 + 32 = 37 < 40); two reach group 1, whose metadata
  // comes first and separates the old top: 64 - 12 = 52 >= 40.
  auto plan = plan_growth(480, 5, 40, 40, 100);
  EXPECT_EQ(plan->pages, 2U);
  EXPECT_EQ(plan->metadata_slots, 12U);
  EXPECT_EQ(groups_reached(0), 0U);
  EXPECT_EQ(groups_reached(1), 1U);
  EXPECT_EQ(groups_reached(512), 1U);
  EXPECT_EQ(groups_reached(513), 2U);
}

TEST(ModelSpanMap, GrowthLaysOutMetadataThenFree) {
  SpanMap map;
  map.grow(32, 12);
  EXPECT_EQ(layout(map), "0:metadatax12 12:freex20 ");
  map.grow(32, 0);
  EXPECT_EQ(layout(map), "0:metadatax12 12:freex52 ");
  map.grow(32, 12);  // the old top free span stays apart
  EXPECT_EQ(layout(map), "0:metadatax12 12:freex52 64:metadatax12 76:freex20 ");
  EXPECT_TRUE(map.check().empty());
}

TEST(ModelSpanMap, CarveSplitsAndReleaseCoalescesBothSides) {
  SpanMap map;
  map.grow(64, 12);
  map.carve(12, 1, SpanKind::mini_page);
  map.carve(13, 4, SpanKind::large);
  map.carve(17, 2, SpanKind::large);
  EXPECT_EQ(layout(map), "0:metadatax12 12:MiniPagex1 13:large blockx4 17:large blockx2 19:freex45 ");
  map.release(12, 1);
  EXPECT_EQ(layout(map), "0:metadatax12 12:freex1 13:large blockx4 17:large blockx2 19:freex45 ");
  map.release(17, 2);
  EXPECT_EQ(layout(map), "0:metadatax12 12:freex1 13:large blockx4 17:freex47 ");
  map.release(13, 4);
  EXPECT_EQ(layout(map), "0:metadatax12 12:freex52 ");
  EXPECT_TRUE(map.check().empty());
}

TEST(ModelSpanMap, SpareSpansAreNeitherTakenNorMerged) {
  SpanMap map;
  map.grow(32, 12);
  map.carve(12, 3, SpanKind::large);
  map.carve(15, 2, SpanKind::large);
  map.retag(12, SpanKind::spare);
  EXPECT_EQ(map.takeable(3), (std::vector<std::size_t>{17}));
  map.release(15, 2);  // merges with the free span after it, not with the spare span before
  EXPECT_EQ(layout(map), "0:metadatax12 12:spare spanx3 15:freex17 ");
  map.carve(15, 14, SpanKind::large);
  map.carve(29, 3, SpanKind::large);
  map.retag(29, SpanKind::spare);  // a spare span at the top is no free span there
  EXPECT_EQ(map.free_slots_at_top(), 0U);
  EXPECT_TRUE(map.takeable(1).empty());
  map.release(15, 14);  // between two spare spans: stays apart
  EXPECT_EQ(layout(map), "0:metadatax12 12:spare spanx3 15:freex14 29:spare spanx3 ");
  map.retag(12, SpanKind::large);
  EXPECT_EQ(map.takeable(14), (std::vector<std::size_t>{15}));
  EXPECT_TRUE(map.check().empty());
}

TEST(ModelSpanMap, ShrinkFreesTheTailAndExtendTakesTheNextSpan) {
  SpanMap map;
  map.grow(64, 12);
  map.carve(12, 10, SpanKind::large);
  map.shrink(12, 4);
  EXPECT_EQ(layout(map), "0:metadatax12 12:large blockx4 16:freex48 ");
  map.extend(12, 6);
  EXPECT_EQ(layout(map), "0:metadatax12 12:large blockx10 22:freex42 ");
  map.extend(12, 42);
  EXPECT_EQ(layout(map), "0:metadatax12 12:large blockx52 ");
}

TEST(ModelSpanMap, TakeableIsGoodFitsElseTheTopSpan) {
  SpanMap map;
  map.grow(32 * 16, 12);                  // slots 12..511 free
  map.carve(12, 100, SpanKind::large);
  map.carve(112, 1, SpanKind::large);
  map.release(12, 100);                   // free 100 at 12, large at 112, free 399 at 113
  map.carve(113, 330, SpanKind::large);   // the top free span: 69 slots at 443
  EXPECT_EQ(map.takeable(66), (std::vector<std::size_t>{12, 443}));
  EXPECT_EQ(map.takeable(99), (std::vector<std::size_t>{12}));   // good fit 100
  // 70 needs a span of 70: only the one at 12 (the top span has 69).
  EXPECT_EQ(map.takeable(70), (std::vector<std::size_t>{12}));
  // 101 needs 102 (good fit): no span has it, and the top span (69) is too short.
  EXPECT_TRUE(map.takeable(101).empty());
  map.release(113, 330);                  // merges with the top span: 399 at 113
  EXPECT_EQ(map.takeable(101), (std::vector<std::size_t>{113}));
  // 399 needs 400 by good fit (step 8 from 256), so only the top-span rule lets it in.
  EXPECT_EQ(good_fit(399), 400U);
  EXPECT_EQ(map.takeable(399), (std::vector<std::size_t>{113}));
  map.carve(500, 1, SpanKind::large);     // now the top span is 11 slots at 501
  EXPECT_TRUE(map.takeable(387).empty()); // 387 needs 392: the span of 387 at 113 is no fit
}

}  // namespace
}  // namespace alligator::model
