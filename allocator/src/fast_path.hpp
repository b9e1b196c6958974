// The inline fast paths of HeapCore (declared in heap_core.hpp): the public allocate and
// deallocate (heap_core.cpp) and the library's entry points (malloc, free, operator new/delete)
// all start here.
//
// allocate_inline serves small requests of alignment <= 8 (every class size is a multiple of 8,
// so no class search is needed) from the class's free vector, and calls the refill directly when
// it is empty. deallocate_inline frees a live Segment whose layout fits its class and relinks its
// MiniPage (out of line when it empties or joins the partial queue), or a large block from its
// span's head (kept as a spare span or released, out of line). Anything else, including every
// error, goes to allocate_checked / deallocate_checked, which check and report, so the fast paths
// never decide an error themselves.
#pragma once

#include <alligator/detail/heap_core.hpp>
#include <alligator/detail/size_class_map.hpp>

#include "path_counts.hpp"
#include "valgrind_hooks.hpp"

namespace alligator::detail {

inline void HeapCore::check_after_operation() const {
#if defined(ALLIGATOR_VALIDATE_EVERY_OP)
  validate_or_abort();
#endif
}

// Frees a live Segment of the MiniPage `page` at `slot` (the checked path's free_block comes here
// too): the current MiniPage pushes it on its free vector; an emptied one becomes a spare or is
// freed (out of line). A full one becomes current if the class's current MiniPage is full too or
// there is none (either way its free vector is empty), so the next allocation pops this Segment
// instead of refilling; otherwise it joins the partial queue. With many live blocks nearly every
// free lands in a full MiniPage, and this keeps the cost of an alloc+free pair close to what it
// is with few. Emptiness: only a zero word can leave the page empty, and in classes whose
// Segments fit in one bitmap word (64-bit words: 32 bytes and up; 32-bit words: 64 bytes and up)
// that word is the whole bitmap, so only the smaller classes scan.
inline void HeapCore::free_segment(SlotDescriptor& page, std::uint32_t slot, unsigned segment) {
  unsigned size_class = page.size_class;
  FreeVector& free_vector = free_vectors_[size_class];
  SegmentBitmap& bitmap = bitmap_of(page);
  bitmap.reset(segment);
  if (slot == current_[size_class].slot) {
    free_vector.push(segment);
  } else if (!bitmap.word_has_live(segment) &&
             (kSegmentsPerMiniPage[size_class] <= SegmentBitmap::kWordBits || bitmap.empty())) {
    keep_or_release_empty(size_class, slot);
  } else if (page.role & kOnPartialList) {
    // Already partial: nothing to relink.
  } else if (free_vector.empty()) {
    make_current(size_class, slot, page);  // the old current MiniPage, full, is on no list
    free_vector.push(segment);
  } else {
    partial_push(size_class, slot);
  }
}

inline void* HeapCore::allocate_inline(std::size_t size, std::size_t alignment) {
  if (size <= kLargestClassSize && alignment <= kSizeGranule && is_power_of_two(alignment)) {
    ALLIGATOR_COUNT_PATH(fast_allocate);
    unsigned size_class = class_of_size(size);
    FreeVector& free_vector = free_vectors_[size_class];
    MetadataAccess access(*this);
    std::byte* block;
    if (!free_vector.empty()) {
      unsigned segment = free_vector.pop();
      const CurrentMiniPage& current = current_[size_class];
      current.bitmap->set(segment);
      block = slot_address(current.slot) + std::size_t{segment} * class_size(size_class);
    } else {
      block = static_cast<std::byte*>(allocate_small(size_class));
      if (block == nullptr) return allocate_without_mini_page(size, size_class);
    }
    valgrind::block_allocated(block, class_size(size_class));
    check_after_operation();
    return block;
  }
  return allocate_checked(size, alignment);
}

// free, delete and sized delete: no alignment to check. Anything but a live block that `size`
// fits (foreign pointers and nullptr too) goes to the checked path, which decides.
inline void HeapCore::deallocate_inline(void* pointer, std::size_t size) {
  if (owns(pointer)) {
    MetadataAccess access(*this);
    std::size_t offset = reinterpret_cast<std::uintptr_t>(pointer) -
                         reinterpret_cast<std::uintptr_t>(spans_.origin());
    auto slot = static_cast<std::uint32_t>(offset >> kSlotShift);
    SlotDescriptor& page = descriptor(slot);
    if (page.kind == SpanKind::mini_page && size <= kLargestClassSize) {
      // Any slot of a MiniPage: every one holds the class, the bitmap and its position.
      unsigned size_class = page.size_class;
      std::uint32_t first = slot - page.page_slot;
      std::size_t offset_in_page = offset - (std::size_t{first} << kSlotShift);
      // No check of the Segment against the Segment count: bits past it are always clear
      // (validate() checks it), so test() already says no for the slack at a MiniPage's end.
      if (is_segment_start(offset_in_page, size_class)) {
        unsigned segment = segment_of_offset(offset_in_page, size_class);
        if (bitmap_of(page).test(segment) && size <= class_size(size_class)) {
          ALLIGATOR_COUNT_PATH(fast_deallocate);
          valgrind::block_freed(pointer);
          free_segment(descriptor(first), first, segment);
          check_after_operation();
          return;
        }
      }
    } else if (page.kind == SpanKind::large) {
      // A large block's start: the head of its span, and `size` within its slots.
      if ((offset & (kSlotSize - 1)) == 0 && (page.role & kRoleHead) &&
          size <= std::size_t{page.span_slots} * kSlotSize) {
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
