// Operations: each calls the heap (through MallocFamily for the C functions, Heap for new and
// delete), hands the observation to the model, checks the C contract, keeps the executor's
// record of live blocks and their patterns, then runs the whole-heap checks.
#include "executor_state.hpp"
#include "pattern.hpp"

#include <cerrno>
#include <limits>
#include <utility>
#include <sstream>

namespace alligator::properties {
namespace {

// What a call requested, for the policy-free growth check: a small request's result slot too.
policy_free::Request requested(std::size_t size, std::size_t alignment, const void* result,
                               const std::byte* base) {
  policy_free::Request request{policy_free::slots_for(size, alignment), result != nullptr, {}, {}};
  if (result != nullptr && policy_free::is_small(size, alignment)) {
    request.small_result_slot = static_cast<std::size_t>(
        (reinterpret_cast<std::uintptr_t>(result) - reinterpret_cast<std::uintptr_t>(base)) /
        model::kSlotBytes);
  }
  return request;
}

void record_error(HeapError error, const void* pointer, void* context) {
  static_cast<Executor::State*>(context)->errors.emplace_back(error, pointer);
}

model::Error to_model(HeapError error) {
  switch (error) {
    case HeapError::invalid_pointer: return model::Error::invalid_pointer;
    case HeapError::double_free: return model::Error::double_free;
    case HeapError::size_mismatch: return model::Error::size_mismatch;
  }
  return model::Error::none;
}

std::string id_name(std::uint32_t id) { return "b" + std::to_string(id); }

bool is_power_of_two(std::size_t value) { return value != 0 && (value & (value - 1)) == 0; }

// A request that returned null: SIZE_MAX-relative sizes are bad input, the rest ran out of memory.
Event failed_request(const Operation& op) {
  return op.size.from_max || op.count.from_max ? Event::size_max : Event::out_of_memory;
}

// One heap call in progress: what must be observed around it.
class Call {
 public:
  explicit Call(Executor::State& state)
      : state_(state), refused_before_(state.memory.refused_count()) {
    state.errors.clear();
    errno = 0;
  }

  // What happened, for the model. More than one reported error is a problem of its own.
  model::Outcome outcome(const void* result, std::string& problem) const {
    model::Outcome seen;
    seen.result = reinterpret_cast<std::uintptr_t>(result);
    seen.base = reinterpret_cast<std::uintptr_t>(state_.memory.base());
    seen.pages = state_.memory.pages();
    seen.refused = state_.memory.refused_count() - refused_before_;
    if (!state_.errors.empty()) {
      seen.error = to_model(state_.errors.front().first);
      switch (seen.error) {
        case model::Error::double_free: state_.count(Event::double_free); break;
        case model::Error::invalid_pointer: state_.count(Event::invalid_pointer); break;
        case model::Error::size_mismatch: state_.count(Event::size_mismatch); break;
        case model::Error::none: break;
      }
    }
    if (state_.errors.size() > 1) {
      problem = "the heap reported " + std::to_string(state_.errors.size()) + " errors for one call";
    }
    return seen;
  }

 private:
  Executor::State& state_;
  std::size_t refused_before_;
};

}  // namespace

Executor::State::State(std::size_t memory_bytes)
    : memory(memory_bytes / kWasmPageSize * kWasmPageSize, memory_bytes % kWasmPageSize),
      heap(memory),
      family(heap.core()),
      model(memory_bytes / kWasmPageSize * kWasmPageSize) {
  heap.set_error_handler(&record_error, this);
}

Executor::Executor(std::size_t memory_bytes)
    : memory_bytes_(memory_bytes), state_(std::make_unique<State>(memory_bytes)) {}

Executor::~Executor() = default;

const model::HeapModel& Executor::model() const { return state_->model; }
const EventCounts& Executor::events() const { return state_->events; }

const char* to_string(Event event) {
  switch (event) {
    case Event::table_moved: return "table_moved";
    case Event::grew_in_place: return "grew_in_place";
    case Event::shrank_in_place: return "shrank_in_place";
    case Event::retired_mini_pages: return "retired_mini_pages";
    case Event::retired_spare_spans: return "retired_spare_spans";
    case Event::out_of_memory: return "out_of_memory";
    case Event::aligned_above_2k: return "aligned_above_2k";
    case Event::double_free: return "double_free";
    case Event::invalid_pointer: return "invalid_pointer";
    case Event::size_mismatch: return "size_mismatch";
    case Event::bad_alignment: return "bad_alignment";
    case Event::calloc_overflow: return "calloc_overflow";
    case Event::size_max: return "size_max";
    case Event::generous_growth: return "generous_growth";
    case Event::exact_retry: return "exact_retry";
  }
  return "?";
}
const Heap<SimulatedMemory>& Executor::heap() const { return state_->heap; }

bool Executor::block_live(std::uint32_t id) const {
  auto it = state_->blocks.find(id);
  return it != state_->blocks.end() && it->second.live;
}

std::vector<std::uint32_t> Executor::live_ids() const {
  std::vector<std::uint32_t> ids;
  for (const auto& [address, live] : state_->live) ids.push_back(live.id);
  return ids;
}

std::uint32_t Executor::unused_id() const {
  return state_->blocks.empty() ? 1 : state_->blocks.rbegin()->first + 1;
}

Trace Executor::trace() const {
  Trace trace;
  trace.memory_bytes = memory_bytes_;
  trace.operations = history_;
  return trace;
}

namespace {

// The work of one operation, against the executor's state. Every function returns a problem
// (empty: fine) and sets `executed` unless it skipped.
class Runner {
 public:
  Runner(Executor::State& state) : s_(state) {}

