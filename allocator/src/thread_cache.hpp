// Per-thread caches in front of the process heap (allocator/README.md, Threads), in builds with
// ALLIGATOR_THREAD_CACHE (thread_config.hpp).
//
// Each thread that calls malloc gets one of kMaxThreadCaches caches (a thread that only frees
// has none, and frees under the heap's lock): per cached class
// (16 to 512 bytes) a stack of blocks it freed, up to a limit that follows the thread's use of
// the class (kCacheStartDepth to kCacheMaxDepth), which its next allocations of the class take
// back. A cache's owner works under the cache's own lock only, uncontended, and never under the
// process heap's lock; a refill (kCacheBatch blocks when the stack is empty) and a flush (the
// oldest, down to a batch below the limit, when it is full) take the heap's lock. A refill takes
// its Segments from a MiniPage of the class the cache owns, which no other cache refills from, so
// two threads do not take neighbouring Segments (whose bytes and bitmap words would share cache
// lines). Two MiniPages' 32-byte bitmap records may still share a line. A cached block stays
// live to the heap, and holds its cache's key in its first word (fast_path.hpp): a second free
// of it (or a realloc, or malloc_usable_size), from any thread, finds the key, goes to the heap's
// lock, and the heap, finding the block in that cache's stack, reports a double free. Neither a
// push nor a pop writes shared memory: the key is in the block, which the thread used last.
// stats and validate, holding every cache, mark the cached blocks in their MiniPages' bitmaps
// for as long as they look (ThreadCachesHeld).
//
// Lock order: the heap's lock, then caches' locks (growth locks them all: it moves the table the
// owners read; stats and validate lock them to count; a free under the heap's lock that finds a
// key locks the one cache it names). An owner never waits for the heap's lock while holding its
// cache's, and nothing that holds a cache's lock frees through the heap's checked path.
#pragma once

#include <alligator/global_heap.hpp>

#if ALLIGATOR_THREAD_CACHE

#include <alligator/detail/size_class_map.hpp>

#include "fast_path.hpp"
#include "process_heap_lock.hpp"

#include <pthread.h>

