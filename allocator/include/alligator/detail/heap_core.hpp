// The heap's machinery, independent of where memory comes from (Heap<Memory> supplies a grow
// function). Compiled once, in allocator/src.
//
// Layering: shim -> bits -> size classes -> segment bitmap, slot descriptors, span bins -> span heap (span_heap.cpp, bitmap_pool.cpp, growth.cpp: pages, spans, large
// blocks, the bitmap pool) -> heap core
// (small_path.cpp, heap_core.cpp, introspection.cpp) -> Heap<Memory> -> C API, operator
// new/delete.
#pragma once

#include <alligator/detail/slot_descriptor.hpp>
#include <alligator/detail/span_heap.hpp>
#include <alligator/introspection.hpp>

#include <cstddef>
#include <cstdint>

namespace alligator::detail {

// Empty MiniPages a class keeps (allocator/README.md, "Small blocks").
inline constexpr unsigned kSparesPerClass = 4;
class HeapCore {
 public:
  using GrowFunction = std::byte* (*)(void* memory, std::size_t pages);
  using SpanVisitor = void (*)(const SpanView& span, void* context);

  // Constant-initializable: a fresh heap is all zeros but for the memory source and the page
  // layer's calls back into this one.
  constexpr HeapCore(GrowFunction grow, void* memory)
#if ALLIGATOR_THREAD_CACHE
      : spans_(grow, memory, {&reclaim_thunk, &table_moved_thunk, &growing_thunk, this}) {}
#else
      : spans_(grow, memory, {&reclaim_thunk, &table_moved_thunk, this}) {}
#endif
  // A heap's memory outlives it only as far as its memory source allows; in valgrind builds the
  // destructor tells memcheck its live blocks are gone, so a later heap at the same addresses
  // does not overlap them. Otherwise it does nothing.
  ~HeapCore();
  HeapCore(const HeapCore&) = delete;
  HeapCore& operator=(const HeapCore&) = delete;

  void* allocate(std::size_t size, std::size_t alignment);
  void deallocate(void* pointer);
  void deallocate(void* pointer, std::size_t size, std::size_t alignment);
  void* reallocate(void* pointer, std::size_t new_size, std::size_t alignment);
  // The same, also saying whether `pointer` was rejected (not a live block: reported, and the
  // error handler returned), so that C's realloc can tell that null from out of memory without
  // a second lookup.
  void* reallocate(void* pointer, std::size_t new_size, std::size_t alignment, bool& rejected);
  std::size_t usable_size(const void* pointer);
  // Whether `pointer` lies in the memory this heap took (inline: every free asks). One unsigned
  // comparison: below the origin wraps around to a large offset, and a fresh heap has no slots.
  bool owns(const void* pointer) const { return spans_.owns(pointer); }
  // One past the last byte taken from the memory source (nullptr before the first growth).
  const std::byte* end() const {
    return spans_.origin() == nullptr ? nullptr : spans_.slot_address(spans_.top());
  }

  // The same as allocate and deallocate, inline for the library's own entry points (free,
  // operator new/delete; malloc calls allocate, whose body this is) so the common case costs no
  // further call: a free Segment of the class's current MiniPage, a Segment freed back to its
  // MiniPage, or a large block freed from its span's head (kept as a spare span or released,
  // out of line). Defined in
  // allocator/src/fast_path.hpp; everything else, every error included, goes to the checked paths
  // (allocate_checked, deallocate_checked). deallocate_inline(p) is deallocate(p) (no size to
  // check); with a size (and alignment) it is the sized deallocate.
  inline void* allocate_inline(std::size_t size, std::size_t alignment);
  inline void deallocate_inline(void* pointer);
  inline void deallocate_inline(void* pointer, std::size_t size);
  inline void deallocate_inline(void* pointer, std::size_t size, std::size_t alignment);

#if ALLIGATOR_THREAD_CACHE
  // What the process heap asks of its thread caches (allocator/src/thread_cache.hpp). They read
  // the table without the heap's lock, so growth, which moves it, first waits for them:
  // `bracket(context, true)` runs before each growth and `bracket(context, false)` after. Before
  // the heap grows, `retire(context)` gives back the caches' owned MiniPages that have no live
  // Segment, as the heap retires its own empty current ones, and says whether it gave any.
  // `holds(context, block)`, under the heap's lock, says whether a cache holds `block`, a live
  // Segment whose first word is a cache's key (may_be_cached): freed by the program, so a free,
  // realloc or malloc_usable_size of it is a double free. Set once, before a second thread uses
  // the heap; a heap without them (every Heap<Memory>) has no cache to ask.
  struct ThreadCacheHooks {
    void (*bracket)(void* context, bool started) = nullptr;
    bool (*retire)(void* context) = nullptr;
    bool (*holds)(void* context, const void* block) = nullptr;
    void* context = nullptr;
  };
  void set_thread_cache_hooks(ThreadCacheHooks hooks) { cache_hooks_ = hooks; }
#endif

