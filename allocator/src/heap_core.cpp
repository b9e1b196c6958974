// The heap's entry points: requests are sorted into small (a Segment of a MiniPage) and large
// (a span of whole 2 KiB slots), pointers are traced back to their block through the slot
// descriptors, and bad input is diagnosed before anything changes.
#include <alligator/detail/heap_core.hpp>
#include <alligator/detail/size_class_map.hpp>

#include "cold_code.hpp"
#include "diagnosis_output.hpp"
#include "fast_path.hpp"
#include "valgrind_hooks.hpp"

#include <cstdlib>
#include <cstring>
#include <initializer_list>

namespace alligator {

const char* to_string(HeapError error) {
  switch (error) {
    case HeapError::invalid_pointer: return "invalid pointer (not a block of this heap)";
    case HeapError::double_free: return "double free";
    case HeapError::size_mismatch: return "size or alignment does not match the block";
  }
  return "unknown error";
}

}  // namespace alligator

namespace alligator::detail {

struct HeapCore::Block {
  std::uint32_t slot = 0;
  unsigned segment = 0;  // small blocks
  bool small = false;
  std::size_t usable = 0;
};

namespace {

// The smallest class with room for `size` whose Segments are all aligned to `alignment`.
// Preconditions: size <= 16384, alignment a power of two <= 2048 (the last class, 16384, is a
// multiple of every such alignment, so the loop ends; it runs at most kClassCount times).
unsigned class_for(std::size_t size, std::size_t alignment) {
  unsigned size_class = class_of_size(size);
  while ((class_size(size_class) & (alignment - 1)) != 0) ++size_class;
  return size_class;
}

// Whole slots for `bytes`, at least one. Callers have checked bytes >> kSlotShift < kMaxSlots.
std::uint32_t slots_for(std::size_t bytes) {
  auto slots = static_cast<std::uint32_t>((bytes >> kSlotShift) + ((bytes & (kSlotSize - 1)) != 0));
  return slots == 0 ? 1 : slots;
}

// Writes without allocating: the failure path must not depend on the heap that failed. (Copied
// by hand rather than with strlen, which a module might otherwise not need.)
ALLIGATOR_MINSIZE void write_diagnosis(HeapError error, const void* pointer) {
  char message[128];
  std::size_t length = 0;
  for (const char* part : {"alligator: ", to_string(error), " at 0x"}) {
    while (*part != '\0') message[length++] = *part++;
  }
  auto address = reinterpret_cast<std::uintptr_t>(pointer);
  for (int shift = static_cast<int>(sizeof address * 8) - 4; shift >= 0; shift -= 4) {
    message[length++] = "0123456789abcdef"[(address >> shift) & 0xF];
  }
  message[length++] = '\n';
  write_diagnosis_line(message, length);
}

}  // namespace

HeapCore::~HeapCore() {
#if ALLIGATOR_VALGRIND_HOOKS
  walk(
      [](const SpanView& span, void*) {
        if (span.kind == SpanKind::large) valgrind::block_freed(span.start);
        if (span.kind != SpanKind::mini_page) return;
        std::size_t size = class_size(span.size_class);
        for (unsigned segment = 0; segment < span.segments; ++segment) {
          if ((span.bitmap[segment / 64] >> (segment % 64)) & 1U) {
            valgrind::block_freed(span.start + segment * size);
          }
        }
      },
      nullptr);
#endif
}

void HeapCore::set_error_handler(HeapErrorHandler handler, void* context) {
  error_handler_ = handler;
  error_context_ = context;
}

ALLIGATOR_MINSIZE void HeapCore::report(HeapError error, const void* pointer) {
  if (error_handler_ != nullptr) {
    error_handler_(error, pointer, error_context_);
    return;
  }
  write_diagnosis(error, pointer);
  // Under memcheck, the same error again with the block's history. A size mismatch names a live
  // block, which a FREELIKE request would free: the diagnosis alone says it.
  if (error != HeapError::size_mismatch) valgrind::rejected_free(pointer);
  std::abort();
}

bool HeapCore::find_block(const void* pointer, Block& block) {
  if (!owns(pointer)) {
    report(HeapError::invalid_pointer, pointer);
    return false;
  }
  std::size_t offset = static_cast<std::size_t>(static_cast<const std::byte*>(pointer) - spans_.origin());
  auto slot = static_cast<std::uint32_t>(offset >> kSlotShift);
  std::size_t offset_in_slot = offset & (kSlotSize - 1);
  const SlotDescriptor& found = descriptor(slot);
  if (found.kind == SpanKind::mini_page) {
    // Any slot of a MiniPage: its record says where the MiniPage starts.
    unsigned size_class = found.size_class;
    std::uint32_t first = slot - found.page_slot;
    std::size_t offset_in_page = offset - (std::size_t{first} << kSlotShift);
    unsigned segment = segment_of_offset(offset_in_page, size_class);
    if (segment * class_size(size_class) != offset_in_page ||
        segment >= segments_in(size_class)) {
      report(HeapError::invalid_pointer, pointer);
      return false;
    }
    const SegmentBitmap& bitmap = bitmap_of(found);
    if (!bitmap.test(segment) || held_by_thread_cache(size_class, pointer)) {
      report(HeapError::double_free, pointer);
      return false;
    }
    block = {first, segment, true, class_size(size_class)};
    return true;
  }
  if (found.kind == SpanKind::large && (found.role & kRoleHead) && offset_in_slot == 0) {
    block = {slot, 0, false, static_cast<std::size_t>(found.span_slots) * kSlotSize};
    return true;
  }
  bool freed_span = (found.kind == SpanKind::free || found.kind == SpanKind::spare) &&
                    (found.role & kRoleHead) && offset_in_slot == 0;
  report(freed_span ? HeapError::double_free : HeapError::invalid_pointer, pointer);
  return false;
}

void* HeapCore::allocate(std::size_t size, std::size_t alignment) {
  return allocate_inline(size, alignment);
}

void* HeapCore::allocate_checked(std::size_t size, std::size_t alignment) {
  ALLIGATOR_COUNT_PATH(checked_allocate);
  if (!is_power_of_two(alignment)) return nullptr;
  MetadataAccess access(*this);
  void* result;
  std::size_t usable;
  if (size <= kLargestClassSize && alignment <= kMiniPageSize) {
    unsigned size_class = class_for(size, alignment);
    usable = class_size(size_class);
    result = allocate_small(size_class);
    if (result == nullptr) return allocate_without_mini_page(size, size_class);
  } else {
    if ((size >> kSlotShift) >= kMaxSlots) return nullptr;  // more than the 4 GiB address space
    std::uint32_t slots = slots_for(size);
    usable = std::size_t{slots} * kSlotSize;
    result = spans_.allocate_large(slots, alignment);
  }
  if (result != nullptr) valgrind::block_allocated(result, usable);
  check_after_operation();
  return result;
}

// No MiniPage could be made, not even by growth (allocator/README.md, "Small blocks"). A class
// whose MiniPages span several slots still serves the request as a large block of the whole
// slots its bytes need, which a shorter free span may hold. Slots sit on 2 KiB boundaries, which
// meets any alignment a small request may ask.
ALLIGATOR_MINSIZE void* HeapCore::allocate_without_mini_page(std::size_t size, unsigned size_class) {
  if (mini_page_slot_count(size_class) == 1) return nullptr;  // memory cannot grow
  std::uint32_t slots = slots_for(size);
  void* result = spans_.allocate_large(slots, 1);
  if (result != nullptr) valgrind::block_allocated(result, std::size_t{slots} * kSlotSize);
  check_after_operation();
  return result;
}

void HeapCore::free_block(const Block& block) {
  std::byte* pointer = slot_address(block.slot) + std::size_t{block.segment} * block.usable;
  if (block.small) {
    const SlotDescriptor& page = descriptor(block.slot);
    SegmentBitmap& bitmap = bitmap_of(page);
    valgrind::block_freed(pointer);
    free_segment(page.size_class, block.slot, bitmap, block.segment);
  } else {
    valgrind::block_freed(pointer);
    spans_.free_large(block.slot);
  }
}

void HeapCore::deallocate(void* pointer) { deallocate_inline(pointer); }

void HeapCore::deallocate(void* pointer, std::size_t size, std::size_t alignment) {
  deallocate_inline(pointer, size, alignment);
}

void HeapCore::deallocate_checked(void* pointer, std::size_t size, std::size_t alignment) {
  ALLIGATOR_COUNT_PATH(checked_deallocate);
  if (pointer == nullptr) return;
  MetadataAccess access(*this);
  Block block;
  if (!find_block(pointer, block)) return;
  if (size > block.usable || !is_power_of_two(alignment) ||
      (reinterpret_cast<std::uintptr_t>(pointer) & (alignment - 1)) != 0) {
    report(HeapError::size_mismatch, pointer);
    return;
  }
  free_block(block);
  check_after_operation();
}

std::size_t HeapCore::usable_size(const void* pointer) {
  if (pointer == nullptr) return 0;
  MetadataAccess access(*this);
  Block block;
  return find_block(pointer, block) ? block.usable : 0;
}

// In the order growth retires them (SpanHeap::find_free_span): MiniPages, then spare spans.
ALLIGATOR_MINSIZE bool HeapCore::trim() {
  MetadataAccess access(*this);
  bool retired = retire_empty_mini_pages();
  retired = spans_.retire_spare_spans() || retired;
  check_after_operation();
  return retired;
}

void* HeapCore::reallocate(void* pointer, std::size_t new_size, std::size_t alignment) {
  bool rejected;
  return reallocate(pointer, new_size, alignment, rejected);
}

void* HeapCore::reallocate(void* pointer, std::size_t new_size, std::size_t alignment,
                           bool& rejected) {
  rejected = false;
  if (pointer == nullptr) return allocate(new_size, alignment);
  MetadataAccess access(*this);
  Block block;
  if (!find_block(pointer, block)) {
    rejected = true;
    return nullptr;
  }
  if (new_size == 0) {
    free_block(block);
    check_after_operation();
    return nullptr;
  }
  if (!is_power_of_two(alignment)) return nullptr;  // the block stays as it was
  bool aligned = (reinterpret_cast<std::uintptr_t>(pointer) & (alignment - 1)) == 0;
  bool wants_small = new_size <= kLargestClassSize && alignment <= kMiniPageSize;
  // A small block stays when the size maps to its class, or shrinks by at most half (it keeps
  // at most twice what it holds, and saves the copy: allocator/README.md, Reallocation).
  if (block.small && wants_small &&
      (class_for(new_size, alignment) == descriptor(block.slot).size_class ||
       (aligned && new_size <= block.usable && 2 * new_size >= block.usable))) {
    return pointer;
  }
  if (!block.small && !wants_small && aligned) {
    if ((new_size >> kSlotShift) >= kMaxSlots) return nullptr;
    std::uint32_t have = descriptor(block.slot).span_slots;
    std::uint32_t wanted = slots_for(new_size);
    if (wanted < have) {  // shrink in place: the tail goes back to the free spans
      spans_.shrink(block.slot, have, wanted);
    }
    if (wanted <= have || spans_.extend(block.slot, have, wanted)) {
      valgrind::block_resized(pointer, block.usable, std::size_t{wanted} * kSlotSize);
      check_after_operation();
      return pointer;
    }
  }
  void* moved = allocate(new_size, alignment);
  if (moved == nullptr) return nullptr;
  std::memcpy(moved, pointer, block.usable < new_size ? block.usable : new_size);
  free_block(block);
  check_after_operation();
  return moved;
}

#if defined(ALLIGATOR_VALIDATE_EVERY_OP)
void HeapCore::validate_or_abort() const {
  ValidationReport report = validate();
  if (!report.ok()) {
    char line[sizeof report.messages[0] + 1];
    std::size_t length = std::strlen(report.messages[0]);
    std::memcpy(line, report.messages[0], length);
    line[length++] = '\n';
    write_diagnosis_line(line, length);
    std::abort();
  }
}
#endif

}  // namespace alligator::detail
