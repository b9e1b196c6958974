// FreeVector (free_vector.hpp): a stack of Segment indexes. Push/pop order, size, clear, indexing,
// the full 256-entry capacity, and fill_fresh: pops hand out a fresh MiniPage's Segments in
// ascending order (ascending addresses) for every class's Segment count.
#include <alligator/detail/free_vector.hpp>
#include <alligator/size_classes.hpp>

#include <gtest/gtest.h>

#include <vector>

namespace alligator::detail {
namespace {

TEST(FreeVectorTest, StartsEmpty) {
  FreeVector vector;
  EXPECT_TRUE(vector.empty());
  EXPECT_EQ(vector.size(), 0U);
}

TEST(FreeVectorTest, PopsInReverseOrderOfPushes) {
  FreeVector vector;
  for (unsigned segment : {5U, 0U, 200U, 17U, 255U}) vector.push(segment);
  EXPECT_EQ(vector.size(), 5U);
  EXPECT_FALSE(vector.empty());
  EXPECT_EQ(vector[0], 5U);
  EXPECT_EQ(vector[1], 0U);
  EXPECT_EQ(vector[2], 200U);
  EXPECT_EQ(vector[3], 17U);
  EXPECT_EQ(vector[4], 255U);
  EXPECT_EQ(vector.pop(), 255U);
  EXPECT_EQ(vector.pop(), 17U);
  EXPECT_EQ(vector.pop(), 200U);
  EXPECT_EQ(vector.size(), 2U);
  vector.push(42);
  EXPECT_EQ(vector.pop(), 42U);
  EXPECT_EQ(vector.pop(), 0U);
  EXPECT_EQ(vector.pop(), 5U);
  EXPECT_TRUE(vector.empty());
}

TEST(FreeVectorTest, HoldsAll256IndexesOfTheSmallestClass) {
  FreeVector vector;
  for (unsigned segment = 0; segment < 256; ++segment) vector.push(segment);
  EXPECT_EQ(vector.size(), 256U);
  for (unsigned segment = 256; segment-- > 0;) ASSERT_EQ(vector.pop(), segment);
  EXPECT_TRUE(vector.empty());
}

TEST(FreeVectorTest, ClearEmpties) {
  FreeVector vector;
  for (unsigned segment = 0; segment < 10; ++segment) vector.push(segment);
  vector.clear();
  EXPECT_TRUE(vector.empty());
  EXPECT_EQ(vector.size(), 0U);
  vector.push(7);
  EXPECT_EQ(vector.size(), 1U);
  EXPECT_EQ(vector.pop(), 7U);
}

TEST(FreeVectorTest, FillFreshPopsAscendingForEveryClass) {
  for (std::size_t size_class = 0; size_class < kClassCount; ++size_class) {
    auto segments = static_cast<unsigned>(kMiniPageSize / kClassSizes[size_class]);
    FreeVector vector;
    vector.push(99);  // fill_fresh replaces whatever was there
    vector.fill_fresh(segments);
    ASSERT_EQ(vector.size(), segments) << "class " << size_class;
    for (unsigned expected = 0; expected < segments; ++expected) {
      ASSERT_FALSE(vector.empty());
      ASSERT_EQ(vector.pop(), expected) << "class " << size_class;
    }
    EXPECT_TRUE(vector.empty()) << "class " << size_class;
  }
}

TEST(FreeVectorTest, FillFreshWith256AndWith1) {
  FreeVector vector;
  vector.fill_fresh(256);
  EXPECT_EQ(vector.size(), 256U);
  std::vector<unsigned> popped;
  while (!vector.empty()) popped.push_back(vector.pop());
  ASSERT_EQ(popped.size(), 256U);
  for (unsigned i = 0; i < 256; ++i) EXPECT_EQ(popped[i], i);

  vector.fill_fresh(1);
  EXPECT_EQ(vector.size(), 1U);
  EXPECT_EQ(vector.pop(), 0U);
  EXPECT_TRUE(vector.empty());
}

TEST(FreeVectorTest, PushAfterFillFreshIsPoppedFirst) {
  FreeVector vector;
  vector.fill_fresh(3);
  EXPECT_EQ(vector.pop(), 0U);
  EXPECT_EQ(vector.pop(), 1U);
  vector.push(0);  // a freed Segment is handed out again before untouched ones
  EXPECT_EQ(vector.pop(), 0U);
  EXPECT_EQ(vector.pop(), 2U);
  EXPECT_TRUE(vector.empty());
}

}  // namespace
}  // namespace alligator::detail
