// Small blocks: Segments of MiniPages (k_c 2 KiB slots each), one size class per MiniPage.
//
// Each class has one current MiniPage, which allocation serves from its bitmap (the lowest clear
// bit), and a queue of partial MiniPages (some Segments free, not current). A full MiniPage is on
// no list until one of its Segments is freed; then it becomes current if the current one is full
// or there is none, else it joins the partial queue (relink_no_longer_full). An empty MiniPage
// other than the current one becomes one of the class's spares if it has fewer than
// kSparesPerClass, else goes straight back to the free spans. Spares spare classes of 1 to 3
// Segments per MiniPage (33 of the 104 wasm classes, from 1344 bytes up) a span taken and freed on
// nearly every operation; before the heap grows, spares and empty current MiniPages go back to
// the free spans, so nothing held back ever makes an allocation grow the heap.
//
// Bounds: allocation scans at most SegmentBitmap::kWords bitmap words (4 on wasm32 and x86_64, 8
// on i686), twice when the current MiniPage is full (once to find it full, once in the MiniPage
// made current). Free clears one bit and relinks at most one MiniPage, after at most one such
// scan of the current MiniPage (has_clear) or of its own bitmap (empty).
#include <alligator/detail/heap_core.hpp>
#include <alligator/detail/size_class_map.hpp>

#include "cold_code.hpp"

// helgrind takes atomics for plain accesses, so it cannot see the order fill_class_tables' state
// word gives (as with the process heap's lock, process_heap_lock.hpp): the annotations tell it.
#if defined(ALLIGATOR_VALGRIND) && ALLIGATOR_VALGRIND && !defined(__wasm__)
#include <valgrind/helgrind.h>
#define ALLIGATOR_TABLES_STATE_TOUCHED(state) \
  ANNOTATE_BENIGN_RACE_SIZED(state, sizeof *(state), "class tables' state")
#define ALLIGATOR_TABLES_WRITTEN(state) ANNOTATE_HAPPENS_BEFORE(state)
#define ALLIGATOR_TABLES_SEEN(state) ANNOTATE_HAPPENS_AFTER(state)
#else
#define ALLIGATOR_TABLES_STATE_TOUCHED(state)
#define ALLIGATOR_TABLES_WRITTEN(state)
#define ALLIGATOR_TABLES_SEEN(state)
#endif