  std::string run(const Operation& op);
  std::string expect(const Operation& op);
  std::size_t executed = 0;
  std::string note;  // what happened, for replay's --verbose

 private:
  TrackedBlock* live_block(std::uint32_t id) {
    auto it = s_.blocks.find(id);
    return it != s_.blocks.end() && it->second.live ? &it->second : nullptr;
  }
  // An address as the traces write it: its offset from the simulated memory's base.
  std::string heap_offset(std::uintptr_t address) const {
    return "heap+" + std::to_string(address - reinterpret_cast<std::uintptr_t>(s_.memory.base()));
  }
  void describe(const void* result, const model::Outcome& seen) {
    std::string text = result == nullptr
                           ? std::string("null")
                           : heap_offset(reinterpret_cast<std::uintptr_t>(result));
    if (seen.error != model::Error::none) text = std::string("reported ") + model::to_string(seen.error);
    note += (note.empty() ? "" : ", ") + text;
  }
  std::string verdict(const model::Verdict& verdict, const std::string& problem) {
    if (!problem.empty()) return problem;
    return verdict.problem;
  }

  std::string allocate(const Operation& op, std::uint32_t id);
  std::string calloc(const Operation& op);
  std::string realloc(const Operation& op);
  std::string aligned(const Operation& op);
  std::string deallocate(const Operation& op);
  std::string free_one(std::uint32_t id);
  std::string free_address(std::uintptr_t address, const char* what);
  std::string fill(std::uint32_t id);
  std::string usable(const Operation& op);
  std::string trim();

  // A new live block `id` at `result`: alignment, extent, usable size, then a fresh pattern.
  std::string admit(std::uint32_t id, void* result, std::size_t size, std::size_t alignment);
  // The after-step checks, with the walk taken before any fill.
  std::string after(std::optional<std::uint64_t> fingerprint = std::nullopt) {
    ++executed;
    return s_.check_heap(fingerprint);
  }

