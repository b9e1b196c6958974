// The fuzzers' decoder: traces survive encode -> decode (how properties/traces/ seeds the
// corpus), any bytes decode to a canonical trace, and the shaped forms reach the edges the
// issue names: every class edge, the small/large boundary, multi-MiB blocks, SIZE_MAX,
// alignments up to 64 KiB and invalid ones, memory maxima small enough to run out.
#include "decoder.hpp"

#include <alligator/model/size_classes.hpp>
#include <alligator/properties/executor.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace alligator::properties {
namespace {

Trace parse(const std::string& text) {
  ParseError error;
  auto trace = parse_trace(text, error);
  EXPECT_TRUE(trace) << error.line << ": " << error.message;
  return trace ? *trace : Trace{};
}

Trace round_trip(const Trace& trace) {
  const auto bytes = fuzz::encode(trace);
  return fuzz::decode(bytes.data(), bytes.size());
}

// Heap operations the executor ran, or the failure.
std::size_t run(const Trace& trace) {
  Executor executor(trace.memory_bytes);
  for (const Operation& op : trace.operations) {
    auto verdict = executor.run(op);
    EXPECT_TRUE(verdict.ok) << verdict.message;
    if (!verdict.ok) return 0;
  }
  return executor.operations();
}

TEST(Decoder, ATraceWithIdsInOrderRoundTripsExactly) {
  const std::string text =
      "memory 1048576\n"
      "b1 = malloc 100\nb2..b9 = malloc 24\nb17..b10 = malloc 2048\nb18 = calloc 10 20\n"
      "b19 = realloc null 3000\nrealloc b1 300\nb20 = aligned_alloc 4096 100\n"
      "b21 = posix_memalign 64 100\nb22 = memalign 65536 1\nb23 = new 100 16\n"
      "delete b23 100 16\nfree b2\nfree b3+8\nfree heap+4096\nfree heap-64\nfree null\n"
      "free_again b2\nreallocate b21 5000 256\n"
      "fill b4\nusable b4\nusable null\nrefuse_grows 2\ntrim\nb24 = malloc max-16\n"
      "b25 = malloc max/2\nb26 = calloc max/8+1 8\nb27 = aligned_alloc 24 10\n";
  const Trace trace = parse(text);
  EXPECT_EQ(format(round_trip(trace)), format(trace));
}

TEST(Decoder, EveryRegressionTraceRunsTheSameHeapOperationsAfterARoundTrip) {
  int traces = 0;
  for (const auto& entry : std::filesystem::directory_iterator(ALLIGATOR_TRACES_DIR)) {
    if (entry.path().extension() != ".trace") continue;
    std::ifstream file(entry.path());
    std::stringstream text;
    text << file.rdbuf();
    const Trace trace = parse(text.str());
    const Trace decoded = round_trip(trace);
    EXPECT_EQ(decoded.memory_bytes, trace.memory_bytes) << entry.path();
    EXPECT_EQ(run(decoded), run(trace)) << entry.path() << "\n" << format(decoded);
    ++traces;
  }
  EXPECT_GE(traces, 5);
}

TEST(Decoder, AnyBytesDecodeToACanonicalTraceOfBoundedLength) {
  std::vector<std::uint8_t> bytes(4096);
  std::uint32_t state = 12345;
  for (int input = 0; input < 200; ++input) {
    for (auto& byte : bytes) {
      state = state * 1103515245 + 12345;
      byte = static_cast<std::uint8_t>(state >> 16);
    }
    const Trace trace = fuzz::decode(bytes.data(), bytes.size() * (input + 1) / 200);
    ASSERT_LE(trace.operations.size(), fuzz::kMaxOperations);
    ASSERT_GE(trace.memory_bytes, 64u * 1024);
    const std::string text = format(trace);
    EXPECT_EQ(format(parse(text)), text);
  }
  EXPECT_TRUE(fuzz::decode(nullptr, 0).operations.empty());
}

// Every single-operation input `header, op, a, b` (and a third byte where a form needs one).
std::set<std::uint64_t> sizes_reached(std::uint8_t op_byte, bool aligned, std::set<std::uint64_t>* alignments) {
  std::set<std::uint64_t> sizes;
  for (int a = 0; a < 256; ++a) {
    for (int b = 0; b < 256; ++b) {
      for (int c : {0, 1, 255}) {
        const std::uint8_t input[] = {0, op_byte, static_cast<std::uint8_t>(a),
                                      static_cast<std::uint8_t>(b), static_cast<std::uint8_t>(c)};
        const Trace trace = fuzz::decode(input, sizeof input);
        const Operation& op = trace.operations.at(0);
        sizes.insert(op.size.resolve());
        if (alignments) alignments->insert(op.alignment);
        if (aligned) break;
      }
    }
  }
  return sizes;
}

TEST(Decoder, ShapedFormsReachTheEdges) {
  const std::set<std::uint64_t> sizes = sizes_reached(0, false, nullptr);  // malloc
  const model::SizeClasses classes;
  for (std::size_t size : classes.sizes()) {
    for (std::size_t edge : {size - 1, size, size + 1}) {
      EXPECT_TRUE(sizes.count(edge)) << "class edge " << edge;
    }
  }
  const std::uint64_t MiB = 1 << 20;
  for (std::uint64_t size : {std::uint64_t{0}, std::uint64_t{2047}, std::uint64_t{2048},
                             std::uint64_t{2049}, std::uint64_t{65535}, std::uint64_t{65537},
                             12 * MiB, 12 * MiB + 8, std::uint64_t{SIZE_MAX},
                             std::uint64_t{SIZE_MAX - 16}, std::uint64_t{SIZE_MAX / 2}}) {
    EXPECT_TRUE(sizes.count(size)) << size;
  }
  std::set<std::uint64_t> alignments;
  sizes_reached(16, true, &alignments);  // aligned_alloc
  for (int shift = 0; shift <= 16; ++shift) EXPECT_TRUE(alignments.count(1u << shift)) << shift;
  for (std::uint64_t bad : {0, 3, 24, 65537}) EXPECT_TRUE(alignments.count(bad)) << bad;
}

// calloc's count is mostly a few elements (so that count x size is often a block the heap can
// hold: with two shaped sizes it nearly always overflowed or passed the memory, and the planted
// calloc_not_zeroed took a median of 5,742 executions to find, 1,760 since); a count byte of 192
// or more reads any size, so huge and overflowing counts stay reachable.
Operation decode_calloc(std::vector<std::uint8_t> arguments) {
  std::vector<std::uint8_t> input = {0, 12};  // memory 256 KiB; kOperationTable[12], calloc
  input.insert(input.end(), arguments.begin(), arguments.end());
  const Trace trace = fuzz::decode(input.data(), input.size());
  return trace.operations.at(0);
}

TEST(Decoder, CallocCountsAreMostlyFewElementsOrAnySize) {
  for (int form = 0; form < 192; ++form) {
    // The count byte, then a literal element size of 2048.
    const Operation op = decode_calloc({static_cast<std::uint8_t>(form), 0, 0, 8, 0, 0});
    ASSERT_EQ(op.code, OpCode::calloc);
    EXPECT_EQ(op.count.resolve(), static_cast<std::uint64_t>(form % 64 + 1)) << form;
    EXPECT_EQ(op.size.resolve(), 2048U) << form;
  }
  for (int form = 192; form < 256; ++form) {
    // Count: a literal 2048; element size: a literal 3.
    const Operation op =
        decode_calloc({static_cast<std::uint8_t>(form), 0, 0, 8, 0, 0, 0, 3, 0, 0, 0});
    EXPECT_EQ(op.count.resolve(), 2048U) << form;
    EXPECT_EQ(op.size.resolve(), 3U) << form;
  }
  // Count: SIZE_MAX - 4096 (relative to SIZE_MAX); element size: a tiny 2. The product overflows.
  const Operation op = decode_calloc({192, 7, 0, 1, 2});
  EXPECT_EQ(op.count.resolve(), std::uint64_t{SIZE_MAX} - 4096);
  EXPECT_EQ(op.size.resolve(), 2U);
}

TEST(Decoder, MemoryMaximaAreSmall) {
  std::set<std::size_t> maxima;
  for (int header = 0; header < 248; ++header) {
    const std::uint8_t input[] = {static_cast<std::uint8_t>(header)};
    maxima.insert(fuzz::decode(input, 1).memory_bytes);
  }
  EXPECT_EQ(*maxima.begin(), 256u * 1024);
  EXPECT_EQ(*maxima.rbegin(), 32u << 20);
}

}  // namespace
}  // namespace alligator::properties
