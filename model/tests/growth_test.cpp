// The growth plan by itself (allocator/README.md "Growth"): the table's length, the first
// growth, p_k for later growths, and p_min making a growth generous.
#include <alligator/model/geometry.hpp>
#include <alligator/model/growth.hpp>

#include <gtest/gtest.h>

namespace alligator::model {
namespace {

TEST(ModelGeometry, TableIsTheApronThePoolAndASlotOfRecordsPer128Slots) {
  EXPECT_EQ(record_slots(0), 0U);
  EXPECT_EQ(record_slots(64), 1U);     // 64 / 128 = 0.5
  EXPECT_EQ(record_slots(128), 1U);    // exactly 1
  EXPECT_EQ(record_slots(4128), 33U);  // 32.25: the first heap whose records pass a page
  EXPECT_EQ(copied_slots(4096, 1), 33U);
  EXPECT_EQ(table_slots(64, 0), 33U);
  EXPECT_EQ(table_slots(64, 1), 34U);  // a pool slot holds 64 MiniPages' bitmaps
  EXPECT_EQ(table_slots(544, 0), 37U);
  EXPECT_EQ(table_slots(std::size_t{1} << 21, 0), 32U + 16384U);  // 4 GiB: 32 MiB of records
}

TEST(ModelGrowth, FirstGrowthMakesSlotZeroAndTheTable) {
  // One page cannot hold slot 0 and a table of 33 slots: 32 - 1 - 33 < 0. The pool is empty.
  EXPECT_EQ(top_free_after_growth(0, 0, 0, 1), -2);
  EXPECT_EQ(top_free_after_growth(0, 0, 0, 2), 30);  // 64 - 1 - 33
  EXPECT_EQ(top_free_after_growth(0, 0, 0, 3), 62);  // 96 - 1 - 33
  auto plan = plan_growth(0, 0, 0, 1, 100);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->pages, 2U);
  EXPECT_EQ(plan->exact_pages, 2U);  // p_min = ceil(L(0) / 32) = 0
  EXPECT_EQ(plan_growth(0, 0, 0, 30, 100)->pages, 2U);
  EXPECT_EQ(plan_growth(0, 0, 0, 31, 100)->pages, 3U);
  // 480 slots: 16 pages leave 512 - 1 - 36 = 475, 17 leave 544 - 1 - 37 = 506.
  EXPECT_EQ(plan_growth(0, 0, 0, 480, 100)->pages, 17U);
  EXPECT_FALSE(plan_growth(0, 0, 0, 1, 1));     // within one page nothing fits
  EXPECT_FALSE(plan_growth(0, 0, 0, 31, 2));
}

TEST(ModelGrowth, LaterGrowthCountsTheTopFreeSpanAndTheOldTable) {
  // top 64, a pool of one slot (table 34), top free span 29: one page leaves
  // 29 + 34 + 32 - 34 = 61 (the pool moves along: B cancels out).
  EXPECT_EQ(top_free_after_growth(64, 29, 1, 1), 61);
  EXPECT_EQ(plan_growth(64, 29, 1, 61, 100)->pages, 1U);
  EXPECT_EQ(plan_growth(64, 29, 1, 62, 100)->pages, 2U);
  // No top free span: the old table's 34 slots still join the new free span.
  EXPECT_EQ(top_free_after_growth(64, 0, 1, 1), 32);
  EXPECT_EQ(plan_growth(64, 0, 1, 32, 100)->pages, 1U);
  EXPECT_EQ(plan_growth(64, 0, 1, 33, 100)->pages, 2U);
  // A growth under a block: 120 missing slots over a free span of 18 at top 544; three pages
  // leave 18 + 37 + 96 - 37 = 114, four 18 + 37 + 128 - 38 = 145.
  EXPECT_EQ(top_free_after_growth(544, 18, 0, 3), 114);
  EXPECT_EQ(plan_growth(544, 18, 0, 120, 100)->pages, 4U);
  EXPECT_FALSE(plan_growth(544, 18, 0, 120, 3));
}

TEST(ModelGrowth, PMinMakesAGrowthAtLeastAsLongAsThePoolAndRecordsItMoves) {
  EXPECT_EQ(min_growth_pages(0, 0), 0U);
  EXPECT_EQ(min_growth_pages(64, 0), 1U);
  EXPECT_EQ(min_growth_pages(4096, 0), 1U);  // L = 32: one page holds them
  EXPECT_EQ(min_growth_pages(4128, 0), 2U);  // L = 33
  EXPECT_EQ(min_growth_pages(4096, 1), 2U);  // L = 1 + 32: the pool moves too
  // At top 4128 one page would do (0 + 65 + 32 - 65 = 32 >= 1), but the heap asks for two
  // first, and for one only if two are refused.
  auto plan = plan_growth(4128, 0, 0, 1, 100);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->exact_pages, 1U);
  EXPECT_EQ(plan->pages, 2U);
  // When p_k is already at least p_min, the plan is p_k alone.
  plan = plan_growth(4128, 0, 0, 65, 100);
  EXPECT_EQ(plan->exact_pages, 3U);  // 2 pages leave 65 + 64 - 65 = 64
  EXPECT_EQ(plan->pages, 3U);
  // The page limit bounds p_k only: p_min may pass it (the caller decides).
  plan = plan_growth(4128, 0, 0, 1, 1);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->pages, 2U);
  EXPECT_EQ(plan->exact_pages, 1U);
}

}  // namespace
}  // namespace alligator::model