  // Gives what the heap keeps for reuse back to the free spans, as it does before growing: spare
  // and empty current MiniPages (thread caches' empty owned ones too) and spare spans. Memory
  // is not given back to the memory source (wasm memory never shrinks); the free spans serve
  // any request after. Whether anything was given back. Bounded as retiring before growth is.
  bool trim();

  HeapStats stats() const;
  ValidationReport validate() const;
  void walk(SpanVisitor visit, void* context) const;

  void set_error_handler(HeapErrorHandler handler, void* context);

  // For tests and the model checks: the current MiniPage and spares of a class
  // (spare_mini_page: the one a refill takes next, or nullptr).
  const std::byte* current_mini_page(std::size_t size_class) const;
  const std::byte* spare_mini_page(std::size_t size_class) const;
  unsigned spare_count(std::size_t size_class) const { return spare_count_[size_class]; }

 private:
  // allocator/tests/heap_test_access.hpp, and only there: the validator's unit tests break
  // invariants on purpose. Declared, never defined in the library.
  friend struct TestAccess;
  friend class ThreadCacheAccess;  // allocator/src/thread_cache.hpp

  struct Block;  // a live block, as deallocate and reallocate find it

  // A class's current MiniPage: its slot, and its bitmap, so the fast paths reach it without the
  // descriptor lookup (growth moves the table and rebases these). Allocation takes the bitmap's
  // lowest clear bit. No pointer into user memory is kept here: memcheck would count a block at
  // a MiniPage's start as still reachable through it, and miss its leak.
  struct CurrentMiniPage {
    std::uint32_t slot;     // kNoSlot: none
    SegmentBitmap* bitmap;  // nullptr: none
  };
  void make_current(unsigned size_class, std::uint32_t slot, const SlotDescriptor& page) {
    current_[size_class] = {slot, &bitmap_of(page)};
  }

  // Every request the fast paths leave: any size and alignment, every pointer checked. Never
  // inlined: inlined into a fast path (heap_core.cpp sees both), its locals would give every call
  // of that path a shadow-stack frame on wasm.
  [[gnu::noinline]] void* allocate_checked(std::size_t size, std::size_t alignment);
  [[gnu::noinline]] void deallocate_checked(void* pointer, std::size_t size, std::size_t alignment);

  // Small blocks (small_path.cpp). allocate_small: nullptr when a new MiniPage was needed and
  // memory cannot grow; then allocate_without_mini_page serves a request of a class of several
  // slots as a large block (heap_core.cpp).
  // allocate_after_refill: the same when the current MiniPage is full or there is none.
  void* allocate_small(unsigned size_class);
  [[gnu::noinline]] static unsigned class_of_medium_size(std::size_t size);
  void* allocate_after_refill(unsigned size_class);
  void* allocate_without_mini_page(std::size_t size, unsigned size_class);
  bool refill_current(unsigned size_class);
  std::uint32_t spare_or_new_mini_page(unsigned size_class);
  template <bool kSized>
  inline void deallocate_fast(void* pointer, std::size_t size);
  inline void free_segment(unsigned size_class, std::uint32_t slot, SegmentBitmap& bitmap,
                           unsigned segment);
  inline void relink_after_free(unsigned size_class, std::uint32_t slot,
                                const SegmentBitmap& bitmap, unsigned segment);
  void relink_no_longer_full(unsigned size_class, std::uint32_t slot);
  void keep_or_release_empty(unsigned size_class, std::uint32_t slot);
  bool is_spare(unsigned size_class, std::uint32_t slot) const;
  void partial_push(unsigned size_class, std::uint32_t slot);
  void partial_remove(unsigned size_class, std::uint32_t slot);
  bool retire_empty_mini_pages();
#if ALLIGATOR_THREAD_CACHE
  // MiniPages owned by a thread cache (allocator/README.md, Threads): like a current MiniPage, on
  // no list and kept even when empty; the cache's refills take their Segments. take_owned: a
  // MiniPage of the class with a free Segment, owned from now on (a partial one, else the
  // current one, else a spare, else a new one), or kNoSlot when none can be made.
  // take_from_owned: its lowest free Segment, or nullptr when it is full. disown: it goes back
  // to the class as a free would leave it (empty: a spare or freed; with a free Segment: current
  // or partial; full: on no list).
  std::uint32_t take_owned_mini_page(unsigned size_class);
  void* take_from_owned(unsigned size_class, std::uint32_t slot);
  void disown_mini_page(unsigned size_class, std::uint32_t slot);
#endif

