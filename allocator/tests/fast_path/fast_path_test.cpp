// Ordinary calls take the fast path (allocator/src/fast_path.hpp), bad ones the checked path, as
// counted by this build's ALLIGATOR_COUNT_PATHS (path_counts.hpp). Without it, a change that sent
// every call down the checked path would pass every test, only slower.
//
// The fast paths, by their definition in fast_path.hpp: allocation of a size up to 2048 bytes
// at alignment <= 8; a free (plain, sized with a size the block holds, or aligned with the
// block's alignment) of a live Segment or a live large block's start. Everything else is
// checked. This binary's operator new and delete are Alligator's too (new_delete.cpp, counted),
// so nothing between a reset and the reading below may allocate.
#include "path_counts.hpp"

#include <alligator/heap.hpp>
#include <alligator/malloc_family.hpp>
#include <alligator/shim/simulated_memory.hpp>

#include <gtest/gtest.h>

#include <cstddef>
#include <new>

namespace alligator {
namespace {

using detail::PathCounts;
using detail::path_counts;

void reset() { path_counts = PathCounts{}; }

void expect_counts(const PathCounts& seen, unsigned long fast_allocate, unsigned long checked_allocate,
                   unsigned long fast_deallocate, unsigned long checked_deallocate) {
  EXPECT_EQ(seen.fast_allocate, fast_allocate);
  EXPECT_EQ(seen.checked_allocate, checked_allocate);
  EXPECT_EQ(seen.fast_deallocate, fast_deallocate);
  EXPECT_EQ(seen.checked_deallocate, checked_deallocate);
}

// A heap whose errors are recorded instead of aborting.
struct CountedHeap {
  static void count_error(HeapError, const void*, void* context) { ++*static_cast<int*>(context); }
  CountedHeap() { heap.set_error_handler(&count_error, &errors); }
  SimulatedMemory memory{std::size_t{4} << 20};
  Heap<SimulatedMemory> heap{memory};
  int errors = 0;
};

constexpr std::size_t kSizes[] = {0, 1, 7, 8, 9, 16, 24, 100, 500, 672, 1000, 1024, 2047, 2048};
constexpr std::size_t kCount = sizeof kSizes / sizeof kSizes[0];

TEST(FastPathTest, SmallAllocationsAndTheirFreesAreFast) {
  CountedHeap counted;
  void* blocks[kCount];
  reset();
  for (std::size_t i = 0; i < kCount; ++i) blocks[i] = counted.heap.allocate(kSizes[i]);
  for (std::size_t i = 0; i < kCount; ++i) counted.heap.deallocate(blocks[i]);
  PathCounts seen = path_counts;
  expect_counts(seen, kCount, 0, kCount, 0);
  EXPECT_EQ(counted.errors, 0);
}

TEST(FastPathTest, SizedAndAlignedFreesOfTheRightLayoutAreFast) {
  CountedHeap counted;
  void* blocks[kCount];
  reset();
  for (std::size_t i = 0; i < kCount; ++i) blocks[i] = counted.heap.allocate(kSizes[i], 8);
  for (std::size_t i = 0; i < kCount; ++i) counted.heap.deallocate(blocks[i], kSizes[i], 8);
  PathCounts seen = path_counts;
  expect_counts(seen, kCount, 0, kCount, 0);
  EXPECT_EQ(counted.errors, 0);
}

TEST(FastPathTest, LargeBlocksAreAllocatedCheckedAndFreedFast) {
  CountedHeap counted;
  reset();
  void* large = counted.heap.allocate(5000);
  void* aligned = counted.heap.allocate(100, 64);  // alignment above 8: checked by design
  counted.heap.deallocate(large, 5000, 1);
  counted.heap.deallocate(aligned, 100, 64);
  PathCounts seen = path_counts;
  expect_counts(seen, 0, 2, 2, 0);
}

TEST(FastPathTest, MallocAndFreeAreFast) {
  CountedHeap counted;
  MallocFamily c(counted.heap.core());
  reset();
  void* block = c.malloc(40);
  void* other = c.malloc(3000);  // large: checked
  c.free(block);
  c.free(other);
  PathCounts seen = path_counts;
  expect_counts(seen, 1, 1, 2, 0);
}

TEST(FastPathTest, NewAndSizedDeleteAreFast) {
  reset();
  void* one = ::operator new(24);
  void* many = ::operator new[](200);
  void* large = ::operator new(10000);
  ::operator delete(one, 24);
  ::operator delete[](many, 200);
  ::operator delete(large, 10000);
  PathCounts seen = path_counts;
  expect_counts(seen, 2, 1, 3, 0);

  reset();
  void* block = ::operator new(48, std::align_val_t{16});  // alignment above 8: checked
  ::operator delete(block, 48, std::align_val_t{16});
  seen = path_counts;
  expect_counts(seen, 0, 1, 1, 0);
}

TEST(FastPathTest, BadFreesTakeTheCheckedPath) {
  CountedHeap counted;
  void* small = counted.heap.allocate(100);
  counted.heap.allocate(100);
  auto* large = static_cast<char*>(counted.heap.allocate(50000));
  counted.heap.deallocate(small);
  int local = 0;
  reset();
  counted.heap.deallocate(small);            // double free
  counted.heap.deallocate(large + 2048);     // inside a large block
  counted.heap.deallocate(&local);           // foreign
  counted.heap.deallocate(large, 60000, 1);  // sized: larger than the block
  counted.heap.deallocate(large, 50000, 3);  // alignment not a power of two
  PathCounts seen = path_counts;
  expect_counts(seen, 0, 0, 0, 5);
  EXPECT_EQ(counted.errors, 5);

  counted.heap.deallocate(large);
  reset();
  counted.heap.deallocate(large);  // a large block freed twice
  seen = path_counts;
  expect_counts(seen, 0, 0, 0, 1);
  EXPECT_EQ(counted.errors, 6);
}

}  // namespace
}  // namespace alligator
