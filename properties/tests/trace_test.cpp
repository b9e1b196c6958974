// The trace format: every operation formats and parses back to itself; bad lines are refused
// with their line number; sizes relative to SIZE_MAX resolve per target.
#include <alligator/properties/executor.hpp>
#include <alligator/properties/trace.hpp>

#include <gtest/gtest.h>

#include <limits>

namespace alligator::properties {
namespace {

TEST(Trace, EveryOperationRoundTrips) {
  const char* lines[] = {
      "b1 = malloc 100",          "b2..b9 = malloc 24",       "b9..b2 = malloc 24",
      "b3 = calloc 10 20",        "b3 = calloc max/8+1 8",    "b4 = realloc null 100",
      "realloc b1 300",           "realloc b1 0",             "b5 = aligned_alloc 4096 100",
      "b6 = posix_memalign 64 100", "b7 = new 100 16",        "delete b7 100 16",
      "free b1",                  "free b2..b9",              "free b9..b2 step 2",
      "free b3+8",                "free heap+4096",           "free null",
      "free_again b1",            "fill b3",                  "usable b3",
      "usable null",              "refuse_grows 2",           "b8 = malloc max-16",
      "b8 = malloc max",          "b8 = malloc max/2",        "b9 = memalign 64 100",
      "expect b6 == b1",          "expect b6 != b1",          "expect b3 null",
      "expect b3 live",           "expect pages 3",           "expect nothing_lost",
      "expect no_growth 4096",     "trim",
  };
  for (const char* line : lines) {
    std::string error;
    auto operation = parse_operation(line, error);
    ASSERT_TRUE(operation) << line << ": " << error;
    EXPECT_EQ(format(*operation), line);
  }
}

TEST(Trace, RefusesWhatItCannotRead) {
  for (const char* line : {"b1 = malloc", "malloc 100", "b0 = malloc 1", "free b1+0", "free x",
                           "b1..b3 = calloc 1 1", "free b1..b3 step 1", "b1 = malloc 1e3",
                           "b1 = malloc max*2", "frob b1", "b1 = aligned_alloc 1 max+"}) {
    std::string error;
    EXPECT_FALSE(parse_operation(line, error)) << line;
    EXPECT_FALSE(error.empty());
  }
}

TEST(Trace, HeaderFirstCommentsAndBlankLinesIgnored) {
  ParseError error;
  auto trace = parse_trace("# a comment\n\nmemory 65536  # one page\nb1 = malloc 1\n\nfree b1\n", error);
  ASSERT_TRUE(trace) << error.message;
  EXPECT_EQ(trace->memory_bytes, 65536U);
  ASSERT_EQ(trace->operations.size(), 2U);
  EXPECT_EQ(trace->lines[1], 6U);
  EXPECT_EQ(format(*trace), "memory 65536\nb1 = malloc 1\nfree b1\n");
  EXPECT_FALSE(parse_trace("b1 = malloc 1\n", error));
  EXPECT_EQ(error.line, 1U);
  EXPECT_FALSE(parse_trace("memory 65536\nb1 = malloc\n", error));
  EXPECT_EQ(error.line, 2U);
}

TEST(Trace, SizesRelativeToSizeMaxResolveOnThisTarget) {
  constexpr std::size_t kMax = std::numeric_limits<std::size_t>::max();
  EXPECT_EQ(Size::max().resolve(), kMax);
  EXPECT_EQ(Size::max(1, -16).resolve(), kMax - 16);
  EXPECT_EQ(Size::max(8, 1).resolve(), kMax / 8 + 1);
  EXPECT_EQ(Size::max(1, 5).resolve(), kMax);  // saturates
  EXPECT_EQ(Size::of(100).resolve(), 100U);
}

TEST(Trace, RangesRunInTheirDirection) {
  Operation up;
  up.id = 3;
  up.last = 9;
  up.step = 3;
  EXPECT_EQ(up.range(), (std::vector<std::uint32_t>{3, 6, 9}));
  Operation down;
  down.id = 4;
  down.last = 1;
  EXPECT_EQ(down.range(), (std::vector<std::uint32_t>{4, 3, 2, 1}));
}

// Expectations are checked: a true one passes, a false one fails its step and names itself.
TEST(Trace, AWrongExpectationFailsTheReplay) {
  auto first_failure = [](const std::string& text) -> std::string {
    ParseError error;
    auto trace = parse_trace(text, error);
    if (!trace) return "parse: " + error.message;
    Executor executor(trace->memory_bytes);
    for (const auto& op : trace->operations) {
      auto verdict = executor.run(op);
      if (!verdict.ok) return verdict.message;
    }
    return {};
  };
  const std::string head = "memory 1048576\nb1 = malloc 100\nb2 = malloc 100\nb3 = malloc max\n";
  EXPECT_EQ(first_failure(head + "expect b1 != b2\nexpect b3 null\nexpect b1 live\n"), "");
  EXPECT_NE(first_failure(head + "expect b1 == b2\n").find("expect b1 == b2"), std::string::npos);
  EXPECT_NE(first_failure(head + "expect b3 live\n"), "");
  EXPECT_NE(first_failure(head + "expect b1 null\n"), "");
  EXPECT_NE(first_failure(head + "expect pages 999\n"), "");
  // The end of a property case: it frees every block; only no_growth may follow, and only it.
  EXPECT_EQ(first_failure(head + "expect nothing_lost\nexpect no_growth 4096\nexpect no_growth 1\n"),
            "");
  EXPECT_NE(first_failure(head + "expect no_growth 4096\n").find("only after expect nothing_lost"),
            std::string::npos);
  EXPECT_NE(first_failure(head + "expect nothing_lost\nb4 = malloc 8\n").find("released every block"),
            std::string::npos);
  // A request larger than the whole heap cannot be served without growth: the line fails.
  EXPECT_NE(first_failure(head + "expect nothing_lost\nexpect no_growth 1048576\n")
                .find("nothing lost (policy-free)"),
            std::string::npos);
}

}  // namespace
}  // namespace alligator::properties
