// The policy-free tier's growth check on hand-built heaps: it accepts a growth nothing free could
// avoid, and reports each way a growth can be wrong (a run that could serve, kept memory not
// retired first, a top run long enough, more pages than the bound, growth without a request or
// with a failed one, a realloc in place that passed over a free span).
#include <alligator/properties/policy_free.hpp>

#include <gtest/gtest.h>

namespace alligator::properties::policy_free {
namespace {

// A heap of 2 wasm pages (64 slots): slot 0, spans as given, then the 34-slot table. Growing to
// 3 pages adds no slot of records (16 bytes a slot: one slot per 4 pages), so metadata stays
// at 35 slots unless the table itself needs more.
Shape heap(std::vector<Span> middle) {
  Shape shape;
  shape.pages = 2;
  shape.metadata_bytes = 35 * 2048;
  shape.spans.push_back(Span{Kind::metadata, 0, 1});
  for (const Span& span : middle) shape.spans.push_back(span);
  shape.spans.push_back(Span{Kind::metadata, 30, 34});
  return shape;
}

Request request(std::size_t slots, bool succeeded = true) {
  return Request{slots, succeeded, {}, {}};
}

TEST(PolicyFree, SlotsForARequest) {
  // Small requests may need a MiniPage of up to 16 slots, whatever their size.
  EXPECT_EQ(slots_for(0, 1), 16U);
  EXPECT_EQ(slots_for(2048, 1), 16U);
  EXPECT_EQ(slots_for(16384, 2048), 16U);
  // Large ones need their whole slots.
  EXPECT_EQ(slots_for(16385, 1), 9U);
  EXPECT_EQ(slots_for(40000, 1), 20U);
  EXPECT_EQ(slots_for(100, 8192), 4U);  // 1 + 4 - 1: any run of 4 holds an aligned slot
}

// A small request needs the span its result lies in after the call: a MiniPage of 4 slots (at
// slot 30, in the new pages) grown for while a run of 5 free slots was there is reported; with
// runs of 3 only, it is fine. A result outside every span leaves the 16 slots.
TEST(PolicyFree, ASmallRequestNeedsTheSpanItsResultLiesIn) {
  std::vector<Span> after = {{Kind::metadata, 0, 1}, {Kind::busy, 1, 29}, {Kind::busy, 30, 4},
                             {Kind::free, 34, 28}, {Kind::metadata, 62, 34}};
  Request small{slots_for(100, 1), true, {}, 30};
  refine_small_request(small, after);
  EXPECT_EQ(small.slots, 4U);
  Shape five = heap({{Kind::free, 1, 5}, {Kind::busy, 6, 24}});
  EXPECT_NE(check_growth(five, 3, 35 * 2048, small).find("could serve"), std::string::npos);
  Shape threes = heap({{Kind::free, 1, 3}, {Kind::busy, 4, 1}, {Kind::free, 5, 3},
                       {Kind::busy, 8, 22}});
  EXPECT_EQ(check_growth(threes, 3, 35 * 2048, small), "");
  Request outside{slots_for(100, 1), true, {}, 500};
  refine_small_request(outside, after);
  EXPECT_EQ(outside.slots, 16U);
}

TEST(PolicyFree, NoGrowthIsAlwaysFine) {
  EXPECT_EQ(check_growth(heap({{Kind::free, 1, 29}}), 2, 35 * 2048, std::nullopt), "");
}

TEST(PolicyFree, GrowthNothingFreeCouldAvoidIsFine) {
  // 10 slots asked, runs of 3 and 4: one page more is within the bound.
  Shape shape = heap({{Kind::free, 1, 3}, {Kind::busy, 4, 20}, {Kind::free, 24, 4},
                      {Kind::busy, 28, 2}});
  EXPECT_EQ(check_growth(shape, 3, 35 * 2048, request(10)), "");
}

TEST(PolicyFree, AFreeRunThatCouldServeIsReported) {
  Shape shape = heap({{Kind::free, 1, 12}, {Kind::busy, 13, 17}});
  EXPECT_NE(check_growth(shape, 3, 35 * 2048, request(10)).find("could serve"), std::string::npos);
}

// The table lengthens only into the top run: a MiniPage whose bitmap record needs a new pool
// slot (the table grows by a slot; 2 to 3 pages add no slot of records) with no top run left
// may grow the heap, though a free run could hold the MiniPage itself.
TEST(PolicyFree, TheTableMayGrowTheHeapWhenNoTopRunIsLeft) {
  Shape shape = heap({{Kind::free, 1, 12}, {Kind::busy, 13, 17}});
  EXPECT_EQ(check_growth(shape, 3, 36 * 2048, request(1)), "");
  // Without the table's extra slot, the run could serve the request.
  EXPECT_NE(check_growth(shape, 3, 35 * 2048, request(1)).find("could serve"), std::string::npos);
  // With a top run of a slot, the table lengthens into it: no growth was needed.
  Shape with_top = heap({{Kind::free, 1, 12}, {Kind::busy, 13, 16}, {Kind::free, 29, 1}});
  EXPECT_NE(check_growth(with_top, 3, 36 * 2048, request(1)).find("could serve"),
            std::string::npos);
  // A top run of one slot that the table takes: the MiniPage's slot then needs the growth.
  Shape one_left = heap({{Kind::busy, 1, 28}, {Kind::free, 29, 1}});
  EXPECT_EQ(check_growth(one_left, 3, 36 * 2048, request(1)), "");
  EXPECT_NE(check_growth(one_left, 3, 35 * 2048, request(1)).find("could serve"), std::string::npos);
}

TEST(PolicyFree, KeptMemoryMustRetireBeforeGrowth) {
  // A spare span between two free spans: 4 + 3 + 4 slots once it retires.
  Shape shape = heap({{Kind::free, 1, 4}, {Kind::kept, 5, 3}, {Kind::free, 8, 4},
                      {Kind::busy, 12, 18}});
  EXPECT_NE(check_growth(shape, 3, 35 * 2048, request(10)).find("slot 1 holds 11"),
            std::string::npos);
}

TEST(PolicyFree, GoodFitMayPassOverRunsAThirtySecondLonger) {
  Shape shape;
  shape.pages = 10;
  shape.metadata_bytes = 37 * 2048;
  shape.spans = {{Kind::metadata, 0, 1}, {Kind::free, 1, 100}, {Kind::busy, 101, 183},
                 {Kind::metadata, 284, 36}};
  EXPECT_EQ(check_growth(shape, 14, 38 * 2048, request(98)), "");
  EXPECT_NE(check_growth(shape, 14, 38 * 2048, request(97)), "");
}

TEST(PolicyFree, ATopRunHoldingTheRequestIsReported) {
  // 99 slots just below the table: too short to pass the good-fit tolerance, long enough to serve.
  Shape shape;
  shape.pages = 10;
  shape.metadata_bytes = 37 * 2048;
  shape.spans = {{Kind::metadata, 0, 1}, {Kind::busy, 1, 184}, {Kind::free, 185, 99},
                 {Kind::metadata, 284, 36}};
  EXPECT_NE(check_growth(shape, 11, 38 * 2048, request(98)).find("top run"), std::string::npos);
  EXPECT_EQ(check_growth(shape, 11, 38 * 2048, request(100)), "");  // one slot missing
}

TEST(PolicyFree, GrowingMoreThanTheBoundIsReported) {
  Shape shape = heap({{Kind::busy, 1, 29}});
  EXPECT_EQ(check_growth(shape, 3, 35 * 2048, request(10)), "");
  EXPECT_NE(check_growth(shape, 5, 38 * 2048, request(10)).find("allow less"), std::string::npos);
}

TEST(PolicyFree, GrowthWithoutARequestOrForAFailedOneIsReported) {
  Shape shape = heap({{Kind::busy, 1, 29}});
  EXPECT_NE(check_growth(shape, 3, 35 * 2048, std::nullopt).find("requests no memory"),
            std::string::npos);
  EXPECT_NE(check_growth(shape, 3, 35 * 2048, request(10, false)).find("failed"),
            std::string::npos);
}

TEST(PolicyFree, ReallocInPlaceLooksAtFreeSpansOnly) {
  // A block of 20 slots at the top grows to 30: kept memory is not retired for it.
  Shape shape = heap({{Kind::kept, 1, 8}, {Kind::free, 9, 1}, {Kind::busy, 10, 20}});
  Request in_place = request(30);
  in_place.in_place_first = 10;
  EXPECT_EQ(check_growth(shape, 3, 35 * 2048, in_place), "");
  // A free span of 40 slots elsewhere could have taken the whole block of 30.
  Shape roomy;
  roomy.pages = 4;
  roomy.metadata_bytes = 36 * 2048;
  roomy.spans = {{Kind::metadata, 0, 1}, {Kind::free, 1, 40}, {Kind::busy, 41, 31},
                 {Kind::busy, 72, 20}, {Kind::metadata, 92, 36}};
  in_place.in_place_first = 72;
  EXPECT_NE(check_growth(roomy, 5, 37 * 2048, in_place).find("could serve"), std::string::npos);
  in_place.slots = 45;  // 25 missing: one page
  EXPECT_EQ(check_growth(roomy, 5, 37 * 2048, in_place), "");
}

}  // namespace
}  // namespace alligator::properties::policy_free
