// thread_stress: the process heap used from several threads at once, through liballigator's C
// entry points. Run under a race detector (host: ThreadSanitizer; memcheck: helgrind), or with
// its own checks alone (i686; wasm, as a -pthread program under Node), where corruption shows as
// a failed content check or an unhealthy heap.
//
//   phase 1  kWorkers threads, each running a random sequence of malloc, calloc, aligned_alloc,
//            alligator_alloc, realloc, alligator_realloc, free and alligator_dealloc on its own
//            blocks; every block carries a pattern that is checked before it is resized or freed
//            (one in four starts with a thread cache's key: the heap must search that cache)
//   phase 2  producer/consumer: producers allocate and fill blocks, consumers (other threads)
//            check them, sometimes reallocate them, and free them
//            (wasm: meanwhile the main thread validates the heap through global_heap() under an
//            alligator::ProcessHeapGuard, which must keep the other threads out)
//   phase 3  threads that exit while the lock is contended: rounds of kChurnWorkers short-lived
//            threads on own blocks, while one more thread runs alligator_validate() (a whole heap
//            walk under the lock), malloc_trim (which gives back the empty MiniPages the other
//            threads' caches own) and mallinfo (a walk under every cache's lock too) until they
//            are joined. A thread's exit path frees its TLS and
//            then frees more, so a lock whose waiting touched the thread's TLS corrupts a block
//            here (wasm, Emscripten's sched_yield did)
//   tail     (wasm) a thread with a cache frees a pointer into the unused tail of a cached
//            class's MiniPage: the cache turns it away and the heap reports an invalid pointer
//            at that address (wasm32's classes step by 8 and leave such tails; the host's by 16
//            leave none in cached classes)
//   end      alligator_validate() finds no broken invariant
//
// Usage: thread_stress [scale]   scale multiplies the operation counts (default 1); a slow
// checker (helgrind) runs a smaller scale. Prints "thread_stress: passed" and exits 0, or names
// the first failure and exits 1.
//
// Host builds reach the malloc family through dlsym on liballigatorc.so's own handle: under
// ThreadSanitizer the process's malloc is the sanitizer's, and under Valgrind the tool's.
#include <alligator/alligator.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include <malloc.h>

#if defined(__EMSCRIPTEN__)
#include <alligator/global_heap.hpp>
// Emscripten's <malloc.h> declares mallinfo, not malloc_trim.
extern "C" int malloc_trim(std::size_t pad);
#else
#include <dlfcn.h>
#endif

namespace {

constexpr unsigned kWorkers = 4;
constexpr unsigned kProducers = 2;
constexpr unsigned kConsumers = 2;
constexpr std::size_t kSlotsPerWorker = 128;
constexpr unsigned kChurnWorkers = 3;  // plus the validating thread: Emscripten's pool holds 4
constexpr unsigned kChurnRounds = 40;

// The entry points under test.
struct MallocFamily {
  void* (*malloc)(std::size_t);
  void (*free)(void*);
  void* (*calloc)(std::size_t, std::size_t);
  void* (*realloc)(void*, std::size_t);
  void* (*aligned_alloc)(std::size_t, std::size_t);
  std::size_t (*malloc_usable_size)(void*);
  int (*malloc_trim)(std::size_t);
  struct mallinfo (*mallinfo)();
};
MallocFamily api;

std::atomic<bool> failed{false};

void fail(const char* what, unsigned thread) {
  if (!failed.exchange(true)) std::fprintf(stderr, "thread_stress: FAIL: %s (thread %u)\n", what, thread);
}

#if defined(__EMSCRIPTEN__)
bool find_api() {
  api = {&::malloc,        &::free,
         &::calloc,        &::realloc,
         &::aligned_alloc, &::malloc_usable_size,
         &::malloc_trim,   &::mallinfo};
  return true;
}
#else
template <class Function>
bool find(void* library, const char* name, Function& function) {
  function = reinterpret_cast<Function>(dlsym(library, name));
  return function != nullptr;
}
bool find_api() {
  Dl_info info;
  if (dladdr(reinterpret_cast<void*>(&alligator_validate), &info) == 0) return false;
  void* library = dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD);
  return library != nullptr && find(library, "malloc", api.malloc) &&
         find(library, "free", api.free) && find(library, "calloc", api.calloc) &&
         find(library, "realloc", api.realloc) &&
         find(library, "aligned_alloc", api.aligned_alloc) &&
         find(library, "malloc_usable_size", api.malloc_usable_size) &&
         find(library, "malloc_trim", api.malloc_trim) && find(library, "mallinfo", api.mallinfo);
}
#endif

