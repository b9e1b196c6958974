// The property suites' main: GoogleTest, plus a line per test saying how many heap operations
// it executed (every case, shrinking included), which CI reads to see the suites did real work.
#include "commands.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

namespace {

class OperationCounter : public ::testing::EmptyTestEventListener {
  void OnTestStart(const ::testing::TestInfo&) override {
    alligator::properties::property_operations() = 0;
    start_ = std::chrono::steady_clock::now();
  }
  void OnTestEnd(const ::testing::TestInfo& test) override {
    std::chrono::duration<double> took = std::chrono::steady_clock::now() - start_;
    std::printf("property operations: %zu (%s.%s, %.1f s)\n",
                alligator::properties::property_operations(), test.test_suite_name(),
                test.name(), took.count());
    std::fflush(stdout);
  }
  std::chrono::steady_clock::time_point start_;
};

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::UnitTest::GetInstance()->listeners().Append(new OperationCounter);
  return RUN_ALL_TESTS();
}
