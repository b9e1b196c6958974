// Generators for the property suites: the inputs that find allocator bugs, biased to where they
// hide. Sizes cluster at class edges (n-1, n, n+1 around every class size) and slot edges
// (k * 2048 +- 1, from the small limit of 8 slots up); alignments are powers of two up to
// 64 KiB, mostly small; the memory maximum is small (128 KiB .. 8 MiB) so growth, retiring and
// out-of-memory paths run in most cases.
// Every generator shrinks towards the simplest value (small sizes, alignment 1, small memory
// counts stay reachable), which keeps shrunk failures short.
#pragma once

#include <alligator/model/size_classes.hpp>
#include <alligator/properties/trace.hpp>

#include <rapidcheck.h>

#include <cstddef>
#include <vector>

namespace alligator::properties::generators {

// alignof(max_align_t) on the target whose heap runs the commands: this process's, except when
// the wasm suite generates them here for a wasm32 heap (8): its main sets that before any
// generator runs, since the tables below are built once, at their first use.
inline std::size_t& target_max_align() {
  static std::size_t max_align = alignof(std::max_align_t);
  return max_align;
}

// The target's classes, from the README's table (the model's copy).
inline const model::SizeClasses& target_classes() {
  static const model::SizeClasses classes(target_max_align());
  return classes;
}
inline const std::vector<std::size_t>& class_sizes() { return target_classes().sizes(); }

// A simulated memory maximum in whole wasm pages: 2 to 128 pages (128 KiB .. 8 MiB), most of
// them small, so out-of-memory is a normal event. Never one page: the first growth makes slot 0
// and a table of at least 33 slots, so it takes two pages (29 slots free) or none.
// `max_pages` caps it for suites that want to live near the limit; `min_pages`, if set, makes
// every maximum min_pages to max_pages instead (suites that need large heaps).
// Whole pages, plus in half the cases a first byte 1 to 31 slots before a page boundary (the
// Executor reads memory_bytes % 64 KiB as that lead).
inline rc::Gen<std::size_t> memory_bytes(std::size_t max_pages = 128, std::size_t min_pages = 0) {
  auto upto = [max_pages](std::size_t pages) { return pages < max_pages ? pages : max_pages; };
  return rc::gen::apply(
      [upto](std::size_t pages, std::size_t lead_slots) {
        return upto(pages) * model::kWasmPageBytes + lead_slots * model::kSlotBytes;
      },
      min_pages != 0 ? rc::gen::inRange<std::size_t>(min_pages, max_pages + 1)
                     : rc::gen::weightedOneOf<std::size_t>({
                           {2, rc::gen::inRange<std::size_t>(2, 6)},
                           {4, rc::gen::inRange<std::size_t>(2, 17)},
                           {3, rc::gen::inRange<std::size_t>(16, 65)},
                           {1, rc::gen::inRange<std::size_t>(64, 129)},
                       }),
      rc::gen::weightedOneOf<std::size_t>({
          {1, rc::gen::just<std::size_t>(0)},
          {1, rc::gen::inRange<std::size_t>(1, 32)},
      }));
}

// The class sizes `keep` accepts, in order.
inline std::vector<std::size_t> class_sizes_where(bool (*keep)(std::size_t size)) {
  std::vector<std::size_t> kept;
  for (std::size_t size : class_sizes()) {
    if (keep(size)) kept.push_back(size);
  }
  return kept;
}
// The class sizes up to 2048 bytes, and above.
inline const std::vector<std::size_t>& class_sizes_up_to_a_slot() {
  static const auto sizes =
      class_sizes_where([](std::size_t size) { return size <= model::kSlotBytes; });
  return sizes;
}
inline const std::vector<std::size_t>& class_sizes_above_a_slot() {
  static const auto sizes =
      class_sizes_where([](std::size_t size) { return size > model::kSlotBytes; });
  return sizes;
}

// n - 1, n or n + 1 around a class size n (0 .. 16385), three times in four a class of at most
// 2048 bytes: 48 classes lie above (of 104, or 97), and without the weights they would take many
// requests, filling the suites' small memories with few, large blocks.
inline rc::Gen<std::size_t> class_edge_size() {
  return rc::gen::apply(
      [](std::size_t size, int delta) { return size == 0 && delta < 0 ? 0 : size + delta; },
      rc::gen::weightedOneOf<std::size_t>({
          {3, rc::gen::elementOf(class_sizes_up_to_a_slot())},
          {1, rc::gen::elementOf(class_sizes_above_a_slot())},
      }),
      rc::gen::element(0, -1, 1));
}

// A small request: class edges, or anything from 0 to 2048, sometimes a medium size up to 16384
// (MiniPages of one Segment to a few).
inline rc::Gen<std::size_t> small_size() {
  return rc::gen::weightedOneOf<std::size_t>({
      {3, class_edge_size()},
      {2, rc::gen::inRange<std::size_t>(0, 2049)},
      {1, rc::gen::inRange<std::size_t>(2049, 16385)},
      {1, rc::gen::inRange<std::size_t>(0, 65)},
  });
}

// A large request: k slots +- 1 byte, mostly 8 to 16 slots (the small limit, 16384 = 8 slots,
// and the spare spans' lengths), sometimes up to 1 MiB.
inline rc::Gen<std::size_t> large_size() {
  auto slots = rc::gen::weightedOneOf<std::size_t>({
      {6, rc::gen::inRange<std::size_t>(8, 17)},
      {3, rc::gen::inRange<std::size_t>(16, 70)},
      {1, rc::gen::inRange<std::size_t>(64, 513)},
  });
  return rc::gen::apply(
      [](std::size_t k, int delta) { return k * model::kSlotBytes + 1 + delta; },
      slots, rc::gen::element(0, -1, -2));  // k * 2048 + 1, k * 2048, k * 2048 - 1
}

// Sizes for suites that mix both.
inline rc::Gen<std::size_t> any_size(int large_weight) {
  return rc::gen::weightedOneOf<std::size_t>({
      {static_cast<std::size_t>(10 - large_weight), small_size()},
      {static_cast<std::size_t>(large_weight), large_size()},
  });
}

// A power of two from 1 to 65536, mostly small.
inline rc::Gen<std::size_t> alignment() {
  return rc::gen::map(
      rc::gen::weightedOneOf<int>({
          {6, rc::gen::inRange(0, 5)},    // 1 .. 16
          {3, rc::gen::inRange(5, 12)},   // 32 .. 2048
          {2, rc::gen::inRange(12, 17)},  // 4096 .. 65536: large, aligned spans
      }),
      [](int power) { return std::size_t{1} << power; });
}

// Alignments aligned_alloc and posix_memalign must refuse (EINVAL); 1, 2 and 4 are invalid for
// posix_memalign where they are below sizeof(void*).
inline rc::Gen<std::size_t> bad_alignment() {
  return rc::gen::element<std::size_t>(0, 3, 24, 48, 100, 3000, 65537, 1, 2, 4);
}

// Sizes no heap can serve, relative to SIZE_MAX so they mean the same on every target.
inline rc::Gen<Size> huge_size() {
  return rc::gen::element(Size::max(), Size::max(1, -1), Size::max(1, -2048), Size::max(1, -65536),
                          Size::max(2), Size::max(2, 1), Size::max(4, 1), Size::max(1, -4096));
}

// calloc arguments whose product overflows size_t (or comes close).
struct CallocArguments {
  Size count;
  Size size;
};
inline rc::Gen<CallocArguments> overflowing_calloc() {
  return rc::gen::element(CallocArguments{Size::max(8, 1), Size::of(8)},
                          CallocArguments{Size::of(2), Size::max(2, 1)},
                          CallocArguments{Size::max(), Size::max()},
                          CallocArguments{Size::max(16), Size::of(8)},   // SIZE_MAX / 2: no memory
                          CallocArguments{Size::of(65536), Size::of(65537)});
}

}  // namespace alligator::properties::generators