namespace alligator::detail {

constinit ClassTables class_tables{};

// The rules of size_classes.hpp, size_class_map.hpp and SegmentBitmap::shape, as the constant
// tables apply them (allocator/tests/size_class_test.cpp compares the two). One thread writes;
// another that finds them being written waits, which takes microseconds, once.
// (allocator/tests/threads/heaps_per_thread starts several heaps' first MiniPages at once.)
ALLIGATOR_MINSIZE void fill_class_tables() {
  ALLIGATOR_TABLES_STATE_TOUCHED(&class_tables.state);
  unsigned expected = 0;
  if (__atomic_compare_exchange_n(&class_tables.state, &expected, kClassTablesWriting, false,
                                  __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
    for (unsigned size_class = 0; size_class < kClassCount; ++size_class) {
      std::size_t size = class_size(size_class);
      std::size_t slots = mini_page_slots_for_size(size);
      class_tables.segment_reciprocal[size_class] = segment_reciprocal_of(size);
      class_tables.bitmap_shape[size_class] =
          SegmentBitmap::shape(static_cast<unsigned>(slots * kMiniPageSize / size));
      class_tables.mini_page_slots[size_class] = static_cast<std::uint8_t>(slots);
    }
    ALLIGATOR_TABLES_WRITTEN(&class_tables.state);
    __atomic_store_n(&class_tables.state, kClassTablesReady, __ATOMIC_RELEASE);
  }
  while (__atomic_load_n(&class_tables.state, __ATOMIC_ACQUIRE) != kClassTablesReady) {
  }
  ALLIGATOR_TABLES_SEEN(&class_tables.state);
}

unsigned HeapCore::class_of_medium_size(std::size_t size) {
  return detail::class_of_medium_size(size);
}

void* HeapCore::allocate_small(unsigned size_class) {
  const CurrentMiniPage& current = current_[size_class];
  if (current.bitmap != nullptr) {
    unsigned segment = current.bitmap->take_lowest_clear(bitmap_shape(size_class));
    if (segment != SegmentBitmap::kNoSegment) {
      return slot_address(current.slot) + std::size_t{segment} * class_size(size_class);
    }
  }
  return allocate_after_refill(size_class);
}

void* HeapCore::allocate_after_refill(unsigned size_class) {
  if (!refill_current(size_class)) return nullptr;
  const CurrentMiniPage& current = current_[size_class];
  unsigned segment = current.bitmap->take_lowest_clear(bitmap_shape(size_class));
  return slot_address(current.slot) + std::size_t{segment} * class_size(size_class);
}

// An empty MiniPage of the class: its last spare, else a new one (kNoSlot: none can be made).
inline std::uint32_t HeapCore::spare_or_new_mini_page(unsigned size_class) {
  std::uint32_t slot;
  if (spare_count_[size_class] != 0) {
    slot = spares_[size_class][--spare_count_[size_class]];  // empty, of this class already
  } else {
    ensure_class_tables();
    slot = spans_.take_mini_page(mini_page_slot_count(size_class), size_class);
    if (slot == kNoSlot) return kNoSlot;
    bitmap_of(descriptor(slot)).clear_all();
  }
  return slot;
}

// The current MiniPage is full, or there is none: make a MiniPage with a free Segment current, a
// partial one, else a spare, else a fresh one. The full page stays off every list until a
// Segment is freed.
bool HeapCore::refill_current(unsigned size_class) {
  std::uint32_t slot = partial_[size_class];
  if (slot != kNoSlot) {
    SlotDescriptor& page = descriptor(slot);
    // partial_remove for the head of the queue, whose prev is kNoSlot.
    page.role &= static_cast<std::uint8_t>(~kOnPartialList);
    partial_[size_class] = page.next;
    if (page.next != kNoSlot) {
      descriptor(page.next).prev = kNoSlot;
    } else {
      partial_tail_[size_class] = kNoSlot;
    }
    make_current(size_class, slot, page);
    return true;
  }
  slot = spare_or_new_mini_page(size_class);
  if (slot == kNoSlot) return false;
  make_current(size_class, slot, descriptor(slot));
  return true;
}

// A full MiniPage other than the current one had a Segment freed (and still has a live one): it
// becomes current if the current one is full or there is none (the old one, full, is then on no
// list), so the next allocation takes this Segment instead of refilling; otherwise it joins the
// partial queue. With many live blocks nearly every free lands in a full MiniPage, and this
// keeps the cost of an alloc+free pair close to what it is with few.
void HeapCore::relink_no_longer_full(unsigned size_class, std::uint32_t slot) {
  const CurrentMiniPage& current = current_[size_class];
  if (current.bitmap == nullptr || !current.bitmap->has_clear(bitmap_shape(size_class))) {
    make_current(size_class, slot, descriptor(slot));
  } else {
    partial_push(size_class, slot);
  }
}

// A MiniPage other than the current one has no live Segment left.
void HeapCore::keep_or_release_empty(unsigned size_class, std::uint32_t slot) {
  if (descriptor(slot).role & kOnPartialList) partial_remove(size_class, slot);
  if (spare_count_[size_class] < kSparesPerClass) {
    spares_[size_class][spare_count_[size_class]++] = slot;
  } else {
    spans_.release_mini_page(slot);
  }
}

void HeapCore::partial_push(unsigned size_class, std::uint32_t slot) {
  SlotDescriptor& page = descriptor(slot);
  page.role |= kOnPartialList;
  page.next = kNoSlot;
  page.prev = partial_tail_[size_class];
  if (page.prev != kNoSlot) {
    descriptor(page.prev).next = slot;
  } else {
    partial_[size_class] = slot;
  }
  partial_tail_[size_class] = slot;
}

void HeapCore::partial_remove(unsigned size_class, std::uint32_t slot) {
  SlotDescriptor& page = descriptor(slot);
  page.role &= static_cast<std::uint8_t>(~kOnPartialList);
  if (page.prev != kNoSlot) {
    descriptor(page.prev).next = page.next;
  } else {
    partial_[size_class] = page.next;
  }
  if (page.next != kNoSlot) {
    descriptor(page.next).prev = page.prev;
  } else {
    partial_tail_[size_class] = page.prev;
  }
}

// Before the heap grows, spares and current MiniPages with no live Segment give their slot back,
// so growth happens only when nothing free fits. Bounded by (kSparesPerClass + 1) x classes.
ALLIGATOR_MINSIZE bool HeapCore::retire_empty_mini_pages() {
  bool retired = false;
#if ALLIGATOR_THREAD_CACHE
  if (cache_hooks_.retire != nullptr) retired = cache_hooks_.retire(cache_hooks_.context);
#endif
  for (unsigned size_class = 0; size_class < kClassCount; ++size_class) {
    while (spare_count_[size_class] != 0) {
      spans_.release_mini_page(spares_[size_class][--spare_count_[size_class]]);
      retired = true;
    }
    std::uint32_t slot = current_[size_class].slot;
    if (slot == kNoSlot || !bitmap_of(descriptor(slot)).empty(segments_in(size_class))) {
      continue;
    }
    current_[size_class] = {kNoSlot, nullptr};
    spans_.release_mini_page(slot);
    retired = true;
  }
  return retired;
}

#if ALLIGATOR_THREAD_CACHE
std::uint32_t HeapCore::take_owned_mini_page(unsigned size_class) {
  std::uint32_t slot = partial_[size_class];
  const CurrentMiniPage& current = current_[size_class];
  if (slot != kNoSlot) {
    partial_remove(size_class, slot);
  } else if (current.bitmap != nullptr && current.bitmap->has_clear(bitmap_shape(size_class))) {
    // Its free Segments would otherwise wait for the heap's own path while refills made new
    // MiniPages. The heap's next allocation of the class refills its current one.
    slot = current.slot;
    current_[size_class] = {kNoSlot, nullptr};
  } else {
    slot = spare_or_new_mini_page(size_class);
    if (slot == kNoSlot) return kNoSlot;
  }
  descriptor(slot).role |= kOwnedByCache;
  return slot;
}

void* HeapCore::take_from_owned(unsigned size_class, std::uint32_t slot) {
  unsigned segment = bitmap_of(descriptor(slot)).take_lowest_clear(bitmap_shape(size_class));
  if (segment == SegmentBitmap::kNoSegment) return nullptr;
  return slot_address(slot) + std::size_t{segment} * class_size(size_class);
}

void HeapCore::disown_mini_page(unsigned size_class, std::uint32_t slot) {
  descriptor(slot).role &= static_cast<std::uint8_t>(~kOwnedByCache);
  const SegmentBitmap& bitmap = bitmap_of(descriptor(slot));
  if (bitmap.empty(segments_in(size_class))) {
    keep_or_release_empty(size_class, slot);
  } else if (bitmap.has_clear(bitmap_shape(size_class))) {
    relink_no_longer_full(size_class, slot);
  }
}
#endif

// Growth moved the table: the current MiniPages' cached bitmaps point into the old one.
ALLIGATOR_MINSIZE void HeapCore::rebase_current() {
  for (unsigned size_class = 0; size_class < kClassCount; ++size_class) {
    std::uint32_t slot = current_[size_class].slot;
    if (slot != kNoSlot) current_[size_class].bitmap = &bitmap_of(descriptor(slot));
  }
}

const std::byte* HeapCore::current_mini_page(std::size_t size_class) const {
  std::uint32_t slot = current_[size_class].slot;
  return slot == kNoSlot ? nullptr : slot_address(slot);
}

const std::byte* HeapCore::spare_mini_page(std::size_t size_class) const {
  unsigned count = spare_count_[size_class];
  return count == 0 ? nullptr : slot_address(spares_[size_class][count - 1]);
}

bool HeapCore::is_spare(unsigned size_class, std::uint32_t slot) const {
  for (unsigned i = 0; i < spare_count_[size_class]; ++i) {
    if (spares_[size_class][i] == slot) return true;
  }
  return false;
}

}  // namespace alligator::detail
