// The executor on short sequences: agreeing runs pass, skipped operations stay harmless, and the
// checks that do not depend on the allocator being wrong (trace misuse) report.
#include <alligator/properties/executor.hpp>

#include <gtest/gtest.h>

namespace alligator::properties {
namespace {

StepVerdict run(Executor& executor, const std::string& line) {
  std::string error;
  auto operation = parse_operation(line, error);
  EXPECT_TRUE(operation) << line << ": " << error;
  return operation ? executor.run(*operation) : StepVerdict{false, error, {}};
}

#define EXPECT_STEP_OK(executor, line)               \
  do {                                               \
    StepVerdict v_ = run(executor, line);            \
    EXPECT_TRUE(v_.ok) << v_.message;                \
  } while (0)

// heap+0 and heap+1024 lie in slot 0, metadata in every heap (heap+4096, once in the first
// descriptor block, is now a Segment of b2's MiniPage).
TEST(Executor, EveryKindOfOperationAgreesWithTheModel) {
  Executor executor(1 << 20);
  for (const char* line : {"b1 = malloc 100", "b2..b40 = malloc 24", "b41 = calloc 10 20",
                           "b42 = realloc null 3000", "realloc b1 300", "realloc b42 9000",
                           "realloc b42 2100", "b43 = aligned_alloc 4096 100",
                           "b44 = posix_memalign 64 100", "b45 = new 100 16", "delete b45 100 16",
                           "free b2..b40 step 2", "free b39..b4", "fill b41", "usable b41",
                           "usable null", "free null", "free b41+8", "free heap+1024",
                           "free heap+0", "free b1", "free_again b1", "realloc b43 0",
                           "b46 = calloc max/8+1 8", "b47 = malloc max-16",
                           "b48 = aligned_alloc 24 10", "b49 = posix_memalign 2 10",
                           "b52 = memalign 256 300", "b53 = memalign 3 10", "refuse_grows 1", "b50 = malloc 800000", "b51 = malloc 800000"}) {
    EXPECT_STEP_OK(executor, line);
  }
  EXPECT_FALSE(executor.block_live(50));  // the refused grow
  EXPECT_TRUE(executor.block_live(51));
  EXPECT_GT(executor.operations(), 60U);
}

TEST(Executor, OperationsOnBlocksThatDoNotExistAreSkipped) {
  Executor executor(64 * 1024);
  EXPECT_STEP_OK(executor, "b1 = malloc 100000");  // more than the memory: NULL
  EXPECT_FALSE(executor.block_live(1));
  EXPECT_STEP_OK(executor, "free b1");
  EXPECT_STEP_OK(executor, "realloc b1 10");
  EXPECT_STEP_OK(executor, "fill b1");
  EXPECT_STEP_OK(executor, "free_again b1");
  EXPECT_EQ(executor.operations(), 1U);
}

TEST(Executor, ReusingAnIdIsATraceError) {
  Executor executor(128 * 1024);  // two pages: the first growth's least
  EXPECT_STEP_OK(executor, "b1 = malloc 10");
  StepVerdict verdict = run(executor, "b1 = malloc 10");
  EXPECT_FALSE(verdict.ok);
  EXPECT_NE(verdict.message.find("reuses"), std::string::npos) << verdict.message;
  EXPECT_EQ(format(executor.trace()), "memory 131072\nb1 = malloc 10\nb1 = malloc 10\n");
}

}  // namespace
}  // namespace alligator::properties
