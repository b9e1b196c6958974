// The growth plan by itself (allocator/README.md "Growth"): the table's length, the first
// growth, p_k for later growths, and p_min making a growth generous.
#include <alligator/model/geometry.hpp>
#include <alligator/model/growth.hpp>

#include <gtest/gtest.h>

namespace alligator::model {
namespace {

TEST(ModelGeometry, TableIsTheApronPlusCeilThreeEighthsPerHundredSlots) {
  EXPECT_EQ(descriptor_slots(0), 0U);
  EXPECT_EQ(descriptor_slots(64), 2U);     // 3 * 64 / 128 = 1.5
  EXPECT_EQ(descriptor_slots(128), 3U);    // exactly 3
  EXPECT_EQ(descriptor_slots(1376), 33U);  // 32.25: the first heap whose descriptors pass a page
  EXPECT_EQ(table_slots(64), 34U);
  EXPECT_EQ(table_slots(544), 45U);
  EXPECT_EQ(table_slots(std::size_t{1} << 21), 32U + 49152U);  // 4 GiB: 96 MiB of descriptors
}

TEST(ModelGrowth, FirstGrowthMakesSlotZeroAndTheTable) {
  // One page cannot hold slot 0 and a table of 33 slots: 32 - 1 - 33 < 0.
  EXPECT_EQ(top_free_after_growth(0, 0, 1), -2);
  EXPECT_EQ(top_free_after_growth(0, 0, 2), 29);  // 64 - 1 - 34
  EXPECT_EQ(top_free_after_growth(0, 0, 3), 60);  // 96 - 1 - 35
  auto plan = plan_growth(0, 0, 1, 100);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->pages, 2U);
  EXPECT_EQ(plan->exact_pages, 2U);  // p_min = ceil(L(0) / 32) = 0
  EXPECT_EQ(plan_growth(0, 0, 29, 100)->pages, 2U);
  EXPECT_EQ(plan_growth(0, 0, 30, 100)->pages, 3U);
  // 480 slots: 16 pages leave 512 - 1 - 44 = 467, 17 leave 544 - 1 - 45 = 498.
  EXPECT_EQ(plan_growth(0, 0, 480, 100)->pages, 17U);
  EXPECT_FALSE(plan_growth(0, 0, 1, 1));     // within one page nothing fits
  EXPECT_FALSE(plan_growth(0, 0, 30, 2));
}

TEST(ModelGrowth, LaterGrowthCountsTheTopFreeSpanAndTheOldTable) {
  // top 64 (table 34), top free span 29: one page leaves 29 + 34 + 32 - 35 = 60.
  EXPECT_EQ(top_free_after_growth(64, 29, 1), 60);
  EXPECT_EQ(plan_growth(64, 29, 60, 100)->pages, 1U);
  EXPECT_EQ(plan_growth(64, 29, 61, 100)->pages, 2U);
  // No top free span: the old table's 34 slots still join the new free span.
  EXPECT_EQ(top_free_after_growth(64, 0, 1), 31);
  EXPECT_EQ(plan_growth(64, 0, 31, 100)->pages, 1U);
  EXPECT_EQ(plan_growth(64, 0, 32, 100)->pages, 2U);
  // A growth under a block: 120 missing slots over a free span of 18 at top 544; three pages
  // leave 18 + 45 + 96 - 47 = 112, four 18 + 45 + 128 - 48 = 143.
  EXPECT_EQ(top_free_after_growth(544, 18, 3), 112);
  EXPECT_EQ(plan_growth(544, 18, 120, 100)->pages, 4U);
  EXPECT_FALSE(plan_growth(544, 18, 120, 3));
}

TEST(ModelGrowth, PMinMakesAGrowthAtLeastAsLongAsTheDescriptorsItMoves) {
  EXPECT_EQ(min_growth_pages(0), 0U);
  EXPECT_EQ(min_growth_pages(64), 1U);
  EXPECT_EQ(min_growth_pages(1344), 1U);  // L = 32 (31.5 rounded up): one page holds them
  EXPECT_EQ(min_growth_pages(1376), 2U);  // L = 33
  // At top 1376 one page would do (0 + 65 + 32 - 65 = 32 >= 1), but the heap asks for two
  // first, and for one only if two are refused.
  auto plan = plan_growth(1376, 0, 1, 100);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->exact_pages, 1U);
  EXPECT_EQ(plan->pages, 2U);
  // When p_k is already at least p_min, the plan is p_k alone.
  plan = plan_growth(1376, 0, 64, 100);
  EXPECT_EQ(plan->exact_pages, 3U);  // 2 pages leave 65 + 64 - 66 = 63
  EXPECT_EQ(plan->pages, 3U);
  // The page limit bounds p_k only: p_min may pass it (the caller decides).
  plan = plan_growth(1376, 0, 1, 1);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->pages, 2U);
  EXPECT_EQ(plan->exact_pages, 1U);
}

}  // namespace
}  // namespace alligator::model
