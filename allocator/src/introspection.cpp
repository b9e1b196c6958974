// Statistics, the heap walk and validate(): all derived from the slot records and the bitmap
// pool, so nothing on
// the allocation path maintains counters for them. validate() checks every invariant the other
// files state and reports each break it finds (the first few with a message); it never aborts
// and never allocates.
#include <alligator/detail/heap_core.hpp>
#include <alligator/detail/size_class_map.hpp>

#include "cold_code.hpp"
#include "validation_findings.hpp"
#include "valgrind_hooks.hpp"

ALLIGATOR_MINSIZE_BEGIN
namespace alligator::detail {

void HeapCore::walk(SpanVisitor visit, void* context) const {
  MetadataAccess access(*this);
  for (std::uint32_t slot = 0; slot < spans_.top();) {
    const SlotDescriptor& head = descriptor(slot);
    // A broken record ends the walk; validate() says what broke.
    if (!(head.role & kRoleHead) || head.span_slots == 0 || head.span_slots > spans_.top() - slot) {
      return;
    }
    SpanView view;
    view.kind = head.kind;
    view.start = slot_address(slot);
    view.bytes = static_cast<std::size_t>(head.span_slots) * kSlotSize;
    if (head.kind == SpanKind::mini_page && head.size_class < kClassCount &&
        head.bitmap < spans_.bitmap_records()) {
      const SegmentBitmap& bitmap = bitmap_of(head);
      view.size_class = head.size_class;
      view.segments = segments_in(head.size_class);
      view.live_segments = bitmap.count(view.segments);
      view.cached_segments = bitmap.count_cached(view.segments);
      for (unsigned word = 0; word < view.bitmap.size(); ++word) {
        view.bitmap[word] = bitmap.word64(word);
      }
      view.current = current_[head.size_class].slot == slot;
      view.owned = (head.role & kOwnedByCache) != 0;
      view.spare = is_spare(head.size_class, slot);
    }
    visit(view, context);
    slot += head.span_slots;
  }
}

HeapStats HeapCore::stats() const {
  HeapStats stats;
  stats.wasm_pages = spans_.wasm_pages();
  walk(
      [](const SpanView& span, void* context) {
        auto& stats = *static_cast<HeapStats*>(context);
        switch (span.kind) {
          case SpanKind::mini_page:
            ++stats.mini_pages;
            ++stats.mini_pages_per_class[span.size_class];
            stats.blocks_per_class[span.size_class] += span.live_segments - span.cached_segments;
            stats.live_blocks += span.live_segments - span.cached_segments;
            stats.bytes_in_use += std::size_t{span.live_segments - span.cached_segments} *
                                  class_size(span.size_class);
            stats.cached_blocks += span.cached_segments;
            stats.cached_bytes += std::size_t{span.cached_segments} * class_size(span.size_class);
            break;
          case SpanKind::large:
            ++stats.large_blocks;
            ++stats.live_blocks;
            stats.bytes_in_use += span.bytes;
            break;
          case SpanKind::free:
          case SpanKind::spare: stats.free_bytes += span.bytes; break;
          case SpanKind::metadata: stats.metadata_bytes += span.bytes; break;
          default: break;
        }
      },
      &stats);
  return stats;
}

namespace {

// The bitmap pool ("Metadata out of band", "The pool"): every MiniPage owns exactly one of its
// records (32 bytes, 64 a pool slot) and every other record is on the free list, once. The marks live in a fixed
// buffer (validate() never allocates), so records are checked kChunk at a time, one walk of the
// spans per chunk: one walk for pools of up to 512 slots (32,768 MiniPages).
void check_bitmap_pool(const SpanHeap& spans, Findings& problem) {
  constexpr std::uint32_t kChunk = std::uint32_t{1} << 15;
  std::uint64_t marks[kChunk / 64];
  const std::uint32_t records = spans.bitmap_records();
  std::uint32_t listed = 0;
  for (std::uint32_t index = spans.first_free_bitmap(); index != kNoBitmap;
       index = spans.next_free_bitmap(index)) {
    if (index >= records || ++listed > records) {
      problem("bitmap pool: free list entry %u is not one of its %u records, or the list loops",
              index, records);
      return;
    }
  }
  for (std::uint32_t base = 0; base < records; base += kChunk) {
    for (std::uint64_t& word : marks) word = 0;
    bool twice = false;
    auto mark = [&](std::uint32_t index, const char* owner, std::uint32_t where) {
      if (twice || index < base || index - base >= kChunk) return;
      std::uint64_t bit = std::uint64_t{1} << ((index - base) % 64);
      std::uint64_t& word = marks[(index - base) / 64];
      if (word & bit) {
        problem("bitmap record %u is taken twice (again by %s %u)", index, owner, where);
        twice = true;
      }
      word |= bit;
    };
    for (std::uint32_t slot = 0; slot < spans.top();) {
      const SlotDescriptor& head = spans.descriptor(slot);
      if (!(head.role & kRoleHead) || head.span_slots == 0 || head.span_slots > spans.top() - slot) {
        break;  // reported by the span walk
      }
      if (head.kind == SpanKind::mini_page) {
        mark(static_cast<std::uint32_t>(head.bitmap), "the MiniPage at slot", slot);
      }
      slot += head.span_slots;
    }
    std::uint32_t position = 0;
    for (std::uint32_t index = spans.first_free_bitmap(); index != kNoBitmap;
         index = spans.next_free_bitmap(index)) {
      mark(index, "the free list, entry", position++);
    }
    std::uint32_t end = records - base < kChunk ? records : base + kChunk;
    for (std::uint32_t index = base; index < end; ++index) {
      if (!((marks[(index - base) / 64] >> ((index - base) % 64)) & 1U)) {
        problem("bitmap record %u is neither a MiniPage's nor on the free list", index);
        return;
      }
    }
    if (twice) return;
  }
}

}  // namespace

ValidationReport HeapCore::validate() const {
  MetadataAccess access(*this);
  ValidationReport report;
  Findings problem(report);

  std::uint32_t lead = spans_.first_page_lead_slots();  // 0 before the first growth
  if (std::size_t{spans_.top()} != spans_.wasm_pages() * kSlotsPerWasmPage + lead) {
    problem("heap has %u slots but took %zu wasm pages and %u slots before the first",
            spans_.top(), spans_.wasm_pages(), lead);
  }
  if (spans_.top() == 0) {
    if (spans_.table() != nullptr) problem("a heap without slots has a table");
    return report;
  }
  // The table: the last span, its records after the apron and the bitmap pool.
  std::uint32_t table = spans_.table_first();
  if (spans_.table() != reinterpret_cast<const SlotDescriptor*>(
                            slot_address(table + kApronSlots + spans_.pool_slots()))) {
    problem("the table is not at the end of the heap, after its apron and bitmap pool");
    return report;
  }

  // Spans, in address order: records, roles, coalescing, MiniPage bitmaps and list flags.
  std::uint32_t free_spans = 0;
  std::uint32_t spare_spans = 0;
  std::uint32_t partial_pages[kClassCount] = {};
  std::uint32_t metadata_slots = 0;
  SpanKind previous_kind = SpanKind::none;
  if (descriptor(0).kind != SpanKind::metadata || descriptor(0).span_slots != 1) {
    problem("slot 0 is not a one-slot metadata span");
  }
  if (descriptor(table).kind != SpanKind::metadata || !(descriptor(table).role & kRoleHead) ||
      descriptor(table).span_slots != spans_.table_slots()) {
    problem("the table at slot %u is not one metadata span of %u slots", table,
            spans_.table_slots());
  }
  for (std::uint32_t slot = 0; slot < spans_.top();) {
    const SlotDescriptor& head = descriptor(slot);
    if (!(head.role & kRoleHead) || head.span_slots == 0 ||
        head.span_slots > spans_.top() - slot) {
      problem("slot %u: no valid span record where a span must start", slot);
      return report;
    }
    std::uint32_t slots = head.span_slots;
    const SlotDescriptor& tail = descriptor(slot + slots - 1);
    if (!(tail.role & kRoleTail) || tail.kind != head.kind || tail.span_slots != slots) {
      problem("span at slot %u: tail record does not match its head", slot);
    }
    if (head.kind != SpanKind::mini_page && (head.role & kOwnedByCache)) {
      problem("span at slot %u of kind %u is flagged as owned by a thread cache", slot,
              static_cast<unsigned>(head.kind));
    }
    // Interior slots: no role, and kind none except in a MiniPage (checked below).
    for (std::uint32_t inside = slot + 1; inside + 1 < slot + slots; ++inside) {
      if (descriptor(inside).role != kRoleNone) {
        problem("span at slot %u: interior slot %u claims to be a head or tail", slot, inside);
        break;
      }
      if (head.kind != SpanKind::mini_page && descriptor(inside).kind != SpanKind::none) {
        problem("span at slot %u: interior slot %u has kind %u", slot, inside,
                static_cast<unsigned>(descriptor(inside).kind));
        break;
      }
    }
    switch (head.kind) {
      case SpanKind::free:
        ++free_spans;
        if (previous_kind == SpanKind::free) problem("free span at slot %u follows a free span", slot);
        break;
      case SpanKind::metadata:
        metadata_slots += slots;
        if (slot != 0 && slot != table) problem("metadata span at slot %u is neither slot 0 nor the table", slot);
        break;
      case SpanKind::large: break;
      case SpanKind::spare:
        ++spare_spans;
        if (!spans_.is_spare_span(slot, slots)) problem("spare span at slot %u is not kept", slot);
        break;
      case SpanKind::mini_page: {
        if (head.size_class >= kClassCount) {
          problem("MiniPage at slot %u has class %u", slot, head.size_class);
          break;
        }
        if (slots != mini_page_slot_count(head.size_class)) {
          problem("MiniPage at slot %u spans %u slots, its class %u", slot, slots,
                  mini_page_slot_count(head.size_class));
        }
        if (head.bitmap >= spans_.bitmap_records()) {
          problem("MiniPage at slot %u has bitmap record %u of %u", slot,
                  static_cast<unsigned>(head.bitmap), spans_.bitmap_records());
          break;
        }
        // Every slot a record of this MiniPage, in order, so any pointer into it finds it.
        for (std::uint32_t page_slot = 0; page_slot < slots; ++page_slot) {
          const SlotDescriptor& record = descriptor(slot + page_slot);
          if (record.kind != SpanKind::mini_page || record.size_class != head.size_class ||
              record.bitmap != head.bitmap || record.page_slot != page_slot) {
            problem("MiniPage at slot %u: the record of its slot %u is not one of its own", slot,
                    slot + page_slot);
            break;
          }
        }
        const SegmentBitmap& bitmap = bitmap_of(head);
        unsigned size_class = head.size_class;
        unsigned segments = segments_in(size_class);
        // Beyond the Segments: clear, but for cached marks of live Segments (segment_bitmap.hpp).
        unsigned live_bits = segments > SegmentBitmap::kCachedOffset ? kMaxSegmentsPerMiniPage
                                                                     : SegmentBitmap::kCachedOffset;
        for (unsigned bit = segments; bit < kMaxSegmentsPerMiniPage; ++bit) {
          if ((bitmap.word64(bit / 64) >> (bit % 64)) == 0) {  // the rest of its word is clear
            bit |= 63;
            continue;
          }
          bool cached_mark =
              ALLIGATOR_THREAD_CACHE && bit >= live_bits && bit - live_bits < segments;
          if (bitmap.test(bit) && !(cached_mark && bitmap.test(bit - live_bits))) {
            problem(cached_mark ? "MiniPage at slot %u: Segment %u cached but not live"
                                : "MiniPage at slot %u: bit %u set beyond its %u segments",
                    slot, cached_mark ? bit - live_bits : bit, segments);
            break;
          }
        }
        bool current = current_[size_class].slot == slot;
        bool spare = is_spare(size_class, slot);
        bool full = bitmap.count(segments) == segments;
        bool listed = (head.role & kOnPartialList) != 0;
        // A thread cache's MiniPage (which cache: validate_thread_caches) is kept as a current
        // one is: on no list, even when empty.
        bool owned = (head.role & kOwnedByCache) != 0;
        if (owned && (!ALLIGATOR_THREAD_CACHE || current || spare || listed)) {
          problem("MiniPage at slot %u is owned by a thread cache and current %d, spare %d, "
                  "listed %d", slot, current, spare, listed);
        }
        if (!current && !owned && !spare && bitmap.empty(segments)) {
          problem("MiniPage at slot %u is empty but kept", slot);
        }
        if (spare && (current || !bitmap.empty(segments))) {
          problem("spare MiniPage at slot %u is current or has live Segments", slot);
        }
        if (listed != (!current && !owned && !spare && !full)) {
          problem("MiniPage at slot %u: partial-list flag %d, current %d, full %d", slot, listed,
                  current, full);
        }
        if (listed) ++partial_pages[size_class];
        break;
      }
      default: problem("span at slot %u has kind %u", slot, static_cast<unsigned>(head.kind));
    }
    previous_kind = head.kind;
    slot += slots;
  }
  if (metadata_slots != 1 + spans_.table_slots()) {
    problem("%u metadata slots, expected slot 0 and a table of %u", metadata_slots,
            spans_.table_slots());
  }
  check_bitmap_pool(spans_, problem);

  // Span bins: every free span filed once, under the bin of its length.
  std::uint32_t binned = 0;
  for (unsigned bin = 0; bin < kBinCount; ++bin) {
    if (spans_.bins().bin_marked_nonempty(bin) != (spans_.bins().head(bin) != kNoSlot)) {
      problem("bin %u: non-empty bit disagrees with its list", bin);
    }
    std::uint32_t previous = kNoSlot;
    for (std::uint32_t slot = spans_.bins().head(bin); slot != kNoSlot; slot = descriptor(slot).next) {
      const SlotDescriptor& span = descriptor(slot);
      if (slot >= spans_.top() || span.kind != SpanKind::free || !(span.role & kRoleHead) ||
          bin_of_length(span.span_slots) != bin || span.prev != previous || ++binned > free_spans) {
        problem("bin %u: bad entry at slot %u", bin, slot);
        break;
      }
      previous = slot;
    }
  }
  if (binned != free_spans) problem("%u free spans but %u in the bins", free_spans, binned);

  // Spare spans: each kept once, of its length, and every one seen above.
  std::uint32_t kept = 0;
  for (std::uint32_t slots = 0; slots <= kMaxSpareSpanSlots; ++slots) {
    unsigned count = spans_.spare_span_count(slots);
    if (count > kSpareSpansPerLength || (count != 0 && !has_spare_spans(slots))) {
      problem("%u spare spans of %u slots", count, slots);
      continue;
    }
    for (unsigned i = 0; i < count; ++i) {
      std::uint32_t first = spans_.spare_span(slots, i);
      bool repeated = false;
      for (unsigned j = 0; j < i; ++j) repeated = repeated || spans_.spare_span(slots, j) == first;
      const SlotDescriptor& head = descriptor(first < spans_.top() ? first : 0);
      if (repeated || first >= spans_.top() || head.kind != SpanKind::spare ||
          !(head.role & kRoleHead) || head.span_slots != slots) {
        problem("spare span of %u slots at slot %u is not one, or repeated", slots, first);
      }
      ++kept;
    }
  }
  if (kept != spare_spans) problem("%u spare spans kept, %u in the heap", kept, spare_spans);

  // Partial lists, spares and current MiniPages.
  for (unsigned size_class = 0; size_class < kClassCount; ++size_class) {
    std::uint32_t listed = 0;
    std::uint32_t previous = kNoSlot;
    for (std::uint32_t slot = partial_[size_class]; slot != kNoSlot; slot = descriptor(slot).next) {
      const SlotDescriptor& page = descriptor(slot);
      if (slot >= spans_.top() || page.kind != SpanKind::mini_page || page.size_class != size_class ||
          !(page.role & kOnPartialList) || page.prev != previous ||
          ++listed > partial_pages[size_class]) {
        problem("class %u: bad partial-list entry at slot %u", size_class, slot);
        break;
      }
      previous = slot;
    }
    if (previous != partial_tail_[size_class]) {
      problem("class %u: partial list ends at slot %u, its tail is slot %u", size_class, previous,
              partial_tail_[size_class]);
    }
    if (listed != partial_pages[size_class]) {
      problem("class %u: %u MiniPages flagged partial, %u listed", size_class,
              partial_pages[size_class], listed);
    }

    if (spare_count_[size_class] > kSparesPerClass) {
      problem("class %u: %u spares", size_class, spare_count_[size_class]);
    } else {
      for (unsigned i = 0; i < spare_count_[size_class]; ++i) {
        std::uint32_t spare = spares_[size_class][i];
        bool repeated = false;
        for (unsigned j = 0; j < i; ++j) repeated = repeated || spares_[size_class][j] == spare;
        if (repeated || spare >= spans_.top() || descriptor(spare).kind != SpanKind::mini_page ||
            descriptor(spare).size_class != size_class || !(descriptor(spare).role & kRoleHead)) {
          problem("class %u: spare at slot %u is not one of its MiniPages, or repeated",
                  size_class, spare);
        }
      }
    }

    std::uint32_t slot = current_[size_class].slot;
    if (slot == kNoSlot) {
      if (current_[size_class].bitmap != nullptr) {
        problem("class %u: no current MiniPage, but a bitmap for one", size_class);
      }
      continue;
    }
    const SlotDescriptor& page = descriptor(slot < spans_.top() ? slot : 0);
    if (slot >= spans_.top() || page.kind != SpanKind::mini_page || !(page.role & kRoleHead) ||
        page.size_class != size_class || page.bitmap >= spans_.bitmap_records()) {
      problem("class %u: current MiniPage at slot %u is not one of its MiniPages", size_class, slot);
      continue;
    }
    if (current_[size_class].bitmap != &bitmap_of(page)) {
      problem("class %u: the current MiniPage's bitmap is not slot %u's", size_class, slot);
    }
  }
  return report;
}

}  // namespace alligator::detail
ALLIGATOR_MINSIZE_END