struct Rng {
  std::uint64_t state;
  std::uint32_t next() {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return static_cast<std::uint32_t>(state >> 16);
  }
  std::size_t below(std::size_t bound) { return next() % bound; }
};

// Mostly small blocks (the MiniPage path), one in eight large (the span path).
std::size_t random_size(Rng& rng) {
  return rng.below(8) == 0 ? 2049 + rng.below(30000) : rng.below(600);
}

// One block in four starts with a word that is a thread cache's key (allocator/src/fast_path.hpp:
// 0xA11C0DE0A11C0DE0 plus a cache's index, on 32-bit targets its low half): its free, realloc
// and usable size then search that cache's stack under the heap's lock, while the cache's owner
// pushes and pops, as a program's data may make them do. A race detector sees that search.
constexpr std::uintptr_t kCacheKeyBase = static_cast<std::uintptr_t>(0xA11C0DE0A11C0DE0ULL);
std::uint8_t pattern(std::uint32_t tag, std::size_t i) {
  if (tag % 4 == 0 && i < sizeof(std::uintptr_t)) {
    std::uintptr_t key = kCacheKeyBase + (tag / 4) % 16;
    std::uint8_t bytes[sizeof key];
    std::memcpy(bytes, &key, sizeof key);
    return bytes[i];
  }
  return static_cast<std::uint8_t>(tag + i * 131 + (i >> 8));
}
void fill(void* block, std::size_t size, std::uint32_t tag) {
  auto* bytes = static_cast<std::uint8_t*>(block);
  for (std::size_t i = 0; i < size; ++i) bytes[i] = pattern(tag, i);
}
bool holds(const void* block, std::size_t size, std::uint32_t tag) {
  const auto* bytes = static_cast<const std::uint8_t*>(block);
  for (std::size_t i = 0; i < size; ++i) {
    if (bytes[i] != pattern(tag, i)) return false;
  }
  return true;
}

enum class Kind : std::uint8_t { malloc, layout };  // which API owns the block
struct Block {
  void* pointer = nullptr;
  std::size_t size = 0;
  std::size_t alignment = 1;
  std::uint32_t tag = 0;
  Kind kind = Kind::malloc;
};

void release(Block& block, unsigned thread) {
  if (!holds(block.pointer, block.size, block.tag)) fail("content changed before free", thread);
  if (block.kind == Kind::layout) {
    alligator_dealloc(block.pointer, block.size, block.alignment);
  } else {
    api.free(block.pointer);
  }
  block.pointer = nullptr;
}

bool allocate(Block& block, Rng& rng, unsigned thread) {
  block.size = random_size(rng);
  block.alignment = 1;
  block.kind = Kind::malloc;
  switch (rng.below(4)) {
    case 0:
      block.pointer = api.malloc(block.size);
      break;
    case 1:
      block.pointer = api.calloc(1, block.size);
      if (block.pointer != nullptr) {
        for (std::size_t i = 0; i < block.size; ++i) {
          if (static_cast<std::uint8_t*>(block.pointer)[i] != 0) {
            fail("calloc block not zero", thread);
            break;
          }
        }
      }
      break;
    case 2:
      block.alignment = std::size_t{1} << rng.below(13);
      block.pointer = api.aligned_alloc(block.alignment, block.size);
      break;
    default:
      block.alignment = std::size_t{1} << rng.below(13);
      block.kind = Kind::layout;
      block.pointer = alligator_alloc(block.size, block.alignment);
      break;
  }
  if (block.pointer == nullptr) return fail("allocation failed", thread), false;
  if (reinterpret_cast<std::uintptr_t>(block.pointer) % block.alignment != 0) {
    fail("block misaligned", thread);
  }
  if (block.kind == Kind::malloc && api.malloc_usable_size(block.pointer) < block.size) {
    fail("usable size below the request", thread);
  }
  block.tag = rng.next();
  fill(block.pointer, block.size, block.tag);
  return true;
}

// Resizes a block; its first min(old, new) bytes must survive.
bool resize(Block& block, Rng& rng, unsigned thread) {
  std::size_t new_size = random_size(rng) + 1;  // realloc(p, 0) frees: not this test's concern
  void* moved = block.kind == Kind::layout
                    ? alligator_realloc(block.pointer, block.size, block.alignment, new_size)
                    : api.realloc(block.pointer, new_size);
  if (moved == nullptr) return fail("realloc failed", thread), false;
  if (block.kind == Kind::malloc) block.alignment = 1;  // realloc keeps only natural alignment
  if (!holds(moved, block.size < new_size ? block.size : new_size, block.tag)) {
    fail("realloc lost content", thread);
  }
  if (reinterpret_cast<std::uintptr_t>(moved) % block.alignment != 0) {
    fail("realloc misaligned", thread);
  }
  block.pointer = moved;
  block.size = new_size;
  block.tag = rng.next();
  fill(block.pointer, block.size, block.tag);
  return true;
}

