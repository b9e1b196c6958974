// SimulatedMemory against the memory-source contract (memory_source.hpp): whole 64 KiB pages,
// aligned to 64 KiB (after a first grow's lead), contiguous, up to a maximum, nothing changes on
// failure, pages writable; a new memory fresh (zero, and inaccessible past its grown end) where a
// destroyed one was; and its test controls: grow_count, refused_count, refuse_next_grows.
#include <alligator/shim/memory_source.hpp>
#include <alligator/shim/simulated_memory.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#if !defined(__wasm__)
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace alligator {
namespace {

constexpr std::size_t kPage = 65536;

bool page_aligned(const void* address) {
  return reinterpret_cast<std::uintptr_t>(address) % kPage == 0;
}

TEST(SimulatedMemoryTest, ModelsTheContract) {
  EXPECT_EQ(kWasmPageSize, 65536U);
  EXPECT_TRUE(MemorySource<SimulatedMemory>);
}

TEST(SimulatedMemoryTest, StartsEmpty) {
  SimulatedMemory memory(std::size_t{1} << 20);
  EXPECT_EQ(memory.pages(), 0U);
  EXPECT_EQ(memory.max_pages(), 16U);
  EXPECT_EQ(memory.grow_count(), 0U);
  EXPECT_EQ(memory.refused_count(), 0U);
  EXPECT_EQ(memory.base(), nullptr);
  int local = 0;
  EXPECT_FALSE(memory.contains(&local));
}

TEST(SimulatedMemoryTest, MaximumRoundsUpToWholePages) {
  EXPECT_EQ(SimulatedMemory(1).max_pages(), 1U);
  EXPECT_EQ(SimulatedMemory(kPage).max_pages(), 1U);
  EXPECT_EQ(SimulatedMemory(kPage + 1).max_pages(), 2U);
  EXPECT_EQ(SimulatedMemory(3 * kPage - 1).max_pages(), 3U);
  EXPECT_EQ(SimulatedMemory(0).max_pages(), 0U);
}

TEST(SimulatedMemoryTest, GrowsContiguouslyOnPageBoundaries) {
  SimulatedMemory memory(std::size_t{2} << 20);
  std::byte* first = memory.grow(1);
  ASSERT_NE(first, nullptr);
  EXPECT_TRUE(page_aligned(first));
  EXPECT_EQ(memory.base(), first);
  EXPECT_EQ(memory.pages(), 1U);
  std::byte* second = memory.grow(3);
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(second, first + kPage);
  std::byte* third = memory.grow(2);
  ASSERT_NE(third, nullptr);
  EXPECT_EQ(third, first + 4 * kPage);
  EXPECT_EQ(memory.pages(), 6U);
  EXPECT_EQ(memory.grow_count(), 3U);
  EXPECT_EQ(memory.base(), first);  // never moves
}

TEST(SimulatedMemoryTest, GrownPagesAreReadableAndWritable) {
  SimulatedMemory memory(std::size_t{1} << 20);
  std::byte* start = memory.grow(3);
  ASSERT_NE(start, nullptr);
  std::byte* more = memory.grow(2);
  ASSERT_NE(more, nullptr);
  std::byte* end = start + 5 * kPage;
  std::memset(start, 0x6B, 5 * kPage);
  for (std::byte* byte = start; byte < end; byte += 4093) {
    ASSERT_EQ(*byte, std::byte{0x6B}) << byte - start;
  }
  end[-1] = std::byte{0x11};
  EXPECT_EQ(end[-1], std::byte{0x11});
  EXPECT_EQ(start[0], std::byte{0x6B});
}

TEST(SimulatedMemoryTest, ContainsExactlyTheGrownPages) {
  SimulatedMemory memory(std::size_t{1} << 20);
  std::byte* start = memory.grow(2);
  ASSERT_NE(start, nullptr);
  EXPECT_TRUE(memory.contains(start));
  EXPECT_TRUE(memory.contains(start + 2 * kPage - 1));
  EXPECT_FALSE(memory.contains(start + 2 * kPage));  // reserved, not grown
  EXPECT_FALSE(memory.contains(start - 1));
  ASSERT_NE(memory.grow(1), nullptr);
  EXPECT_TRUE(memory.contains(start + 2 * kPage));
}

// A memory that begins 5 slots before a page boundary, as a program's __heap_base may: the first
// grow starts there and hands out those 10 KiB with its page; later grows start on pages. A
// refused first grow does not use up the lead.
TEST(SimulatedMemoryTest, FirstGrowHandsOutTheLeadBeforeItsPages) {
  constexpr std::size_t kLead = 5 * 2048;
  SimulatedMemory memory(std::size_t{1} << 20, kLead);
  memory.refuse_next_grows(1);
  EXPECT_EQ(memory.grow(1), nullptr);
  std::byte* first = memory.grow(1);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(first) % 2048, 0U);
  EXPECT_TRUE(page_aligned(first + kLead));
  EXPECT_EQ(memory.base(), first);
  EXPECT_EQ(memory.pages(), 1U);
  std::memset(first, 0x5A, kLead + kPage);  // the lead and the page are writable
  EXPECT_TRUE(memory.contains(first));
  EXPECT_TRUE(memory.contains(first + kLead + kPage - 1));
  EXPECT_FALSE(memory.contains(first - 1));
  EXPECT_FALSE(memory.contains(first + kLead + kPage));
  std::byte* second = memory.grow(2);
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(second, first + kLead + kPage);
  EXPECT_TRUE(page_aligned(second));
  EXPECT_EQ(memory.pages(), 3U);
  EXPECT_EQ(memory.max_pages(), 16U);  // the lead does not count against the maximum
}

TEST(SimulatedMemoryTest, RespectsTheMaximumAndChangesNothingOnFailure) {
  SimulatedMemory memory(4 * kPage);
  EXPECT_EQ(memory.grow(5), nullptr);  // more than the maximum at once
  EXPECT_EQ(memory.pages(), 0U);
  EXPECT_EQ(memory.grow_count(), 0U);
  std::byte* start = memory.grow(3);
  ASSERT_NE(start, nullptr);
  EXPECT_EQ(memory.grow(2), nullptr);  // 3 + 2 > 4
  EXPECT_EQ(memory.pages(), 3U);
  EXPECT_EQ(memory.grow(std::numeric_limits<std::size_t>::max()), nullptr);
  EXPECT_EQ(memory.grow(std::numeric_limits<std::size_t>::max() / kPage + 1), nullptr);
  EXPECT_EQ(memory.pages(), 3U);
  EXPECT_EQ(memory.grow_count(), 1U);
  std::byte* last = memory.grow(1);  // exactly up to the maximum
  EXPECT_EQ(last, start + 3 * kPage);
  EXPECT_EQ(memory.pages(), 4U);
  EXPECT_EQ(memory.grow(1), nullptr);
  EXPECT_EQ(memory.pages(), 4U);
  EXPECT_EQ(memory.grow_count(), 2U);
  EXPECT_EQ(memory.refused_count(), 0U) << "failing at the maximum is not a refusal";
}

TEST(SimulatedMemoryTest, ZeroPagesIsNotAGrowth) {
  SimulatedMemory memory(4 * kPage);
  EXPECT_EQ(memory.grow(0), nullptr);
  EXPECT_EQ(memory.pages(), 0U);
  EXPECT_EQ(memory.grow_count(), 0U);
}

TEST(SimulatedMemoryTest, RefusesExactlyTheNextNGrows) {
  SimulatedMemory memory(std::size_t{1} << 20);
  std::byte* start = memory.grow(1);
  ASSERT_NE(start, nullptr);
  memory.refuse_next_grows(2);
  EXPECT_EQ(memory.grow(1), nullptr);
  EXPECT_EQ(memory.refused_count(), 1U);
  EXPECT_EQ(memory.grow(1), nullptr);
  EXPECT_EQ(memory.refused_count(), 2U);
  EXPECT_EQ(memory.pages(), 1U);
  EXPECT_EQ(memory.grow_count(), 1U);
  std::byte* next = memory.grow(1);
  EXPECT_EQ(next, start + kPage);  // a refusal leaves no gap
  EXPECT_EQ(memory.refused_count(), 2U);
  EXPECT_EQ(memory.grow_count(), 2U);
}

TEST(SimulatedMemoryTest, RefusalsCanBeWithdrawn) {
  SimulatedMemory memory(std::size_t{1} << 20);
  memory.refuse_next_grows(5);
  EXPECT_EQ(memory.grow(1), nullptr);
  memory.refuse_next_grows(0);
  EXPECT_NE(memory.grow(1), nullptr);
  EXPECT_EQ(memory.refused_count(), 1U);
}

TEST(SimulatedMemoryTest, RefusalBeforeTheFirstGrowth) {
  SimulatedMemory memory(std::size_t{1} << 20);
  memory.refuse_next_grows(1);
  EXPECT_EQ(memory.grow(2), nullptr);
  EXPECT_EQ(memory.base(), nullptr);
  EXPECT_EQ(memory.pages(), 0U);
  std::byte* start = memory.grow(2);
  ASSERT_NE(start, nullptr);
  EXPECT_TRUE(page_aligned(start));
}

TEST(SimulatedMemoryTest, ManyMemoriesAreIndependent) {
  SimulatedMemory a(std::size_t{1} << 20);
  SimulatedMemory b(std::size_t{1} << 20);
  std::byte* in_a = a.grow(16);
  std::byte* in_b = b.grow(16);
  ASSERT_TRUE(in_a && in_b);
  // The two regions do not overlap.
  auto a_start = reinterpret_cast<std::uintptr_t>(in_a);
  auto b_start = reinterpret_cast<std::uintptr_t>(in_b);
  EXPECT_TRUE(a_start + 16 * kPage <= b_start || b_start + 16 * kPage <= a_start);
  std::memset(in_a, 1, 16 * kPage);
  std::memset(in_b, 2, 16 * kPage);
  EXPECT_EQ(in_a[16 * kPage - 1], std::byte{1});
  EXPECT_EQ(in_b[0], std::byte{2});
  EXPECT_FALSE(a.contains(in_b));
  EXPECT_FALSE(b.contains(in_a));
}

TEST(SimulatedMemoryTest, CreatingAndDestroyingManyIsCheap) {
  for (int i = 0; i < 2000; ++i) {
    SimulatedMemory memory(std::size_t{4} << 20);
    if (i % 10 == 0) {
      std::byte* start = memory.grow(1);
      ASSERT_NE(start, nullptr);
      start[0] = std::byte{1};
    }
  }
}

#if !defined(__wasm__)
// On hosts a memory is a fresh mapping: zero where it grows, inaccessible past its grown end.
// A destroyed memory's reservation may serve the next one (simulated_memory.cpp keeps it,
// outside Valgrind), and that memory must still start so, whatever the old one wrote or how far
// it grew. (Wasm builds take the region from the system allocator and promise no zeroes.)
TEST(SimulatedMemoryTest, ANewMemoryStartsFreshWhereAnOldOneWrote) {
  constexpr std::size_t kLead = 6 * 1024;
  std::byte* old_start = nullptr;
  {
    SimulatedMemory old_memory(std::size_t{1} << 20, kLead);
    old_start = old_memory.grow(6);
    ASSERT_NE(old_start, nullptr);
    std::memset(old_start, 0x5A, kLead + 6 * kPage);
  }
  for (std::size_t lead : {std::size_t{0}, kLead, std::size_t{2048}}) {
    SimulatedMemory memory(std::size_t{512} << 10, lead);
    std::byte* start = memory.grow(3);
    ASSERT_NE(start, nullptr);
    std::byte* more = memory.grow(1);
    ASSERT_NE(more, nullptr);
    for (std::size_t i = 0; i < lead + 4 * kPage; ++i) {
      ASSERT_EQ(start[i], std::byte{0}) << "lead " << lead << ", byte " << i;
    }
    std::memset(start, 0x3C, lead + 4 * kPage);  // dirty it for the next round
#if !(defined(ALLIGATOR_VALGRIND) && ALLIGATOR_VALGRIND)
    // The reservation was kept: the same address space came back, so the loop above read
    // reused pages. A memory with a lead has its first page boundary where the old one had its,
    // one without starts a page lower (the page the old one kept for its lead).
    auto boundary = reinterpret_cast<std::uintptr_t>(start) + lead;
    auto old_boundary = reinterpret_cast<std::uintptr_t>(old_start) + kLead;
    EXPECT_EQ(boundary, lead != 0 ? old_boundary : old_boundary - kPage) << "lead " << lead;
#endif
#if GTEST_HAS_DEATH_TEST
    // The old memory's sixth page, written above, is past this memory's fourth.
    std::byte* past_the_end = start + lead + 4 * kPage;
    EXPECT_DEATH(*static_cast<volatile std::byte*>(past_the_end) = std::byte{1}, "")
        << "lead " << lead;
#endif
  }
}

// How many of the bytes in [start, start + bytes) are in resident pages (mincore).
std::size_t resident_bytes(std::byte* start, std::size_t bytes) {
  const auto system_page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> resident(bytes / system_page);
  EXPECT_EQ(mincore(start, bytes, resident.data()), 0);
  return system_page * static_cast<std::size_t>(std::count_if(
                           resident.begin(), resident.end(),
                           [](unsigned char page) { return (page & 1) != 0; }));
}

// Keeping a reservation must not touch what the old memory never touched: zeroing it page by
// page would fault in every page a memory grew over (the 4 GiB ones of some tests, thousands of
// times). So the middle of what a memory grew over and left alone is not resident in the next.
TEST(SimulatedMemoryTest, PagesAnOldMemoryNeverTouchedStayUntouched) {
  constexpr std::size_t kPages = 2048;  // 128 MiB
  std::byte* old_start = nullptr;
  {
    SimulatedMemory old_memory(kPages * kPage);
    old_start = old_memory.grow(kPages);
    ASSERT_NE(old_start, nullptr);
    old_start[0] = std::byte{1};
    old_start[kPages * kPage - 1] = std::byte{1};
  }
  SimulatedMemory memory(kPages * kPage);
  std::byte* start = memory.grow(kPages);
  ASSERT_NE(start, nullptr);
  EXPECT_EQ(start[0], std::byte{0});
  EXPECT_EQ(start[kPages * kPage - 1], std::byte{0});
  // The middle 64 MiB, far from both touched bytes (and from any huge page around them).
  EXPECT_EQ(resident_bytes(start + kPages / 4 * kPage, kPages / 2 * kPage), 0U)
      << (start == old_start ? "reused" : "a new mapping");
}

#if !(defined(ALLIGATOR_VALGRIND) && ALLIGATOR_VALGRIND)
// A kept reservation holds at most 64 MiB of zeroed resident pages (simulated_memory.cpp): what
// an old memory touched past that is given back, and still reads zero in the next.
TEST(SimulatedMemoryTest, AKeptReservationHoldsAtMost64MiBResident) {
  constexpr std::size_t kPages = 2048;  // 128 MiB, all touched
  {
    SimulatedMemory old_memory(kPages * kPage);
    std::byte* old_start = old_memory.grow(kPages);
    ASSERT_NE(old_start, nullptr);
    std::memset(old_start, 0x77, kPages * kPage);
  }
  SimulatedMemory memory(kPages * kPage);
  std::byte* start = memory.grow(kPages);
  ASSERT_NE(start, nullptr);
  EXPECT_LE(resident_bytes(start, kPages * kPage), std::size_t{64} << 20);
  for (std::size_t offset = 0; offset < kPages * kPage; offset += 4093 * 16) {
    ASSERT_EQ(start[offset], std::byte{0}) << offset;
  }
}
#endif
#endif

}  // namespace
}  // namespace alligator
