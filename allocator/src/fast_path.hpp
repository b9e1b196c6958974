// The inline fast paths of HeapCore (declared in heap_core.hpp), for the library's entry points.
//
// allocate_inline serves small requests of alignment <= 8 (every class size is a multiple of 8,
// so no class search is needed) from the class's free vector. deallocate_inline frees a live
// Segment whose MiniPage keeps a live Segment, relinking it as small_path.cpp would. Anything
// else, including every error, goes to the out-of-line allocate/deallocate, which re-check and
// report, so the fast paths never decide an error themselves.
#pragma once

#include <alligator/detail/heap_core.hpp>
#include <alligator/detail/size_class_map.hpp>

#include "valgrind_hooks.hpp"

namespace alligator::detail {

inline void* HeapCore::allocate_inline(std::size_t size, std::size_t alignment) {
  if (size <= kLargestClassSize && alignment <= kSizeGranule) {
    unsigned size_class = class_of_size(size);
    FreeVector& free_vector = free_vectors_[size_class];
    if (!free_vector.empty()) {
      MetadataAccess access(*this);
      unsigned segment = free_vector.pop();
      std::uint32_t slot = current_[size_class];
      descriptor(slot).bitmap.set(segment);
      std::byte* block = slot_address(slot) + std::size_t{segment} * class_size(size_class);
      valgrind::block_allocated(block, class_size(size_class));
      check_after_operation();
      return block;
    }
  }
  return allocate(size, alignment);
}

inline void HeapCore::deallocate_inline(void* pointer) {
  if (!owns(pointer)) return deallocate(pointer);  // nullptr too: deallocate ignores it
  MetadataAccess access(*this);
  std::size_t offset = static_cast<std::size_t>(static_cast<std::byte*>(pointer) - origin_);
  auto slot = static_cast<std::uint32_t>(offset >> kSlotShift);
  SlotDescriptor& page = descriptor(slot);
  if (page.kind == SpanKind::mini_page) {
    unsigned size_class = page.size_class;
    std::size_t offset_in_slot = offset & (kSlotSize - 1);
    unsigned segment = segment_of_offset(offset_in_slot, size_class);
    bool live_segment = segment * class_size(size_class) == offset_in_slot &&
                        segment < kSegmentsPerMiniPage[size_class] && page.bitmap.test(segment);
    if (live_segment) {
      bool current = slot == current_[size_class];
      bool listed = (page.flags & kOnPartialList) != 0;
      page.bitmap.reset(segment);
      if (current || !page.bitmap.empty()) {
        valgrind::block_freed(pointer);
        if (current) {
          free_vectors_[size_class].push(segment);
        } else if (!listed) {
          partial_push(size_class, slot);  // it was full
        }
        check_after_operation();
        return;
      }
      page.bitmap.set(segment);  // the MiniPage empties: the out-of-line path releases it
    }
  }
  deallocate(pointer);
}

}  // namespace alligator::detail
