// The test-only door into a heap's internals: validate_test.cpp breaks one invariant at a time
// through it to see validate() report that break. HeapCore, SpanHeap and SpanBins name
// TestAccess a friend; it is defined here only, so nothing of it is compiled into the library
// and the public API does not change.
//
// Under memcheck (ALLIGATOR_VALGRIND) the table is inaccessible outside the allocator's entry
// points, so every change goes through an Opened scope, the allocator's own MetadataAccess.
#pragma once

#include <alligator/detail/heap_core.hpp>

#include "../src/valgrind_hooks.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

namespace alligator::detail {

struct TestAccess {
  // The table open to the test for the scope's duration (nothing outside valgrind builds).
  class Opened {
   public:
    explicit Opened(const HeapCore& core) : access_(core) {}

   private:
    HeapCore::MetadataAccess access_;
  };

  static SpanHeap& spans(HeapCore& core) { return core.spans_; }
  static std::size_t& wasm_pages(HeapCore& core) { return core.spans_.wasm_pages_; }
  static SlotDescriptor*& table(HeapCore& core) { return core.spans_.table_; }
  static std::uint64_t& nonempty_word(HeapCore& core, unsigned bin) {
    return core.spans_.bins_.nonempty_[bin / 64];
  }
  static SpanBins& bins(HeapCore& core) { return core.spans_.bins_; }
  static std::uint8_t& spare_span_count(HeapCore& core, std::uint32_t slots) {
    return core.spans_.spare_span_count_[slots];
  }
  static std::uint32_t& spare_span(HeapCore& core, std::uint32_t slots, unsigned index) {
    return core.spans_.spare_spans_[slots][index];
  }

  // The bitmap pool's free list head: the first free record's index + 1, 0 when empty.
  static std::uint32_t& free_bitmap(HeapCore& core) { return core.spans_.free_bitmap_; }

  static std::uint32_t& current_slot(HeapCore& core, unsigned size_class) {
    return core.current_[size_class].slot;
  }
  static SegmentBitmap*& current_bitmap(HeapCore& core, unsigned size_class) {
    return core.current_[size_class].bitmap;
  }
  // A MiniPage's Segment bitmap: its record in the table's bitmap pool.
  static SegmentBitmap& bitmap(HeapCore& core, const SlotDescriptor& page) {
    return core.bitmap_of(page);
  }
  static std::uint32_t& partial_head(HeapCore& core, unsigned size_class) {
    return core.partial_[size_class];
  }
  static std::uint32_t& partial_tail(HeapCore& core, unsigned size_class) {
    return core.partial_tail_[size_class];
  }
  static std::uint8_t& spare_count(HeapCore& core, unsigned size_class) {
    return core.spare_count_[size_class];
  }
  static std::uint32_t& spare(HeapCore& core, unsigned size_class, unsigned index) {
    return core.spares_[size_class][index];
  }

  // The heap's whole state: the HeapCore object (lists, counts, current MiniPages, bins) and its
  // table. Restoring it undoes any corruption made through this door. Copied as bytes on
  // purpose: it must come back exactly, pointers into the table included.
  class Snapshot {
   public:
    // The table's bitmap pool and slot records, saved and restored together.
    explicit Snapshot(HeapCore& core)
        : core_(core), table_(TestAccess::table(core) ? core.spans_.pool_first() : nullptr) {
      save(&core_, sizeof core_, core_bytes_);
      if (table_ != nullptr) {
        Opened opened(core_);
        save(table_, core_.spans_.pool_and_record_bytes(), table_bytes_);
      }
    }
    // The table's open/closed depth is the present one, not the saved one.
    void restore() {
      unsigned depth = core_.metadata_access_depth_;
      std::memcpy(static_cast<void*>(&core_), core_bytes_.data(), core_bytes_.size());
      core_.metadata_access_depth_ = depth;
      if (table_ != nullptr) {
        Opened opened(core_);
        std::memcpy(static_cast<void*>(table_), table_bytes_.data(), table_bytes_.size());
      }
    }

   private:
    static void save(const void* from, std::size_t bytes, std::vector<unsigned char>& to) {
      to.resize(bytes);
      std::memcpy(to.data(), from, bytes);
    }
    HeapCore& core_;
    std::byte* table_;  // the pool's first byte: the records follow it
    std::vector<unsigned char> core_bytes_;
    std::vector<unsigned char> table_bytes_;
  };
};

}  // namespace alligator::detail
