// The inline fast paths of HeapCore (declared in heap_core.hpp): the public allocate and
// deallocate (heap_core.cpp) and the library's entry points (malloc, free, operator new/delete)
// all start here.
//
// allocate_inline serves small requests of alignment <= 8 (every class size is a multiple of 8,
// so no class search is needed) from the lowest free Segment of the class's current MiniPage,
// and calls the refill directly when it is full or there is none. deallocate_inline frees a live
// Segment whose layout fits its class and relinks its MiniPage (out of line when it empties or
// was full), or a large block from its span's head (kept as a spare span or released, out of
// line). Anything else, including every error, goes to allocate_checked / deallocate_checked,
// which check and report, so the fast paths never decide an error themselves.
#pragma once

#include <alligator/detail/heap_core.hpp>
#include <alligator/detail/size_class_map.hpp>

#include "path_counts.hpp"
#include "valgrind_hooks.hpp"

#include <cstdint>
#include <cstring>

namespace alligator::detail {

// Thread caches (allocator/README.md, Threads) write a key into the first word of every block
// they hold: kCacheKeyBase plus the cache's index. A live Segment whose first word is not a key
// is held by no cache; one whose first word is a key may be (or the program wrote that value
// there), and only the caches' stacks can say (HeapCore::held_by_thread_cache). The classes
// caches may hold are those of MiniPages of at most 128 Segments, whose bitmaps have room for
// the marks that stats and validate set while they hold every cache (SegmentBitmap).
inline bool has_cached_marks(unsigned size_class) {
  return ALLIGATOR_THREAD_CACHE && segments_in(size_class) <= SegmentBitmap::kCachedOffset;
}
#if ALLIGATOR_THREAD_CACHE
// Threads beyond this many at once use the heap's lock for every call.
inline constexpr unsigned kMaxThreadCaches = 16;
// Not a plausible small integer, and past 2 GiB: no pointer into a wasm32 heap of at most 2 GiB.
inline constexpr auto kCacheKeyBase = static_cast<std::uintptr_t>(0xA11C0DE0A11C0DE0ULL);
static_assert(kCacheKeyBase % kMaxThreadCaches == 0);
inline std::uintptr_t first_word(const void* block) {
  std::uintptr_t word;
  std::memcpy(&word, block, sizeof word);
  return word;
}
inline void set_first_word(void* block, std::uintptr_t word) {
  std::memcpy(block, &word, sizeof word);
}
inline bool is_cache_key(std::uintptr_t word) { return word - kCacheKeyBase < kMaxThreadCaches; }
#endif
// Whether a live Segment of `size_class` at `block` may be held by a thread cache: one load
// and a compare, which the locked free's fast path pays; only when it says yes does the checked
// path ask the caches.
inline bool may_be_cached(unsigned size_class, const void* block) {
#if ALLIGATOR_THREAD_CACHE
  return has_cached_marks(size_class) && is_cache_key(first_word(block));
#else
  (void)size_class;
  (void)block;
  return false;
#endif
}

inline bool HeapCore::held_by_thread_cache(unsigned size_class, const void* block) const {
  if (!may_be_cached(size_class, block)) return false;
#if ALLIGATOR_THREAD_CACHE
  return cache_hooks_.holds != nullptr && cache_hooks_.holds(cache_hooks_.context, block);
#else
  return false;
#endif
}

inline void HeapCore::check_after_operation() const {
#if defined(ALLIGATOR_VALIDATE_EVERY_OP)
  validate_or_abort();
#endif
}

// Frees a live Segment of the MiniPage at `slot` (its head; the checked path's free_block comes
// here too), whose bitmap is `bitmap`: the current MiniPage only clears the bit; an emptied one
// becomes a spare or is freed, and a full one becomes current or joins the partial queue
// (relink_no_longer_full), both out of line. A partial one needs nothing more. Emptiness: only a
// zero word can leave the page empty, and in classes whose Segments fit in one bitmap word
// (64-bit words: 32 bytes and up; 32-bit words: 64 bytes and up) that word is the whole bitmap,
// so only the smaller classes scan.
inline void HeapCore::free_segment(unsigned size_class, std::uint32_t slot, SegmentBitmap& bitmap,
                                   unsigned segment) {
  bitmap.reset(segment);
  relink_after_free(size_class, slot, bitmap, segment);
}

// What a free does after clearing the Segment's bit (free_segment, and a thread cache's flush).
inline void HeapCore::relink_after_free(unsigned size_class, std::uint32_t slot,
                                        const SegmentBitmap& bitmap, unsigned segment) {
  if (slot == current_[size_class].slot) return;
#if ALLIGATOR_THREAD_CACHE
  if (descriptor(slot).role & kOwnedByCache) return;  // its cache keeps it, as the current one
#endif
  if (!bitmap.word_has_live(segment) &&
      (bitmap_shape(size_class).last_word == 0 || bitmap.empty(segments_in(size_class)))) {
    keep_or_release_empty(size_class, slot);
  } else if (!(descriptor(slot).role & kOnPartialList)) {
    relink_no_longer_full(size_class, slot);  // it was full: on no list
  }
}

// Always inlined (except in builds for size, -Os and -Oz), and called in two places only:
// operator new (new_delete.cpp) and HeapCore::allocate, the out-of-line copy malloc and every
// other caller use. Left to the compiler, the one shared copy stayed a call of its own under
// operator new, and binary_trees (new and delete of 8-byte nodes, wasm) ran 4% slower than with
// dlmalloc; with the copy in operator new, 9% faster, for 424 bytes of code. A third copy, in
// malloc, made no C workload faster.
#if defined(__OPTIMIZE_SIZE__)
inline void* HeapCore::allocate_inline(std::size_t size, std::size_t alignment) {
#else
[[gnu::always_inline]] inline void* HeapCore::allocate_inline(std::size_t size,
                                                              std::size_t alignment) {
#endif
  if (size <= kLargestClassSize && alignment <= kSizeGranule && is_power_of_two(alignment)) {
    ALLIGATOR_COUNT_PATH(fast_allocate);
    // The fine table inline; the medium arithmetic out of line, or the compiler merges the two
    // into one through selects that every small request pays for.
    unsigned size_class =
        size <= kFineLookupLimit ? class_of_size(size) : class_of_medium_size(size);
    MetadataAccess access(*this);
    const CurrentMiniPage& current = current_[size_class];
    unsigned segment;
    std::byte* block;
    if (current.bitmap != nullptr &&
        (segment = current.bitmap->take_lowest_clear(bitmap_shape(size_class))) !=
            SegmentBitmap::kNoSegment) {
      block = slot_address(current.slot) + std::size_t{segment} * class_size(size_class);
    } else {
      block = static_cast<std::byte*>(allocate_after_refill(size_class));
      if (block == nullptr) return allocate_without_mini_page(size, size_class);
    }
    valgrind::block_allocated(block, class_size(size_class));
    check_after_operation();
    return block;
  }
  return allocate_checked(size, alignment);
}

// free, delete and sized delete: no alignment to check. Anything but a live block that `size`
// fits (foreign pointers and nullptr too) goes to the checked path, which decides. Unsized
// (kSized false), `size` is not looked at.
// A pointer to a MiniPage's slack passes is_segment_start with the index one past the last
// Segment; that index must be a live bit (below 128, where the cached marks begin), so a MiniPage
// of 128 Segments or more must have no slack.
inline constexpr bool kSlackIndexIsALiveBit = [] {
  for (unsigned size_class = 0; size_class < kClassCount; ++size_class) {
    std::size_t segments = segments_per_mini_page(size_class);
    bool slack = segments * class_size(size_class) < kMiniPageSlots[size_class] * kSlotSize;
    if (slack && segments >= SegmentBitmap::kCachedOffset) return false;
  }
  return true;
}();
static_assert(kSlackIndexIsALiveBit, "a class of 128 Segments or more has slack");

template <bool kSized>
inline void HeapCore::deallocate_fast(void* pointer, std::size_t size) {
  if (owns(pointer)) {
    MetadataAccess access(*this);
    std::size_t offset = reinterpret_cast<std::uintptr_t>(pointer) -
                         reinterpret_cast<std::uintptr_t>(spans_.origin());
    auto slot = static_cast<std::uint32_t>(offset >> kSlotShift);
    const SlotDescriptor& record = descriptor(slot);
    if (record.kind == SpanKind::mini_page && (!kSized || size <= kLargestClassSize)) {
      // Any slot of a MiniPage: every one holds the class, the bitmap and its position.
      unsigned size_class = record.size_class;
      std::uint32_t first = slot - record.page_slot;
      std::size_t offset_in_page = offset - (std::size_t{first} << kSlotShift);
      // No check of the Segment against the Segment count: bits past it are always clear
      // (validate() checks it), so test() already says no for the slack at a MiniPage's end
      // (whose index is below 128, where cached marks begin: kSlackIndexIsALiveBit).
      if (is_segment_start(offset_in_page, size_class)) {
        unsigned segment = segment_of_offset(offset_in_page, size_class);
        SegmentBitmap& bitmap = bitmap_of(record);
        if (bitmap.test(segment) && (!kSized || size <= class_size(size_class)) &&
            !may_be_cached(size_class, pointer)) {
          ALLIGATOR_COUNT_PATH(fast_deallocate);
          valgrind::block_freed(pointer);
          free_segment(size_class, first, bitmap, segment);
          check_after_operation();
          return;
        }
      }
    } else if (record.kind == SpanKind::large) {
      // A large block's start: the head of its span, and `size` within its slots.
      if ((offset & (kSlotSize - 1)) == 0 && (record.role & kRoleHead) &&
          (!kSized || size <= static_cast<std::size_t>(record.span_slots) * kSlotSize)) {
        ALLIGATOR_COUNT_PATH(fast_deallocate);
        valgrind::block_freed(pointer);
        spans_.free_large(slot);
        check_after_operation();
        return;
      }
    }
  }
  deallocate_checked(pointer, size, 1);
}

inline void HeapCore::deallocate_inline(void* pointer) { deallocate_fast<false>(pointer, 0); }
inline void HeapCore::deallocate_inline(void* pointer, std::size_t size) {
  deallocate_fast<true>(pointer, size);
}

// The aligned forms: a pointer aligned as its layout says frees like any other; the rest is
// diagnosed by the checked path.
inline void HeapCore::deallocate_inline(void* pointer, std::size_t size, std::size_t alignment) {
  if (is_power_of_two(alignment) &&
      (reinterpret_cast<std::uintptr_t>(pointer) & (alignment - 1)) == 0) {
    return deallocate_inline(pointer, size);
  }
  deallocate_checked(pointer, size, alignment);
}

}  // namespace alligator::detail