  // The page layer's calls back into the small path (SpanHeap::Client).
  static bool reclaim_thunk(void* core) { return static_cast<HeapCore*>(core)->retire_empty_mini_pages(); }
  static void table_moved_thunk(void* core) { static_cast<HeapCore*>(core)->rebase_current(); }
#if ALLIGATOR_THREAD_CACHE
  static void growing_thunk(void* core, bool started) {
    const ThreadCacheHooks& hooks = static_cast<HeapCore*>(core)->cache_hooks_;
    if (hooks.bracket != nullptr) hooks.bracket(hooks.context, started);
  }
#endif
  void rebase_current();

  // Lookup.
  bool find_block(const void* pointer, Block& block);
  // Whether a thread cache holds the live Segment of `size_class` at `block` (a double free to
  // report): ThreadCacheHooks::holds, asked only when the block's first word is a cache's key.
  // Under the heap's lock. Defined in allocator/src/fast_path.hpp.
  inline bool held_by_thread_cache(unsigned size_class, const void* block) const;
  void report(HeapError error, const void* pointer);
  void free_block(const Block& block);
  // With ALLIGATOR_VALIDATE_EVERY_OP (debugging the allocator), validate() after every
  // operation, aborting on the first problem; otherwise nothing. Defined inline in
  // allocator/src/fast_path.hpp, which only the library's own sources (built with that macro or
  // without it, all alike) include.
  inline void check_after_operation() const;
#if defined(ALLIGATOR_VALIDATE_EVERY_OP)
  void validate_or_abort() const;
#endif

  // Opens the table to memcheck for the duration of an entry point (valgrind builds;
  // otherwise empty). Entry points nest (reallocate calls allocate), hence the depth.
  class MetadataAccess {
   public:
    explicit MetadataAccess(const HeapCore& heap);
    ~MetadataAccess();
    MetadataAccess(const MetadataAccess&) = delete;
    MetadataAccess& operator=(const MetadataAccess&) = delete;

   private:
    [[maybe_unused]] const HeapCore& heap_;  // read only in valgrind builds
  };
  void set_metadata_access(bool open) const;
  SlotDescriptor& descriptor(std::uint32_t slot) const { return spans_.descriptor(slot); }
  // A MiniPage's Segment bitmap, in the table's bitmap pool.
  SegmentBitmap& bitmap_of(const SlotDescriptor& page) const {
    return spans_.bitmap(static_cast<std::uint32_t>(page.bitmap));
  }
  std::byte* slot_address(std::uint32_t slot) const { return spans_.slot_address(slot); }

  SpanHeap spans_;
#if ALLIGATOR_THREAD_CACHE
  ThreadCacheHooks cache_hooks_;
#endif
  HeapErrorHandler error_handler_ = nullptr;  // nullptr: diagnose and abort
  void* error_context_ = nullptr;
  CurrentMiniPage current_[kClassCount] = {};  // the MiniPage each class allocates from
  // MiniPages with free Segments, not current: a queue (head and tail). A MiniPage joins at the
  // tail when its first Segment is freed while the current one still has room (otherwise it
  // becomes current at once, see relink_no_longer_full), and a refill takes the head, so the MiniPage it
  // takes has had the longest time to gather free Segments. (A MiniPage that empties leaves from
  // wherever it is.)
  std::uint32_t partial_[kClassCount] = {};
  std::uint32_t partial_tail_[kClassCount] = {};
  // Up to kSparesPerClass empty MiniPages kept per class (a stack), so a class whose MiniPages
  // hold one to three Segments does not take and free a span on nearly every operation.
  std::uint32_t spares_[kClassCount][kSparesPerClass] = {};
  std::uint8_t spare_count_[kClassCount] = {};
  mutable unsigned metadata_access_depth_ = 0;  // valgrind builds only
};

}  // namespace alligator::detail