void own_blocks(unsigned thread, unsigned steps) {
  Rng rng{0x9e3779b97f4a7c15ULL * (thread + 1)};
  std::vector<Block> slots(kSlotsPerWorker);
  for (unsigned step = 0; step < steps && !failed; ++step) {
    Block& block = slots[rng.below(slots.size())];
    if (block.pointer == nullptr) {
      allocate(block, rng, thread);
    } else if (rng.below(3) == 0) {
      resize(block, rng, thread);
    } else {
      release(block, thread);
    }
  }
  for (Block& block : slots) {
    if (block.pointer != nullptr) release(block, thread);
  }
}

// A bounded queue of blocks between producers and consumers.
class Queue {
 public:
  void push(const Block& block) {
    std::unique_lock<std::mutex> lock(mutex_);
    room_.wait(lock, [&] { return blocks_.size() < kCapacity; });
    blocks_.push_back(block);
    ready_.notify_one();
  }
  // false once every producer is done and the queue is empty.
  bool pop(Block& block) {
    std::unique_lock<std::mutex> lock(mutex_);
    ready_.wait(lock, [&] { return !blocks_.empty() || producers_left_ == 0; });
    if (blocks_.empty()) return false;
    block = blocks_.front();
    blocks_.pop_front();
    room_.notify_one();
    return true;
  }
  void producer_done() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (--producers_left_ == 0) ready_.notify_all();
  }

 private:
  static constexpr std::size_t kCapacity = 64;
  std::mutex mutex_;
  std::condition_variable ready_, room_;
  std::deque<Block> blocks_;
  unsigned producers_left_ = kProducers;
};

void produce(Queue& queue, unsigned thread, unsigned items) {
  Rng rng{0xd1b54a32d192ed03ULL * (thread + 1)};
  for (unsigned i = 0; i < items && !failed; ++i) {
    Block block;
    if (allocate(block, rng, thread)) queue.push(block);
  }
  queue.producer_done();
}

void consume(Queue& queue, unsigned thread, std::atomic<unsigned>& consumed) {
  Rng rng{0x2545f4914f6cdd1dULL * (thread + 1)};
  Block block;
  while (queue.pop(block)) {
    if (rng.below(4) == 0) resize(block, rng, thread);
    release(block, thread);
    ++consumed;
  }
}

// Between two heap walks under the lock: the lock is not fair, and a thread that walks the heap
// back to back would starve the others (on wasm, whose waiters only spin, for seconds; under
// helgrind, which runs one thread at a time, for much longer). On wasm a busy pause keeps the
// lock contended most: phase 3 then failed 6 of 8 runs with the yielding lock, against 1 of 8
// when the pause sleeps. Elsewhere the pause sleeps, which lets helgrind's one thread change.
void pause_between_walks() {
#if defined(__EMSCRIPTEN__)
  for (volatile unsigned pause = 0; pause < 2000; pause = pause + 1) {
  }
#else
  std::this_thread::sleep_for(std::chrono::microseconds(20));
#endif
}

// Keeps the process heap's lock busy about half the time until told to stop.
void validate_until(const std::atomic<bool>& stop, std::atomic<unsigned>& validations) {
  while (!stop && !failed) {
    if (alligator_validate(nullptr, 0) != 0) fail("validate() found a problem mid-run", 0);
    api.malloc_trim(0);
    struct mallinfo info = api.mallinfo();
    if (info.arena <= 0 || info.uordblks < 0 || info.uordblks > info.arena) {
      fail("mallinfo mid-run is not a heap's", 0);
    }
    ++validations;
    pause_between_walks();
  }
}

}  // namespace

#if defined(__EMSCRIPTEN__)
struct Reported {
  alligator::HeapError error;
  const void* pointer;
  unsigned count;
};
void record_error(alligator::HeapError error, const void* pointer, void* context) {
  auto* reported = static_cast<Reported*>(context);
  reported->error = error;
  reported->pointer = pointer;
  ++reported->count;
}