namespace alligator::detail {

// Class 8 has 256 Segments a MiniPage, no room for marks (which stats and validate need); above
// 512 bytes a stack of blocks would hold more memory than it saves work.
inline constexpr std::size_t kSmallestCachedSize = 9;
inline constexpr std::size_t kLargestCachedSize = 512;
inline constexpr unsigned kFirstCachedClass = [] {
  unsigned size_class = 0;
  while (kClassSizes[size_class] < kSmallestCachedSize) ++size_class;
  return size_class;
}();
inline constexpr unsigned kCachedClasses = [] {
  unsigned size_class = kFirstCachedClass;
  while (kClassSizes[size_class] <= kLargestCachedSize) ++size_class;
  return size_class - kFirstCachedClass;
}();
static_assert([] {
  for (unsigned c = kFirstCachedClass; c < kFirstCachedClass + kCachedClasses; ++c) {
    if (segments_per_mini_page(c) > SegmentBitmap::kCachedOffset) return false;
  }
  return true;
}(), "cached classes have room for marks");

// A class's stack holds at most its limit: kCacheStartDepth when the cache is claimed, one
// batch more at each refill (the thread allocates more of the class than its stack held) up to
// kCacheMaxDepth, one batch less after kCacheOverflowsToShrink flushes in a row with no refill
// between (the thread frees more than it takes back), much as tcmalloc's free lists adapt their
// lengths: a class a thread churns gets a deep stack, which the heap's lock then rarely sees;
// one it only frees keeps a shallow one. Nothing shallows an idle thread's stacks: what they
// hold stays until the thread frees more of the class, malloc_trim empties every cache, or the
// thread exits.
inline constexpr unsigned kCacheStartDepth = 16;
inline constexpr unsigned kCacheMaxDepth = 64;
inline constexpr unsigned kCacheBatch = 8;
inline constexpr unsigned kCacheOverflowsToShrink = 3;
static_assert(kCacheStartDepth % kCacheBatch == 0 && kCacheMaxDepth % kCacheBatch == 0 &&
              kCacheStartDepth >= 2 * kCacheBatch && kCacheMaxDepth <= 255);

struct alignas(64) ThreadCache {  // its own cache lines: owners never share one
  SpinLock lock;
  bool in_use = false;  // claimed by a thread; changed under the heap's lock
  std::uint8_t count[kCachedClasses] = {};
  // Per class, the stack's limit and the flushes since its last refill: set at claim, changed
  // by refills and flushes (both under the heap's lock, from the owner), read by the owner and
  // by validate (under the heap's lock).
  std::uint8_t limit[kCachedClasses] = {};
  std::uint8_t overflows[kCachedClasses] = {};
  void* blocks[kCachedClasses][kCacheMaxDepth] = {};
  // Per class, the MiniPage its refills take from (kNoSlot: none). Read and written under the
  // heap's lock only.
  std::uint32_t own[kCachedClasses] = {};
};

extern constinit ThreadCache thread_caches[kMaxThreadCaches];

// The key a cache writes into the first word of each block it holds (fast_path.hpp): a word no
// block holds otherwise, unless the program wrote it there.
inline std::uintptr_t cache_key(const ThreadCache& cache) {
  return kCacheKeyBase + static_cast<std::uintptr_t>(&cache - thread_caches);
}

// The calling thread's cache. A thread claims one only on a malloc (kMayClaim): the runtime's
// own frees after a thread's key destructors ran (glibc's, Emscripten's) must never claim one,
// as nothing would give it back. nullptr when the thread has none, every cache is taken, or the
// thread is exiting (its cache already flushed).
ThreadCache* claim_thread_cache();
extern pthread_key_t thread_cache_key;
extern bool thread_cache_key_made;  // read with an acquire load

template <bool kMayClaim>
inline ThreadCache* current_thread_cache() {
  if (!__atomic_load_n(&thread_cache_key_made, __ATOMIC_ACQUIRE)) {
    return kMayClaim ? claim_thread_cache() : nullptr;
  }
  void* value = pthread_getspecific(thread_cache_key);
  if (value == nullptr) return kMayClaim ? claim_thread_cache() : nullptr;
  // Not a cache: the thread found none free, or its exit already flushed it.
  auto* cache = static_cast<ThreadCache*>(value);
  return cache >= thread_caches && cache < thread_caches + kMaxThreadCaches ? cache : nullptr;
}

// The heap's side of the caches: finding a block's Segment (the caller holds a cache's lock or
// the heap's: either keeps growth from moving the table), and giving blocks back under the
// heap's lock.
class ThreadCacheAccess {
 public:
  struct Segment {
    SegmentBitmap* bitmap;
    unsigned segment;
    unsigned cached_class;  // 0 for kFirstCachedClass
    std::uint32_t slot;     // its MiniPage's first
  };
  // Whether `pointer` starts a Segment of a cached class (live or not); no report.
  static bool find(HeapCore& core, const void* pointer, Segment& found) {
    if (!core.owns(pointer)) return false;
    std::size_t offset = reinterpret_cast<std::uintptr_t>(pointer) -
                         reinterpret_cast<std::uintptr_t>(core.spans_.origin());
    auto slot = static_cast<std::uint32_t>(offset >> kSlotShift);
    const SlotDescriptor& record = core.descriptor(slot);
    unsigned cached_class = record.size_class - kFirstCachedClass;
    if (record.kind != SpanKind::mini_page || cached_class >= kCachedClasses) return false;
    std::uint32_t first = slot - record.page_slot;
    std::size_t offset_in_page = offset - (std::size_t{first} << kSlotShift);
    // A pointer to the slack at a MiniPage's end may pass as the Segment one past the last: its
    // live bit is clear and below the marks (kSlackIndexIsALiveBit), so the caller's test of it
    // turns the pointer away, as deallocate_fast does.
    if (!is_segment_start(offset_in_page, record.size_class)) return false;
    found = {&core.bitmap_of(record), segment_of_offset(offset_in_page, record.size_class),
             cached_class, first};
    return true;
  }
  // Under the heap's lock: frees a block a cache held, its key cleared.
  static void release(HeapCore& core, void* block);
  // Under the heap's lock: the block a refill hands its caller when no MiniPage can be owned,
  // as malloc would give it (from the heap's current MiniPage, or, when no MiniPage can be made,
  // a large block for a class of several slots).
  static void* allocate(HeapCore& core, unsigned cached_class) {
    return core.allocate(class_size(kFirstCachedClass + cached_class), 1);
  }
  // Under the heap's lock: the lowest free Segment of the MiniPage `own` of the class, first
  // owning a new one (the full one disowned) when it is full or there is none; nullptr when no
  // MiniPage can be made. At most two MiniPages looked at, one bitmap scan each.
  static void* take_owned_segment(HeapCore& core, std::uint32_t& own, unsigned cached_class);
  // Under the heap's lock: `own` back to the heap (kNoSlot after), as a free would leave it.
  static void disown(HeapCore& core, std::uint32_t& own, unsigned cached_class) {
    core.disown_mini_page(kFirstCachedClass + cached_class, own);
    own = kNoSlot;
  }
  static bool empty(const HeapCore& core, std::uint32_t own, unsigned cached_class) {
    return core.bitmap_of(core.descriptor(own))
        .empty(segments_in(kFirstCachedClass + cached_class));
  }
  // Whether `slot` is a MiniPage's first slot, of the class, flagged as owned by a cache.
  static bool owned_mini_page(const HeapCore& core, std::uint32_t slot, unsigned cached_class) {
    if (!mini_page_of_class(core, slot, cached_class)) return false;
    return (core.descriptor(slot).role & kOwnedByCache) != 0;
  }
  static bool mini_page_of_class(const HeapCore& core, std::uint32_t slot, unsigned cached_class) {
    if (slot >= core.spans_.top()) return false;
    const SlotDescriptor& head = core.descriptor(slot);
    return head.kind == SpanKind::mini_page && head.page_slot == 0 &&
           head.size_class == kFirstCachedClass + cached_class;
  }
  static std::uint32_t slot_of(const HeapCore& core, const std::byte* start) {
    return static_cast<std::uint32_t>((start - core.spans_.origin()) >> kSlotShift);
  }
  // validate_thread_caches only: clears or sets a MiniPage's owned flag.
  static void set_owned_flag(HeapCore& core, std::uint32_t slot, bool owned) {
    std::uint8_t& role = core.descriptor(slot).role;
    role = static_cast<std::uint8_t>(owned ? role | kOwnedByCache : role & ~kOwnedByCache);
  }
};

// Refills the class's stack and returns a block, or nullptr when the heap has none to give
// (the caller then takes the locked path, which reports it).
[[gnu::noinline]] void* refill_thread_cache(ThreadCache& cache, unsigned cached_class);
// Gives the kCacheBatch oldest blocks of the class's full stack back to the heap (one batch
// more when the limit shrinks, so that a batch of frees fits again); nothing when malloc_trim
// emptied the stack since its owner found it full.
[[gnu::noinline]] void flush_thread_cache(ThreadCache& cache, unsigned cached_class);

// malloc's cached path: a block, or nullptr when the request is not one a cache serves.
inline void* thread_cache_allocate(std::size_t size) {
  if (size - kSmallestCachedSize > kLargestCachedSize - kSmallestCachedSize) return nullptr;
  unsigned cached_class = class_of_size(size) - kFirstCachedClass;
  if (cached_class >= kCachedClasses) return nullptr;  // never, with the class tables as they are
  ThreadCache* cache = current_thread_cache<true>();
  if (cache == nullptr) return nullptr;
  cache->lock.lock();
  if (unsigned count = cache->count[cached_class]; count != 0) {
    void* block = cache->blocks[cached_class][count - 1];
    cache->count[cached_class] = static_cast<std::uint8_t>(count - 1);
    set_first_word(block, 0);  // no longer held: a later free of it must not find a key
    cache->lock.unlock();
    ALLIGATOR_COUNT_PATH(cached_allocate);
    return block;
  }
  cache->lock.unlock();
  return refill_thread_cache(*cache, cached_class);
}

// free's cached path: true when the block went into the thread's cache. False for anything
// else (other classes, large blocks, every error), which the locked path then frees or reports.
// With `kSized`, a size larger than the block's class is left to the locked path (a mismatch).
template <bool kSized = false>
inline bool thread_cache_free(void* block, std::size_t size = 0) {
  ThreadCache* cache = current_thread_cache<false>();
  if (cache == nullptr) return false;
  HeapCore& core = global_heap().core();
  for (;;) {
    cache->lock.lock();
    ThreadCacheAccess::Segment found{};
    if (!ThreadCacheAccess::find(core, block, found) ||
        (kSized && size > class_size(kFirstCachedClass + found.cached_class))) {
      cache->lock.unlock();
      return false;
    }
    unsigned count = cache->count[found.cached_class];
    if (count >= cache->limit[found.cached_class]) {
      cache->lock.unlock();
      flush_thread_cache(*cache, found.cached_class);
      continue;
    }
    // A key: perhaps a cache holds it already (a double free), which only the heap, under its
    // lock, can tell from the stacks. Not live: a double free. Both go to the locked path.
    if (is_cache_key(first_word(block)) || !found.bitmap->test(found.segment)) {
      cache->lock.unlock();
      return false;
    }
    set_first_word(block, cache_key(*cache));
    cache->blocks[found.cached_class][count] = block;
    cache->count[found.cached_class] = static_cast<std::uint8_t>(count + 1);
    cache->lock.unlock();
    ALLIGATOR_COUNT_PATH(cached_deallocate);
    return true;
  }
}

// Under the heap's lock (HeapCore::ThreadCacheHooks::holds): whether the cache `block`'s first
// word names holds it in its stack (of the block's class). At most kCacheMaxDepth compares,
// under that cache's lock.
bool thread_caches_hold(void* context, const void* block);

// Before the heap grows (HeapCore::ThreadCacheHooks::retire), under its lock: every cache's owned
// MiniPage with no live Segment goes back to the heap, which then frees it. At most
// kMaxThreadCaches x kCachedClasses MiniPages looked at.
bool retire_empty_owned_mini_pages(void* context);

// malloc_trim, under the heap's lock: every cache's stacks, of every class, go back to the heap
// (each cache under its own lock, as its owner may be using it), so that what an idle thread's
// cache holds need not wait for the thread's exit. Limits stay as they were. At most
// kMaxThreadCaches x kCachedClasses x kCacheMaxDepth blocks freed. Whether any was.
bool empty_every_thread_cache();

// Every cache's lock, taken and released in the order every path takes them (after the heap's
// lock): around fork() on hosts (global_heap.cpp).
void lock_every_thread_cache();
void unlock_every_thread_cache();

// Holds every cache's lock for a scope (taken under the heap's lock), so that stats and validate
// see the caches whole: their stacks stay still, and each live block a claimed cache holds is
// marked cached in its MiniPage's bitmap (SegmentBitmap) until the scope ends, which clears
// those marks again (validate_thread_caches clears them as it checks). Outside such a scope no
// Segment is marked. At most kMaxThreadCaches x kCachedClasses x kCacheMaxDepth blocks marked.
class ThreadCachesHeld {
 public:
  ThreadCachesHeld();
  ~ThreadCachesHeld();
  ThreadCachesHeld(const ThreadCachesHeld&) = delete;
  ThreadCachesHeld& operator=(const ThreadCachesHeld&) = delete;
};

// Under the heap's lock and ThreadCachesHeld: checks that every cached block is a live Segment
// of its class with its mark set, held by one cache once, with its cache's key in its first
// word (else the program wrote into it after freeing it), and that no other Segment is marked
// (it leaves the caches' marks cleared);
// that each MiniPage a cache owns is one of its class flagged as owned, and that no other is.
void validate_thread_caches(ValidationReport& report);

}  // namespace alligator::detail

#endif  // ALLIGATOR_THREAD_CACHE