  Executor::State& s_;
  std::optional<std::uint64_t> fingerprint_;  // the walk before this step's fills
};

std::string Runner::run(const Operation& op) {
  switch (op.code) {
    case OpCode::malloc:
    case OpCode::new_block:
      return allocate(op, op.id);
    case OpCode::malloc_range:
      for (std::uint32_t id : op.range()) {
        if (auto problem = allocate(op, id); !problem.empty()) {
          return id_name(id) + " of the range: " + problem;
        }
      }
      return {};
    case OpCode::calloc: return calloc(op);
    case OpCode::realloc:
    case OpCode::realloc_null:
    case OpCode::reallocate: return realloc(op);
    case OpCode::aligned_alloc:
    case OpCode::posix_memalign:
    case OpCode::memalign: return aligned(op);
    case OpCode::delete_block: return deallocate(op);
    case OpCode::free: return free_one(op.id);
    case OpCode::free_range:
      for (std::uint32_t id : op.range()) {
        if (auto problem = free_one(id); !problem.empty()) {
          return id_name(id) + " of the range: " + problem;
        }
      }
      return {};
    case OpCode::free_interior: {
      TrackedBlock* block = live_block(op.id);
      if (!block || op.offset == 0 || op.offset >= block->usable) return {};
      return free_address(block->address + op.offset, "an interior pointer");
    }
    case OpCode::free_heap: {
      auto base = reinterpret_cast<std::uintptr_t>(s_.memory.base());
      // Skipped where the address would wrap: below 0 or past the address space.
      const bool below = op.offset > std::numeric_limits<std::int64_t>::max();
      const std::uint64_t distance = below ? 0 - op.offset : op.offset;
      if (base == 0 || (below ? distance >= base
                              : distance > std::numeric_limits<std::uintptr_t>::max() - base)) {
        return {};
      }
      std::uintptr_t address = below ? base - static_cast<std::uintptr_t>(distance)
                                     : base + static_cast<std::uintptr_t>(distance);
      if (s_.model.block_at(address)) return {};
      return free_address(address, "a heap address");
    }
    case OpCode::free_null: return free_address(0, "null");
    case OpCode::free_again: {
      auto it = s_.blocks.find(op.id);
      if (it == s_.blocks.end() || it->second.live || s_.model.block_at(it->second.address)) {
        return {};
      }
      return free_address(it->second.address, "a freed block's address");
    }
    case OpCode::fill: return fill(op.id);
    case OpCode::usable:
    case OpCode::usable_null: return usable(op);
    case OpCode::refuse_grows:
      s_.memory.refuse_next_grows(static_cast<std::size_t>(op.grows));
      s_.model.refuse_next_grows(static_cast<std::size_t>(op.grows));
      return after();
    case OpCode::trim: return trim();
    case OpCode::expect: return expect(op);
  }
  return "unknown operation";
}

// An expectation the trace states about the state so far: a failed one fails the step.
std::string Runner::expect(const Operation& op) {
  auto known = [&](std::uint32_t id) -> const TrackedBlock* {
    auto it = s_.blocks.find(id);
    return it == s_.blocks.end() ? nullptr : &it->second;
  };
  const TrackedBlock* block = known(op.id);
  const std::string failed = "expectation failed: " + format(op) + ": ";
  switch (op.expect) {
    case Expect::same:
    case Expect::differ: {
      const TrackedBlock* other = known(op.last);
      if (!block || !other) {
        return failed + id_name(block ? op.last : op.id) + " never had an address";
      }
      if ((block->address == other->address) != (op.expect == Expect::same)) {
        return failed + heap_offset(block->address) + " and " + heap_offset(other->address);
      }
      return {};
    }
    case Expect::null:
      if (block && block->live) return failed + id_name(op.id) + " is live";
      return {};
    case Expect::live:
      if (!block || !block->live) return failed + id_name(op.id) + " holds no block";
      return {};
    case Expect::pages:
      // The real memory, not the model: the trace states what the program would see.
      if (s_.memory.pages() != op.grows) {
        return failed + "the memory is " + std::to_string(s_.memory.pages()) + " pages";
      }
      return {};
    case Expect::nothing_lost:
    case Expect::no_growth: break;  // the end of a case: Executor::run runs them
  }
  return failed + "unknown expectation";
}

std::string Runner::allocate(const Operation& op, std::uint32_t id) {
  if (s_.blocks.count(id)) return "the trace reuses the id " + id_name(id);
  const std::size_t size = op.size.resolve();
  const bool is_new = op.code == OpCode::new_block;
  const std::size_t alignment = is_new ? static_cast<std::size_t>(op.alignment) : 1;
  Call call(s_);
  void* result = is_new ? s_.heap.allocate(size, alignment) : s_.family.malloc(size);
  int error = errno;
  std::string problem;
  auto seen = call.outcome(result, problem);
  describe(result, seen);
  s_.request = requested(size, alignment, result, s_.memory.base());
  if (auto bad = verdict(s_.model.allocate(size, alignment, seen), problem); !bad.empty()) {
    return bad;
  }
  // operator new's contract: a block, or std::bad_alloc (a null from the heap) when out of
  // memory; the C contract: NULL with ENOMEM.
  if (!is_new && result == nullptr && error != ENOMEM) return "malloc returned NULL without ENOMEM";
  if (result == nullptr) s_.count(failed_request(op));
  if (result != nullptr) {
    if (alignment > 2048) s_.count(Event::aligned_above_2k);
    if (auto bad = admit(id, result, size, alignment); !bad.empty()) return bad;
  }
  return after(std::exchange(fingerprint_, std::nullopt));
}

std::string Runner::calloc(const Operation& op) {
  if (s_.blocks.count(op.id)) return "the trace reuses the id " + id_name(op.id);
  const std::size_t count = op.count.resolve();
  const std::size_t size = op.size.resolve();
  const bool overflows = size != 0 && count > std::numeric_limits<std::size_t>::max() / size;
  Call call(s_);
  void* result = s_.family.calloc(count, size);
  int error = errno;
  std::string problem;
  auto seen = call.outcome(result, problem);
  describe(result, seen);
  if (!problem.empty()) return problem;
  if (overflows) {
    // No heap call at all: the product does not exist.
    s_.count(Event::calloc_overflow);
    if (result != nullptr || error != ENOMEM) return "calloc whose size overflows must give NULL and ENOMEM";
    if (seen.pages != s_.model.pages()) return "calloc whose size overflows grew the memory";
    return after();
  }
  s_.request = requested(count * size, 1, result, s_.memory.base());
  if (auto bad = s_.model.allocate(count * size, 1, seen).problem; !bad.empty()) return bad;
  if (result == nullptr) {
    if (error != ENOMEM) return "calloc returned NULL without ENOMEM";
    s_.count(failed_request(op));
    return after();
  }
  if (auto at = Pattern::first_nonzero(static_cast<std::byte*>(result), count * size)) {
    return "calloc's block is not zero at byte " + std::to_string(*at);
  }
  if (auto bad = admit(op.id, result, count * size, 1); !bad.empty()) return bad;
  return after(std::exchange(fingerprint_, std::nullopt));
}

// realloc (C's contract: errno) and Heap::reallocate (an alignment, no errno).
std::string Runner::realloc(const Operation& op) {
  const std::size_t size = op.size.resolve();
  const bool is_heap_call = op.code == OpCode::reallocate;
  const std::size_t alignment = is_heap_call ? static_cast<std::size_t>(op.alignment) : 1;
  TrackedBlock* old = nullptr;
  if (op.code != OpCode::realloc_null) {
    old = live_block(op.id);
    if (!old) return {};
  } else if (s_.blocks.count(op.id)) {
    return "the trace reuses the id " + id_name(op.id);
  }
  const std::uintptr_t old_address = old ? old->address : 0;
  Call call(s_);
  void* result = is_heap_call
                     ? s_.heap.reallocate(reinterpret_cast<void*>(old_address), size, alignment)
                     : s_.family.realloc(reinterpret_cast<void*>(old_address), size);
  int error = errno;
  std::string problem;
  auto seen = call.outcome(result, problem);
  describe(result, seen);
  if (!old || size != 0) {
    s_.request = requested(size, alignment, result, s_.memory.base());
    if (old && reinterpret_cast<std::uintptr_t>(result) == old_address) {
      s_.request->in_place_first =
          (old_address - reinterpret_cast<std::uintptr_t>(s_.memory.base())) / model::kSlotBytes;
    }
  }
  if (auto bad = verdict(s_.model.reallocate(old_address, size, alignment, seen), problem);
      !bad.empty()) {
    return bad;
  }
  if (old) s_.touched.push_back(old->address);
  if (old && size == 0) {
    // Freed; realloc(p, 0) returns NULL and leaves errno alone.
    if (!is_heap_call && error != 0) return "realloc(p, 0) set errno " + std::to_string(error);
    s_.live.erase(old->address);
    old->live = false;
    return after();
  }
  if (result == nullptr) {
    if (!is_heap_call && error != ENOMEM) return "realloc returned NULL without ENOMEM";
    s_.count(failed_request(op));
    return after();  // the old block, untouched, is checked with the others
  }
  if (old && old_address == reinterpret_cast<std::uintptr_t>(result) &&
      seen.pages > s_.pages_before) {
    s_.count(Event::grew_in_place);
  }
  // (Only a small block stays at a size at most its usable one.)
  const auto new_class = s_.model.classes().class_for(size, alignment);
  if (old && old_address == reinterpret_cast<std::uintptr_t>(result) &&
      old->usable <= model::kLargestSmallBytes && size < old->usable && new_class &&
      s_.model.classes().size(*new_class) < old->usable) {
    s_.count(Event::shrank_in_place);
  }
  if (old) {
    // min(old usable, new size) bytes carried over, wherever the block now is.
    std::size_t kept = old->usable < size ? old->usable : size;
    if (auto at = Pattern::first_difference(static_cast<std::byte*>(result), kept, old->phase)) {
      return "realloc lost the block's contents at byte " + std::to_string(*at) + " of the " +
             std::to_string(kept) + " it must keep";
    }
    s_.live.erase(old->address);
    old->live = false;
    s_.blocks.erase(op.id);
  }
  if (auto bad = admit(op.id, result, size, alignment); !bad.empty()) return bad;
  return after(std::exchange(fingerprint_, std::nullopt));
}

std::string Runner::aligned(const Operation& op) {
  if (s_.blocks.count(op.id)) return "the trace reuses the id " + id_name(op.id);
  const std::size_t size = op.size.resolve();
  const auto alignment = static_cast<std::size_t>(
      op.alignment > std::numeric_limits<std::size_t>::max() ? 0 : op.alignment);
  const bool posix = op.code == OpCode::posix_memalign;
  const bool valid = posix ? is_power_of_two(alignment) && alignment % sizeof(void*) == 0
                           : is_power_of_two(alignment);
  Call call(s_);
  void* const untouched = reinterpret_cast<void*>(std::uintptr_t{0x5a5a5a5a});
  void* result = nullptr;
  int code = 0;
  int error = 0;
  if (posix) {
    void* out = untouched;
    code = s_.family.posix_memalign(&out, alignment, size);
    result = code == 0 ? out : nullptr;
    if (code != 0 && out != untouched) return "posix_memalign wrote *memptr on failure";
  } else {
    result = op.code == OpCode::memalign ? s_.family.memalign(alignment, size)
                                         : s_.family.aligned_alloc(alignment, size);
    error = errno;
  }
  std::string problem;
  auto seen = call.outcome(result, problem);
  describe(result, seen);
  if (!problem.empty()) return problem;
  if (!valid) {
    if (result != nullptr) return "an invalid alignment " + std::to_string(alignment) + " gave a block";
    if (posix ? code != EINVAL : error != EINVAL) return "an invalid alignment must give EINVAL";
    if (seen.pages != s_.model.pages()) return "an invalid alignment grew the memory";
    s_.count(Event::bad_alignment);
    return after();
  }
  s_.request = requested(size, alignment, result, s_.memory.base());
  if (auto bad = s_.model.allocate(size, alignment, seen).problem; !bad.empty()) return bad;
  if (result == nullptr) {
    if (posix ? code != ENOMEM : error != ENOMEM) return "no memory must give ENOMEM";
    s_.count(failed_request(op));
    return after();
  }
  if (alignment > 2048) s_.count(Event::aligned_above_2k);
  if (posix && code != 0) return "posix_memalign returned " + std::to_string(code) + " with a block";
  if (auto bad = admit(op.id, result, size, alignment); !bad.empty()) return bad;
  return after(std::exchange(fingerprint_, std::nullopt));
}

std::string Runner::deallocate(const Operation& op) {
  TrackedBlock* block = live_block(op.id);
  if (!block) return {};
  const std::size_t size = op.size.resolve();
  const auto alignment = static_cast<std::size_t>(op.alignment);
  Call call(s_);
  s_.heap.deallocate(reinterpret_cast<void*>(block->address), size, alignment);
  std::string problem;
  auto seen = call.outcome(nullptr, problem);
  note = seen.error == model::Error::none ? "freed" : std::string("reported ") + model::to_string(seen.error);
  if (auto bad = verdict(s_.model.deallocate_sized(block->address, size, alignment, seen), problem);
      !bad.empty()) {
    return bad;
  }
  if (seen.error == model::Error::none) {
    s_.touched.push_back(block->address);
    s_.live.erase(block->address);
    block->live = false;
  }
  return after();
}

std::string Runner::free_one(std::uint32_t id) {
  TrackedBlock* block = live_block(id);
  if (!block) return {};
  Call call(s_);
  s_.family.free(reinterpret_cast<void*>(block->address));
  std::string problem;
  auto seen = call.outcome(nullptr, problem);
  note = "freed";
  if (auto bad = verdict(s_.model.deallocate(block->address, seen), problem); !bad.empty()) {
    return bad;
  }
  s_.live.erase(block->address);
  s_.touched.push_back(block->address);
  block->live = false;
  return after();
}

std::string Runner::free_address(std::uintptr_t address, const char* what) {
  Call call(s_);
  s_.family.free(reinterpret_cast<void*>(address));
  std::string problem;
  auto seen = call.outcome(nullptr, problem);
  note = seen.error == model::Error::none ? "nothing reported" : std::string("reported ") + model::to_string(seen.error);
  if (auto bad = verdict(s_.model.deallocate(address, seen), problem); !bad.empty()) {
    return std::string("freeing ") + what + ": " + bad;
  }
  return after();
}

std::string Runner::fill(std::uint32_t id) {
  TrackedBlock* block = live_block(id);
  if (!block) return {};
  fingerprint_ = s_.walk_fingerprint();
  block->phase = s_.next_phase++ * 7919 % Pattern::kPeriod;
  Pattern::write(reinterpret_cast<std::byte*>(block->address), block->usable, block->phase);
  s_.touched.push_back(block->address);
  return after(std::exchange(fingerprint_, std::nullopt));
}

std::string Runner::usable(const Operation& op) {
  TrackedBlock* block = nullptr;
  if (op.code == OpCode::usable) {
    block = live_block(op.id);
    if (!block) return {};
  }
  const std::uintptr_t address = block ? block->address : 0;
  Call call(s_);
  std::size_t usable = s_.family.malloc_usable_size(reinterpret_cast<void*>(address));
  std::string problem;
  auto seen = call.outcome(nullptr, problem);
  note = std::to_string(usable);
  if (auto bad = verdict(s_.model.usable_size(address, usable, seen), problem); !bad.empty()) {
    return bad;
  }
  return after();
}

std::string Runner::trim() {
  Call call(s_);
  const bool trimmed = s_.heap.trim();
  std::string problem;
  auto seen = call.outcome(nullptr, problem);
  note = trimmed ? "true" : "false";
  if (auto bad = verdict(s_.model.trim(trimmed, seen), problem); !bad.empty()) return bad;
  return after();
}

std::string Runner::admit(std::uint32_t id, void* result, std::size_t size,
                          std::size_t alignment) {
  const auto address = reinterpret_cast<std::uintptr_t>(result);
  const std::size_t natural = s_.model.classes().natural_alignment(size);
  if (address % natural != 0) {
    return "the block is not aligned to " + std::to_string(natural) +
           " (min(alignof(max_align_t), largest power of two <= size))";
  }
  if (alignment > 1 && address % alignment != 0) {
    return "the block is not aligned to the requested " + std::to_string(alignment);
  }
  auto block = s_.model.block_at(address);
  if (!block) return "the model has no live block where the heap returned one";
  if (block->usable < size) return "the block's usable size is below the request";
  // usable_size agrees with the model.
  {
    Call call(s_);
    std::size_t usable = s_.heap.usable_size(result);
    std::string problem;
    auto seen = call.outcome(nullptr, problem);
    if (auto bad = verdict(s_.model.usable_size(address, usable, seen), problem); !bad.empty()) {
      return bad;
    }
  }
  // Apart from every other live block.
  auto next = s_.live.lower_bound(address);
  if (next != s_.live.end() && next->first < address + block->usable) {
    return "the block overlaps live " + id_name(next->second.id);
  }
  if (next != s_.live.begin()) {
    auto before = std::prev(next);
    if (before->first + before->second.block->usable > address) {
      return "the block overlaps live " + id_name(before->second.id);
    }
  }
  // Writing all of it must not disturb the heap: the walk is taken now and compared after.
  fingerprint_ = s_.walk_fingerprint();
  TrackedBlock tracked;
  tracked.address = address;
  tracked.usable = block->usable;
  tracked.phase = s_.next_phase++ * 7919 % Pattern::kPeriod;
  tracked.live = true;
  Pattern::write(static_cast<std::byte*>(result), tracked.usable, tracked.phase);
  s_.touched.push_back(address);
  TrackedBlock& stored = s_.blocks[id] = tracked;
  s_.live[address] = Executor::State::LiveBlock{id, &stored};
  return {};
}

}  // namespace

std::string Executor::request_without_growth(std::size_t size) {
  State& s = *state_;
  const std::size_t pages = s.memory.pages();
  const std::size_t refused = s.memory.refused_count();
  s.errors.clear();
  void* block = s.family.malloc(size);
  const std::string what = "after every block was freed, malloc(" + std::to_string(size) + ")";
  if (block == nullptr) return what + " failed";
  if (s.memory.pages() != pages || s.memory.refused_count() != refused) {
    return what + " grew the memory (or asked to) from " + std::to_string(pages) + " page(s)";
  }
  s.family.free(block);
  if (!s.errors.empty()) return what + ": freeing the block reported an error";
  return {};
}

std::string Executor::release_all(std::size_t& free_slots) {
  State& s = *state_;
  released_ = true;
  free_slots = 0;
  s.errors.clear();
  for (const auto& [address, live] : s.live) s.family.free(reinterpret_cast<void*>(address));
  s.live.clear();
  for (auto& [id, block] : s.blocks) block.live = false;
  if (!s.errors.empty()) return "freeing every live block reported an error";
  HeapStats stats = s.heap.stats();
  if (stats.live_blocks != 0 || stats.bytes_in_use != 0) {
    return "after every block was freed, stats() shows " + std::to_string(stats.live_blocks) +
           " live block(s), " + std::to_string(stats.bytes_in_use) + " bytes in use";
  }
  if (stats.wasm_pages == 0) return {};
  // Slot 0 and the table, from the walk: the first and the last span.
  const auto base = reinterpret_cast<std::uintptr_t>(s.memory.base());
  auto spans = [&] {
    std::vector<std::pair<SpanKind, std::pair<std::size_t, std::size_t>>> list;
    s.heap.walk([&](const SpanView& span) {
      list.push_back({span.kind, {(reinterpret_cast<std::uintptr_t>(span.start) - base) / model::kSlotBytes,
                                  span.bytes / model::kSlotBytes}});
    });
    return list;
  };
  auto before = spans();
  if (before.size() < 2 || before.front().first != SpanKind::metadata ||
      before.front().second != std::pair<std::size_t, std::size_t>{0, 1} ||
      before.back().first != SpanKind::metadata) {
    return "the walk does not start with slot 0 and end with the table";
  }
  free_slots = before.back().second.first - 1;
  if (free_slots == 0) return {};
  // Every slot between slot 0 and the table, at once: retiring makes it one span.
  if (auto problem = request_without_growth(free_slots * model::kSlotBytes); !problem.empty()) {
    return problem + " (every slot between slot 0 and the table)";
  }
  auto after = spans();
  if (after.size() != 3 || after[1].first != SpanKind::free ||
      after[1].second != std::pair<std::size_t, std::size_t>{1, free_slots}) {
    return "after every block was freed and kept memory retired, the slots between slot 0 and "
           "the table are not one free span:\n" + s.describe_heap();
  }
  if (s.heap.stats().free_bytes != free_slots * model::kSlotBytes) {
    return "after every block was freed and kept memory retired, stats().free_bytes is " +
           std::to_string(s.heap.stats().free_bytes) + ", the free span has " +
           std::to_string(free_slots * model::kSlotBytes);
  }
  return {};
}

StepVerdict Executor::run(const Operation& operation) {
  history_.push_back(operation);
  if (failed_) return {false, "the executor already failed", {}};
  const bool ends_case = operation.code == OpCode::expect &&
                         (operation.expect == Expect::nothing_lost ||
                          operation.expect == Expect::no_growth);
  if (released_ && !(ends_case && operation.expect == Expect::no_growth)) {
    return {false, "the executor released every block: the model no longer follows", {}};
  }
  Runner runner(*state_);
  state_->request.reset();
  std::string problem;
  if (!ends_case) {
    problem = runner.run(operation);
  } else if (operation.expect == Expect::nothing_lost) {
    // The policy-free end of a property case, as a trace line, so its failures replay.
    problem = release_all(free_slots_);
    runner.executed = 1;
  } else if (!released_) {
    problem = "expect no_growth comes only after expect nothing_lost";
  } else {
    problem = request_without_growth(operation.size.resolve());
    runner.executed = 1;
  }
  if (ends_case && !problem.empty()) problem = "nothing lost (policy-free): " + problem;
  operations_ += runner.executed;
  if (runner.executed == 0 && problem.empty()) runner.note = "skipped: no such live block";
  if (problem.empty()) return {true, {}, runner.note};
  failed_ = true;
  std::ostringstream message;
  message << "step " << history_.size() << " '" << format(operation) << "': " << problem << "\n"
          << state_->model.describe() << state_->describe_heap();
  return {false, message.str(), {}};
}

}  // namespace alligator::properties