// The tail phase: the first cached class (16 to 512 bytes) whose one-slot MiniPage leaves bytes
// after its last Segment; a thread's malloc of it claims the thread a cache, and its free of the
// tail goes through that cache first.
void free_into_a_tail() {
  unsigned size_class = 0;
  while (size_class < alligator::kClassCount &&
         !(alligator::class_size(size_class) >= 16 && alligator::class_size(size_class) <= 512 &&
           alligator::mini_page_slots(size_class) == 1 &&
           alligator::segments_per_mini_page(size_class) * alligator::class_size(size_class) <
               alligator::kMiniPageSize)) {
    ++size_class;
  }
  if (size_class == alligator::kClassCount) return fail("no cached class leaves a tail", 0);
  const std::size_t size = alligator::class_size(size_class);
  Reported reported{};
  alligator::global_heap().set_error_handler(record_error, &reported);
  std::byte* tail = nullptr;
  std::thread([&] {
    void* block = std::malloc(size);
    // One-slot MiniPages start on a 2 KiB boundary (every slot does).
    auto page = reinterpret_cast<std::uintptr_t>(block) & ~std::uintptr_t{2047};
    tail = reinterpret_cast<std::byte*>(page) +
           alligator::segments_per_mini_page(size_class) * size;
    std::free(tail);
    std::free(block);
  }).join();
  alligator::global_heap().set_error_handler(nullptr);
  if (reported.count != 1 || reported.error != alligator::HeapError::invalid_pointer ||
      reported.pointer != tail) {
    return fail("a free into a MiniPage's tail was not reported once as that invalid pointer", 0);
  }
  std::printf("thread_stress: a free of %p, the tail of a %zu-byte class's MiniPage, reported as "
              "an invalid pointer\n", static_cast<void*>(tail), size);
}
#endif

int main(int argc, char** argv) {
  unsigned scale = argc > 1 ? static_cast<unsigned>(std::atoi(argv[1])) : 1;
  if (scale == 0) scale = 1;
  if (!find_api()) {
    std::fprintf(stderr, "thread_stress: FAIL: liballigator's malloc family not found\n");
    return 1;
  }

  std::vector<std::thread> threads;
  for (unsigned thread = 0; thread < kWorkers; ++thread) {
    threads.emplace_back(own_blocks, thread, 4000 * scale);
  }
  for (std::thread& thread : threads) thread.join();
  threads.clear();

  Queue queue;
  std::atomic<unsigned> consumed{0};
  unsigned items = 2000 * scale;
  for (unsigned thread = 0; thread < kProducers; ++thread) {
    threads.emplace_back(produce, std::ref(queue), thread, items);
  }
  for (unsigned thread = 0; thread < kConsumers; ++thread) {
    threads.emplace_back(consume, std::ref(queue), kProducers + thread, std::ref(consumed));
  }
#if defined(__EMSCRIPTEN__)
  // Host builds reach the heap only through liballigatorc.so's C API, which hides the C++ one.
  unsigned validations = 0;
  while (consumed < kProducers * items && !failed) {
    {
      alligator::ProcessHeapGuard guard;
      if (alligator::global_heap().validate().problems != 0) {
        fail("validate() under ProcessHeapGuard found a problem mid-run", 0);
      }
    }
    ++validations;
    pause_between_walks();
  }
  std::printf("thread_stress: %u validations under ProcessHeapGuard while blocks changed hands\n",
              validations);
#endif
  for (std::thread& thread : threads) thread.join();
  threads.clear();
  if (!failed && consumed != kProducers * items) fail("a produced block was never consumed", 0);

  std::atomic<unsigned> churn_validations{0};
  for (unsigned round = 0; round < kChurnRounds && !failed; ++round) {
    std::atomic<bool> stop{false};
    std::thread validator(validate_until, std::cref(stop), std::ref(churn_validations));
    for (unsigned thread = 0; thread < kChurnWorkers; ++thread) {
      threads.emplace_back(own_blocks, kWorkers + round * kChurnWorkers + thread, 100 * scale);
    }
    for (std::thread& thread : threads) thread.join();
    threads.clear();
    stop = true;
    validator.join();
  }

#if defined(__EMSCRIPTEN__)
  if (!failed) free_into_a_tail();
#endif
  char message[160] = "";
  if (std::size_t problems = alligator_validate(message, sizeof message)) {
    std::fprintf(stderr, "thread_stress: FAIL: validate found %zu problems, first: %s\n", problems,
                 message);
    return 1;
  }
  if (failed) return 1;
  std::printf("thread_stress: passed (%u threads x %u operations on own blocks, %u blocks "
              "handed from %u producers to %u consumers, %u x %u threads exiting beside %u "
              "validations)\n",
              kWorkers, 4000 * scale, kProducers * items, kProducers, kConsumers, kChurnRounds,
              kChurnWorkers, churn_validations.load());
  return 0;
}
