// Ordinary calls take the fast path (allocator/src/fast_path.hpp), bad ones the checked path, as
// counted by this build's ALLIGATOR_COUNT_PATHS (path_counts.hpp). Without it, a change that sent
// every call down the checked path would pass every test, only slower.
//
// The fast paths, by their definition in fast_path.hpp: allocation of a size up to 16384 bytes
// (every small class, medium ones included) at alignment <= 8; a free (plain, sized with a size the block holds, or aligned with the
// block's alignment) of a live Segment or a live large block's start. Everything else is
// checked. This binary's operator new and delete are Alligator's too (new_delete.cpp, counted),
// so nothing between a reset and the reading below may allocate.
#include "path_counts.hpp"

#include <alligator/detail/thread_config.hpp>
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

constexpr std::size_t kSizes[] = {0,    1,    7,    8,    9,    16,   24,    100,   500,  672,
                                  1000, 1024, 2047, 2048, 2049, 5000, 9000, 16383, 16384};
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

// Segments that start in a later slot of their MiniPage (1152 bytes: 16 Segments over 9 slots)
// are freed fast too: every slot's record leads to the MiniPage.
TEST(FastPathTest, SegmentsInLaterSlotsOfAMediumMiniPageAreFreedFast) {
  CountedHeap counted;
  counted.heap.deallocate(counted.heap.allocate(64 * 2048));  // medium MiniPages need a free span
  void* blocks[16];
  reset();
  for (void*& block : blocks) block = counted.heap.allocate(1152);
  for (void* block : blocks) EXPECT_EQ(counted.heap.usable_size(block), 1152U);  // Segments
  for (int i = 0; i < 16; i += 2) counted.heap.deallocate(blocks[i]);
  for (int i = 1; i < 16; i += 2) counted.heap.deallocate(blocks[i], 1152, 8);
  PathCounts seen = path_counts;
  expect_counts(seen, 16, 0, 16, 0);
  EXPECT_EQ(counted.errors, 0);
}

// When growth for its MiniPage is refused, a medium request is a large block: allocated by the
// fast path's size test, freed fast as a live large block's start; freed again, checked.
TEST(FastPathTest, AMediumRequestServedAsALargeBlockIsFreedFast) {
  CountedHeap counted;
  reset();
  counted.memory.refuse_next_grows(1);
  void* block = counted.heap.allocate(1900);  // class 1920, 15 slots: one large slot instead
  void* sized = counted.heap.allocate(1900);  // the MiniPage, in the top free span
  EXPECT_EQ(counted.heap.usable_size(block), 2048U);
  EXPECT_EQ(counted.heap.usable_size(sized), 1920U);
  counted.heap.deallocate(block);
  counted.heap.deallocate(sized, 1900, 8);
  PathCounts seen = path_counts;
  expect_counts(seen, 2, 0, 2, 0);
  EXPECT_EQ(counted.errors, 0);
  reset();
  counted.heap.deallocate(block);  // a double free
  seen = path_counts;
  expect_counts(seen, 0, 0, 0, 1);
  EXPECT_EQ(counted.errors, 1);
}

TEST(FastPathTest, LargeBlocksAreAllocatedCheckedAndFreedFast) {
  CountedHeap counted;
  reset();
  void* large = counted.heap.allocate(20000);
  void* aligned = counted.heap.allocate(100, 64);  // alignment above 8: checked by design
  counted.heap.deallocate(large, 20000, 1);
  counted.heap.deallocate(aligned, 100, 64);
  PathCounts seen = path_counts;
  expect_counts(seen, 0, 2, 2, 0);
}

TEST(FastPathTest, MallocAndFreeAreFast) {
  CountedHeap counted;
  MallocFamily c(counted.heap.core());
  reset();
  void* block = c.malloc(40);
  void* medium = c.malloc(3000);  // a medium class: fast
  void* other = c.malloc(20000);  // large: checked
  c.free(block);
  c.free(medium);
  c.free(other);
  PathCounts seen = path_counts;
  expect_counts(seen, 2, 1, 3, 0);
}

TEST(FastPathTest, NewAndSizedDeleteAreFast) {
#if ALLIGATOR_THREAD_CACHE
  // With thread caches (thread_cache.hpp) the small ones never reach the heap once the thread's
  // cache holds blocks of their classes: the first calls fill it.
  ::operator delete(::operator new(24), 24);
  ::operator delete[](::operator new[](200), 200);
#endif
  reset();
  void* one = ::operator new(24);
  void* many = ::operator new[](200);
  void* large = ::operator new(20000);
  ::operator delete(one, 24);
  ::operator delete[](many, 200);
  ::operator delete(large, 20000);
  PathCounts seen = path_counts;
#if ALLIGATOR_THREAD_CACHE
  expect_counts(seen, 0, 1, 1, 0);
  EXPECT_EQ(seen.cached_allocate, 2U);
  EXPECT_EQ(seen.cached_deallocate, 2U);
#else
  expect_counts(seen, 2, 1, 3, 0);
#endif

  reset();
  void* block = ::operator new(48, std::align_val_t{16});  // alignment above 8: checked
  ::operator delete(block, 48, std::align_val_t{16});
  seen = path_counts;
  expect_counts(seen, 0, 1, 1, 0);
}

TEST(FastPathTest, BadFreesTakeTheCheckedPath) {
  CountedHeap counted;
  counted.heap.deallocate(counted.heap.allocate(64 * 2048));  // medium MiniPages need a free span
  void* small = counted.heap.allocate(100);
  counted.heap.allocate(100);
  auto* large = static_cast<char*>(counted.heap.allocate(50000));
  auto* medium = static_cast<char*>(counted.heap.allocate(1152));  // 9 slots, 16 Segments
  counted.heap.allocate(1152);
  counted.heap.deallocate(small);
  int local = 0;
  reset();
  counted.heap.deallocate(small);            // double free
  counted.heap.deallocate(large + 2048);     // inside a large block
  counted.heap.deallocate(&local);           // foreign
  counted.heap.deallocate(large, 60000, 1);  // sized: larger than the block
  counted.heap.deallocate(large, 50000, 3);  // alignment not a power of two
  counted.heap.deallocate(medium + 2048);    // the MiniPage's second slot: inside Segment 1
  counted.heap.deallocate(medium, 1153, 1);  // sized: larger than the Segment
  PathCounts seen = path_counts;
  expect_counts(seen, 0, 0, 0, 7);
  EXPECT_EQ(counted.errors, 7);

  counted.heap.deallocate(large);
  reset();
  counted.heap.deallocate(large);  // a large block freed twice
  seen = path_counts;
  expect_counts(seen, 0, 0, 0, 1);
  EXPECT_EQ(counted.errors, 8);
}

}  // namespace
}  // namespace alligator
