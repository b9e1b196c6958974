// Thread caches' slow paths (thread_cache.hpp): claiming a cache, refills, flushes, a thread's
// exit, and what stats and validate need to see them whole.
#include "cold_code.hpp"
#include "thread_cache.hpp"
#include "validation_findings.hpp"

#if ALLIGATOR_THREAD_CACHE

namespace alligator::detail {

constinit ThreadCache thread_caches[kMaxThreadCaches];
pthread_key_t thread_cache_key;
bool thread_cache_key_made = false;

namespace {

// What a thread's key holds once its cache is gone (flushed at exit) or when none was free: not
// null, so the thread never claims one again, and never a cache's address.
char no_cache_marker;
void* const kNoCache = &no_cache_marker;

HeapCore& process_core() { return global_heap().core(); }

#if !defined(__EMSCRIPTEN__)
// glibc clears a thread's key values once their destructors have run, and the thread may still
// allocate after that: without this flag such an allocation would claim a cache for a thread
// that can no longer give it back (frees never claim one). Emscripten (musl) keeps the values
// until it frees them, and frees the thread's TLS, this flag included, before its last frees:
// there the key alone says it.
thread_local bool thread_exited = false;
#endif

// Growth moves the table that owners read without the heap's lock: it waits for every cache.
ALLIGATOR_MINSIZE void hold_caches_during_growth(void*, bool started) {
  for (ThreadCache& cache : thread_caches) {
    if (started) {
      cache.lock.lock();
    } else {
      cache.lock.unlock();
    }
  }
}

// Under the heap's lock, from the cache's owner: gives the class's `count` oldest blocks back
// to the heap. No cache lock: every other reader of the stack holds the heap's lock (and
// empty_every_thread_cache, from another thread, holds the cache's lock too).
void release_oldest(ThreadCache& cache, unsigned cached_class, unsigned count) {
  void* released[kCacheMaxDepth];
  unsigned held = cache.count[cached_class];
  if (count > held) count = held;
  void** blocks = cache.blocks[cached_class];
  for (unsigned index = 0; index < count; ++index) released[index] = blocks[index];
  for (unsigned index = count; index < held; ++index) blocks[index - count] = blocks[index];
  cache.count[cached_class] = static_cast<std::uint8_t>(held - count);
  // Out of the stack, still holding their key: nobody frees them as the program's until the
  // heap's lock is released, and release clears it.
  for (unsigned index = 0; index < count; ++index) {
    ThreadCacheAccess::release(process_core(), released[index]);
  }
}

// The key's destructor: the thread is exiting, its cache goes back whole: its blocks, then the
// MiniPages it owns (so those its blocks emptied are spares or freed).
ALLIGATOR_MINSIZE void flush_on_exit(void* value) {
  if (value != kNoCache) {
    auto& cache = *static_cast<ThreadCache*>(value);
    ProcessHeapLockHolder locked;
    for (unsigned cached_class = 0; cached_class < kCachedClasses; ++cached_class) {
      release_oldest(cache, cached_class, kCacheMaxDepth);
      if (cache.own[cached_class] != kNoSlot) {
        ThreadCacheAccess::disown(process_core(), cache.own[cached_class], cached_class);
      }
    }
    cache.in_use = false;
  }
  // The runtime frees more after this (Emscripten: the thread's TLS and key values): those
  // frees take the locked path, and no cache is claimed again.
  pthread_setspecific(thread_cache_key, kNoCache);
#if !defined(__EMSCRIPTEN__)
  thread_exited = true;
#endif
}

}  // namespace

ALLIGATOR_MINSIZE ThreadCache* claim_thread_cache() {
#if !defined(__EMSCRIPTEN__)
  if (thread_exited) return nullptr;
#endif
  ThreadCache* claimed = nullptr;
  {
    ProcessHeapLockHolder locked;
    if (!thread_cache_key_made) {
      // Neither call allocates (musl, glibc): the heap's lock is not recursive.
      if (pthread_key_create(&thread_cache_key, flush_on_exit) != 0) return nullptr;
      process_core().set_thread_cache_hooks(
          {&hold_caches_during_growth, &retire_empty_owned_mini_pages, &thread_caches_hold,
           nullptr});
      __atomic_store_n(&thread_cache_key_made, true, __ATOMIC_RELEASE);
    } else if (pthread_getspecific(thread_cache_key) != nullptr) {
      return nullptr;  // claim_thread_cache is only called when the value is null
    }
    for (ThreadCache& cache : thread_caches) {
      if (!cache.in_use) {
        cache.in_use = true;
        // A cache an exited thread used starts again as a new one would.
        for (unsigned cached_class = 0; cached_class < kCachedClasses; ++cached_class) {
          cache.limit[cached_class] = kCacheStartDepth;
          cache.overflows[cached_class] = 0;
        }
        claimed = &cache;
        break;
      }
    }
  }
  pthread_setspecific(thread_cache_key, claimed != nullptr ? claimed : kNoCache);
  return claimed;
}

void ThreadCacheAccess::release(HeapCore& core, void* block) {
  Segment found{};
  find(core, block, found);  // a cached block: always found
  set_first_word(block, 0);   // held by no cache now
  found.bitmap->reset(found.segment);
  core.relink_after_free(kFirstCachedClass + found.cached_class, found.slot, *found.bitmap,
                         found.segment);
  core.check_after_operation();
}

void* ThreadCacheAccess::take_owned_segment(HeapCore& core, std::uint32_t& own,
                                             unsigned cached_class) {
  const unsigned size_class = kFirstCachedClass + cached_class;
  HeapCore::MetadataAccess access(core);
  void* block = nullptr;
  if (own != kNoSlot) {
    block = core.take_from_owned(size_class, own);
    if (block == nullptr) disown(core, own, cached_class);  // full: on no list, as any full one
  }
  if (block == nullptr) {
    // (A reclaim on the way may disown this cache's other empty MiniPages; `own` is none now.)
    own = core.take_owned_mini_page(size_class);
    if (own == kNoSlot) return nullptr;
    block = core.take_from_owned(size_class, own);  // it has a free one (take_owned_mini_page)
  }
  core.check_after_operation();
  return block;
}

void* refill_thread_cache(ThreadCache& cache, unsigned cached_class) {
  ProcessHeapLockHolder locked;
  HeapCore& core = process_core();
  std::uint32_t& own = cache.own[cached_class];
  void* block = ThreadCacheAccess::take_owned_segment(core, own, cached_class);
  if (block == nullptr) return ThreadCacheAccess::allocate(core, cached_class);
  // The thread takes more of the class than its stack held: a deeper stack next time.
  if (cache.limit[cached_class] < kCacheMaxDepth) cache.limit[cached_class] += kCacheBatch;
  cache.overflows[cached_class] = 0;
  void* batch[kCacheBatch];
  unsigned taken = 0;
  while (taken < kCacheBatch &&
         (batch[taken] = ThreadCacheAccess::take_owned_segment(core, own, cached_class)) !=
             nullptr) {
    ++taken;
  }
  // The stack is empty (only its owner, this thread, fills it). No cache lock: apart from its
  // owner, only holders of the heap's lock (growth, stats, validate, a free that finds a key)
  // read a stack, and this thread holds it.
  for (unsigned index = 0; index < taken; ++index) {
    set_first_word(batch[index], cache_key(cache));
    cache.blocks[cached_class][cache.count[cached_class]++] = batch[index];
  }
  return block;
}

void flush_thread_cache(ThreadCache& cache, unsigned cached_class) {
  ProcessHeapLockHolder locked;
  std::uint8_t& limit = cache.limit[cached_class];
  // No longer full: malloc_trim emptied it since the owner saw it full (a flush's release below
  // needs a full stack).
  if (cache.count[cached_class] < limit) return;
  // Flushes in a row, no refill between: the thread frees more of the class than it takes back,
  // and a shallower stack holds less of it.
  if (++cache.overflows[cached_class] >= kCacheOverflowsToShrink && limit > kCacheStartDepth) {
    limit -= kCacheBatch;
    cache.overflows[cached_class] = 0;
  }
  unsigned held = cache.count[cached_class];
  release_oldest(cache, cached_class, held + kCacheBatch - limit);  // leaves limit - kCacheBatch
}

ALLIGATOR_MINSIZE bool retire_empty_owned_mini_pages(void*) {
  bool retired = false;
  for (ThreadCache& cache : thread_caches) {
    for (unsigned cached_class = 0; cached_class < kCachedClasses; ++cached_class) {
      std::uint32_t& own = cache.own[cached_class];
      if (own != kNoSlot && ThreadCacheAccess::empty(process_core(), own, cached_class)) {
        ThreadCacheAccess::disown(process_core(), own, cached_class);
        retired = true;
      }
    }
  }
  return retired;
}

ALLIGATOR_MINSIZE bool empty_every_thread_cache() {
  bool emptied = false;
  for (ThreadCache& cache : thread_caches) {
    cache.lock.lock();  // its owner may be pushing or popping
    for (unsigned cached_class = 0; cached_class < kCachedClasses; ++cached_class) {
      if (cache.count[cached_class] == 0) continue;
      release_oldest(cache, cached_class, cache.count[cached_class]);
      emptied = true;
    }
    cache.lock.unlock();
  }
  return emptied;
}

namespace {
// A claimed cache's limits are kCacheStartDepth to kCacheMaxDepth (below, its first free would
// flush forever); an unclaimed one's are whatever its last thread left, and it holds nothing.
bool stack_in_bounds(const ThreadCache& cache, unsigned cached_class) {
  const unsigned limit = cache.limit[cached_class];
  return cache.count[cached_class] <= limit && limit <= kCacheMaxDepth &&
         (!cache.in_use || limit >= kCacheStartDepth);
}

// Sets (or clears) the mark of every block a claimed cache's stack holds that is a live Segment
// of its class. Stacks out of bounds, and an unclaimed cache's (validate reports both), are left
// alone: their pointers may be stale, even blocks the program holds. An entry that is not live
// is left unmarked, so that validate names the cache entry rather than a mark; clearing looks
// at the same entries (nothing changes a stack or a live bit while every cache and the heap's
// lock are held).
void mark_cached_blocks(bool marked) {
  for (const ThreadCache& cache : thread_caches) {
    for (unsigned cached_class = 0; cached_class < kCachedClasses; ++cached_class) {
      if (!cache.in_use || !stack_in_bounds(cache, cached_class)) continue;
      for (unsigned index = 0; index < cache.count[cached_class]; ++index) {
        ThreadCacheAccess::Segment found{};
        if (ThreadCacheAccess::find(process_core(), cache.blocks[cached_class][index], found) &&
            found.cached_class == cached_class && found.bitmap->test(found.segment)) {
          if (marked) {
            found.bitmap->mark_cached(found.segment);
          } else {
            found.bitmap->unmark_cached(found.segment);
          }
        }
      }
    }
  }
}
}  // namespace

ALLIGATOR_MINSIZE bool thread_caches_hold(void*, const void* block) {
  // Read once, and checked again: the caller saw a key, but a program that frees a block while
  // another thread takes it from a cache (a double free racing the pop) may change the word
  // since, and an index past the caches would lock an arbitrary byte.
  const std::uintptr_t index = first_word(block) - kCacheKeyBase;
  if (index >= kMaxThreadCaches) return false;
  ThreadCache& cache = thread_caches[index];
  ThreadCacheAccess::Segment found{};
  if (!ThreadCacheAccess::find(process_core(), block, found)) return false;
  cache.lock.lock();  // its owner may be pushing or popping
  bool held = false;
  const unsigned count = cache.count[found.cached_class];  // at most kCacheMaxDepth (validate)
  for (unsigned slot = 0; slot < count && slot < kCacheMaxDepth && !held; ++slot) {
    held = cache.blocks[found.cached_class][slot] == block;
  }
  cache.lock.unlock();
  return held;
}

void lock_every_thread_cache() {
  for (ThreadCache& cache : thread_caches) cache.lock.lock();
}
void unlock_every_thread_cache() {
  for (ThreadCache& cache : thread_caches) cache.lock.unlock();
}

ThreadCachesHeld::ThreadCachesHeld() {
  lock_every_thread_cache();
  mark_cached_blocks(true);
}
ThreadCachesHeld::~ThreadCachesHeld() {
  mark_cached_blocks(false);
  unlock_every_thread_cache();
}

ALLIGATOR_MINSIZE void validate_thread_caches(ValidationReport& report) {
  Findings problem(report);
  HeapCore& core = process_core();
  // ThreadCachesHeld marked every cached block. Each mark is cleared once its block is checked,
  // so a block held twice finds its mark clear the second time, and a mark left set belongs to
  // no cache. The check leaves them cleared: ThreadCachesHeld's end, which follows, clears the
  // same entries.
  for (unsigned index = 0; index < kMaxThreadCaches; ++index) {
    const ThreadCache& cache = thread_caches[index];
    for (unsigned cached_class = 0; cached_class < kCachedClasses; ++cached_class) {
      if (!stack_in_bounds(cache, cached_class) || (!cache.in_use && cache.count[cached_class])) {
        problem("thread cache %u: %u blocks of class %u, limit %u", index,
                static_cast<unsigned>(cache.count[cached_class]), kFirstCachedClass + cached_class,
                static_cast<unsigned>(cache.limit[cached_class]));
        continue;
      }
      for (unsigned slot = 0; slot < cache.count[cached_class]; ++slot) {
        void* block = cache.blocks[cached_class][slot];
        ThreadCacheAccess::Segment found{};
        if (!ThreadCacheAccess::find(core, block, found) || found.cached_class != cached_class ||
            !found.bitmap->test(found.segment)) {
          problem("cached block %p (thread cache %u) is not a live Segment of its class", block,
                  index);
        } else if (!found.bitmap->cached(found.segment)) {
          problem("cached block %p (thread cache %u) is held twice", block, index);
        } else {
          found.bitmap->unmark_cached(found.segment);
          // Without its key a second free of it would not be caught (thread_cache_free).
          if (first_word(block) != cache_key(cache)) {
            problem("cached block %p (thread cache %u) lost its key: written after it was freed",
                    block, index);
          }
        }
      }
    }
  }
  // Owned MiniPages, as the marks above: each cache's flag is cleared once it is checked, so a
  // MiniPage two caches own finds its flag clear the second time, and a flag left set belongs
  // to no cache; the flags are set again after.
  for (unsigned index = 0; index < kMaxThreadCaches; ++index) {
    const ThreadCache& cache = thread_caches[index];
    for (unsigned cached_class = 0; cached_class < kCachedClasses; ++cached_class) {
      std::uint32_t slot = cache.own[cached_class];
      if (slot == kNoSlot) continue;
      if (!cache.in_use || !ThreadCacheAccess::owned_mini_page(core, slot, cached_class)) {
        problem("thread cache %u (held %d) owns slot %u as a MiniPage of class %u", index,
                cache.in_use, slot, kFirstCachedClass + cached_class);
      } else {
        ThreadCacheAccess::set_owned_flag(core, slot, false);
      }
    }
  }
  struct Unowned {
    Findings* problem;
    const HeapCore* core;
  } unowned{&problem, &core};
  core.walk(
      [](const SpanView& span, void* context) {
        auto& found = *static_cast<Unowned*>(context);
        if (span.owned) {
          (*found.problem)("MiniPage at slot %u is flagged as owned, and no thread cache owns it",
                           ThreadCacheAccess::slot_of(*found.core, span.start));
        }
      },
      &unowned);
  for (const ThreadCache& cache : thread_caches) {
    for (unsigned cached_class = 0; cached_class < kCachedClasses; ++cached_class) {
      std::uint32_t slot = cache.own[cached_class];
      if (slot != kNoSlot && cache.in_use &&
          ThreadCacheAccess::mini_page_of_class(core, slot, cached_class)) {
        ThreadCacheAccess::set_owned_flag(core, slot, true);
      }
    }
  }
  std::size_t orphans = core.stats().cached_blocks;
  if (orphans != 0) {
    problem("%u Segments marked cached are in no thread cache", static_cast<unsigned>(orphans));
  }
}

}  // namespace alligator::detail

#endif  // ALLIGATOR_THREAD_CACHE
