// The property suites' commands, in RapidCheck's own shape:
//   - Plan is the plain model commands are generated from: which ids are (believed) live, their
//     sizes, which were freed. It cannot know whether an allocation will succeed (the heap may
//     be out of memory), so it believes they do; the executor skips operations on blocks that
//     turned out not to exist, which keeps every shrunk sequence meaningful.
//   - one small struct per command, deriving from rc::state::Command<Plan, Sut>; its arguments
//     are drawn from the Plan in its constructor, every precondition is in checkPreconditions
//     (RapidCheck replays commands against other states while shrinking), and show() prints the
//     command's trace line, so a shrunk failure reads as a trace.
//   - Sut wraps the Executor: it runs each command's Operation and fails the case with the
//     executor's message, writing the sequence so far to a trace file first. The last case
//     that fails is the shrunk one, so its trace is what the file holds at the end.
#pragma once

#include <alligator/properties/executor.hpp>
#include <alligator/properties/trace.hpp>

#include <rapidcheck.h>
#include <rapidcheck/state.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace alligator::properties {

// How a suite leans.
struct Profile {
  int large_weight = 2;          // share of large sizes, out of 10
  std::size_t max_pages = 128;   // the largest memory maximum, in wasm pages
  std::size_t min_pages = 0;     // if set, every memory maximum is at least this (in pages)
};

struct PlannedBlock {
  std::uint32_t id = 0;
  std::size_t size = 0;
  std::size_t alignment = 1;
};

// RapidCheck copies the Plan for every command it generates, so it is kept flat: sorted vectors,
// not node-based containers. Ids only grow: a command that allocates takes ids from next_id up,
// and its precondition (ids >= next_id) keeps ids unique when shrinking drops or regenerates
// commands before it.
struct Plan {
  static constexpr std::size_t kFreedKept = 64;  // freed ids remembered for free_again

  Profile profile;
  std::size_t memory_bytes = 0;  // the case's memory maximum, for commands that aim at it
  std::uint32_t next_id = 1;
  std::vector<PlannedBlock> live;     // by id
  std::vector<std::uint32_t> freed;   // the latest frees

  bool unused(std::uint32_t first) const { return first >= next_id; }
  const PlannedBlock* find(std::uint32_t id) const {
    auto it = std::lower_bound(live.begin(), live.end(), id,
                               [](const PlannedBlock& block, std::uint32_t key) { return block.id < key; });
    return it != live.end() && it->id == id ? &*it : nullptr;
  }
  bool is_live(std::uint32_t id) const { return find(id) != nullptr; }
  bool was_freed(std::uint32_t id) const {
    return std::find(freed.begin(), freed.end(), id) != freed.end();
  }
  void add(std::uint32_t id, std::size_t size, std::size_t alignment = 1) {
    live.push_back(PlannedBlock{id, size, alignment});  // ids only grow: stays sorted
    next_id = id + 1;
  }
  void skip(std::uint32_t id) { next_id = id + 1; }  // an id whose allocation surely fails
  void resize(std::uint32_t id, std::size_t size, std::size_t alignment = 1) {
    auto* block = const_cast<PlannedBlock*>(find(id));
    if (block) {
      block->size = size;
      block->alignment = alignment;
    }
  }
  void remove(std::uint32_t id) {
    const PlannedBlock* block = find(id);
    if (!block) return;
    live.erase(live.begin() + (block - live.data()));
    if (freed.size() == kFreedKept) freed.erase(freed.begin());
    freed.push_back(id);
  }
};

// Counts the operations and rare events every suite executes (printed per test by
// property_main.cpp, which holds them to their floors).
std::size_t& property_operations();
EventCounts& property_events();

// The line `property events: <name> <count> ...` both runners print for a suite (CI reads it).
void print_events(const EventCounts& events);

// Each event of `events` below its floor in `floors` ("event:N,event:N,...", names as in
// executor.hpp's Event), as one message; a listed name that is no event is one too. The host's
// suites (ALLIGATOR_PROPERTY_MIN_EVENTS) and the wasm runner (--min-events) use it.
std::vector<std::string> events_below_floors(const std::string& floors, const EventCounts& events);

class Sut {
 public:
  explicit Sut(std::size_t memory_bytes) : executor_(memory_bytes) {}
  ~Sut() {
    property_operations() += executor_.operations();
    for (std::size_t i = 0; i < kEventCount; ++i) property_events()[i] += executor_.events()[i];
  }
  Sut(const Sut&) = delete;
  Sut& operator=(const Sut&) = delete;

  void run(const Operation& operation);
  // The policy-free end of every case: every block freed, no memory lost (Executor::release_all),
  // and requests no larger than the free span served without growth. Fails the case otherwise.
  void check_nothing_lost();
  Executor& executor() { return executor_; }

 private:
  Executor executor_;
};

// The `expect nothing_lost` line that begins the end of a case (host and wasm alike).
Operation nothing_lost_check();

// The `expect no_growth` lines that end a case after `expect nothing_lost` found a free span of
// `free_slots` slots: one request of any size up to the span, one small (none if 0). Generated.
std::vector<Operation> no_growth_requests(std::size_t free_slots);

using Command = rc::state::Command<Plan, Sut>;

// A command is one Operation; subclasses fill it in from the Plan.
struct OperationCommand : Command {
  Operation op;
  void run(const Plan&, Sut& sut) const override { sut.run(op); }
  void show(std::ostream& os) const override { os << format(op); }
};

// ---- allocations ------------------------------------------------------------------------

struct Malloc : OperationCommand {
  explicit Malloc(const Plan&);
  void checkPreconditions(const Plan& plan) const override { RC_PRE(plan.unused(op.id)); }
  void apply(Plan& plan) const override { plan.add(op.id, op.size.resolve()); }
};

// A block of 1 to 4 MiB: a few fill a memory of 8 to 16 MiB, whose table (16 bytes a slot) is
// then long enough that growing it takes more pages than a small request needs (p_min > p_k).
struct MallocMiB : Malloc {
  explicit MallocMiB(const Plan&);
};

// A block taking about what the planned live blocks leave of the memory, less 0 to 3 pages
// (and about 1.6% for the table): the small requests after it grow a heap whose table is long,
// up to the memory's maximum.
struct MallocTheRest : Malloc {
  explicit MallocTheRest(const Plan&);
};

// Enough blocks of one class to fill one MiniPage or more: ids id .. last.
struct MallocRange : OperationCommand {
  explicit MallocRange(const Plan&);
  void checkPreconditions(const Plan& plan) const override { RC_PRE(plan.unused(op.id)); }
  void apply(Plan& plan) const override {
    for (std::uint32_t id : op.range()) plan.add(id, op.size.resolve());
  }
};

struct Calloc : OperationCommand {
  explicit Calloc(const Plan&);
  void checkPreconditions(const Plan& plan) const override { RC_PRE(plan.unused(op.id)); }
  void apply(Plan& plan) const override {
    plan.add(op.id, op.count.resolve() * op.size.resolve());
  }
};

struct ReallocNull : OperationCommand {
  explicit ReallocNull(const Plan&);
  void checkPreconditions(const Plan& plan) const override { RC_PRE(plan.unused(op.id)); }
  void apply(Plan& plan) const override { plan.add(op.id, op.size.resolve()); }
};

struct AlignedAlloc : OperationCommand {
  explicit AlignedAlloc(const Plan&);
  void checkPreconditions(const Plan& plan) const override { RC_PRE(plan.unused(op.id)); }
  void apply(Plan& plan) const override {
    plan.add(op.id, op.size.resolve(), static_cast<std::size_t>(op.alignment));
  }
};

// operator new (size, align_val_t) as the heap serves it.
struct New : OperationCommand {
  explicit New(const Plan&);
  void checkPreconditions(const Plan& plan) const override { RC_PRE(plan.unused(op.id)); }
  void apply(Plan& plan) const override {
    plan.add(op.id, op.size.resolve(), static_cast<std::size_t>(op.alignment));
  }
};

// ---- reallocation -----------------------------------------------------------------------

// What a reallocation does to the plan: size 0 frees the block; otherwise it takes the new size
// and the alignment asked (1 for C's realloc).
struct Reallocation : OperationCommand {
  void checkPreconditions(const Plan& plan) const override { RC_PRE(plan.is_live(op.id)); }
  void apply(Plan& plan) const override {
    if (op.size.resolve() == 0) {
      plan.remove(op.id);
    } else {
      plan.resize(op.id, op.size.resolve(),
                  op.code == OpCode::reallocate ? static_cast<std::size_t>(op.alignment) : 1);
    }
  }
};

struct Realloc : Reallocation {
  explicit Realloc(const Plan&);
};

// Heap::reallocate with an alignment (alligator_realloc's, a Rust realloc's): a block stays in
// place only when it is aligned to it, and a large block stays large when it is above 2048.
struct Reallocate : Reallocation {
  explicit Reallocate(const Plan&);
};

// Grows the newest live block (the likeliest to end at the top free span) by whole slots: the
// way the suites reach growth under a block reallocated in place (Event::grew_in_place).
struct ReallocNewest : OperationCommand {
  explicit ReallocNewest(const Plan&);
  void checkPreconditions(const Plan& plan) const override { RC_PRE(plan.is_live(op.id)); }
  void apply(Plan& plan) const override { plan.resize(op.id, op.size.resolve()); }
};

// ---- frees ------------------------------------------------------------------------------

struct Free : OperationCommand {
  explicit Free(const Plan&);
  void checkPreconditions(const Plan& plan) const override { RC_PRE(plan.is_live(op.id)); }
  void apply(Plan& plan) const override { plan.remove(op.id); }
};

// Frees every live block between two live ids, upwards or downwards, or every second or third.
struct FreeRange : OperationCommand {
  explicit FreeRange(const Plan&);
  void checkPreconditions(const Plan& plan) const override {
    RC_PRE(plan.is_live(op.id));
  }
  void apply(Plan& plan) const override {
    for (std::uint32_t id : op.range()) plan.remove(id);
  }
};

// Sized delete with the size and alignment the block was made with.
struct Delete : OperationCommand {
  explicit Delete(const Plan&);
  void checkPreconditions(const Plan& plan) const override { RC_PRE(plan.is_live(op.id)); }
  void apply(Plan& plan) const override { plan.remove(op.id); }
};

// ---- bad input --------------------------------------------------------------------------

// A sized delete the block cannot hold: diagnosed as size_mismatch, the block stays.
struct DeleteMismatch : OperationCommand {
  explicit DeleteMismatch(const Plan&);
  void checkPreconditions(const Plan& plan) const override { RC_PRE(plan.is_live(op.id)); }
};

struct FreeInterior : OperationCommand {
  explicit FreeInterior(const Plan&);
  void checkPreconditions(const Plan& plan) const override { RC_PRE(plan.is_live(op.id)); }
};

// Any address of the heap (or past it) that is not a live block's start.
struct FreeHeapAddress : OperationCommand {
  explicit FreeHeapAddress(const Plan&);
};

struct FreeNull : OperationCommand {
  FreeNull() { op.code = OpCode::free_null; }
};

struct FreeAgain : OperationCommand {
  explicit FreeAgain(const Plan&);
  void checkPreconditions(const Plan& plan) const override { RC_PRE(plan.was_freed(op.id)); }
};

struct HugeMalloc : OperationCommand {
  explicit HugeMalloc(const Plan&);
  void checkPreconditions(const Plan& plan) const override { RC_PRE(plan.unused(op.id)); }
  void apply(Plan& plan) const override { plan.skip(op.id); }
};

struct HugeRealloc : OperationCommand {
  explicit HugeRealloc(const Plan&);
  void checkPreconditions(const Plan& plan) const override { RC_PRE(plan.is_live(op.id)); }
};

struct CallocOverflow : OperationCommand {
  explicit CallocOverflow(const Plan&);
  void checkPreconditions(const Plan& plan) const override { RC_PRE(plan.unused(op.id)); }
  void apply(Plan& plan) const override { plan.skip(op.id); }
};

struct BadAlignment : OperationCommand {
  explicit BadAlignment(const Plan&);
  void checkPreconditions(const Plan& plan) const override { RC_PRE(plan.unused(op.id)); }
  // posix_memalign accepts 1, 2 or 4 nowhere, aligned_alloc does: the block may exist.
  void apply(Plan& plan) const override {
    plan.add(op.id, op.size.resolve(), static_cast<std::size_t>(op.alignment));
  }
};

// ---- the rest ---------------------------------------------------------------------------

struct Fill : OperationCommand {
  explicit Fill(const Plan&);
  void checkPreconditions(const Plan& plan) const override { RC_PRE(plan.is_live(op.id)); }
};

struct Usable : OperationCommand {
  explicit Usable(const Plan&);
  void checkPreconditions(const Plan& plan) const override {
    RC_PRE(op.code == OpCode::usable_null || plan.is_live(op.id));
  }
};

struct RefuseGrows : OperationCommand {
  explicit RefuseGrows(const Plan&);
};

// The memory refuses its next grow only: the heap's second ask, if it makes one, is granted.
struct RefuseOneGrow : OperationCommand {
  explicit RefuseOneGrow(const Plan&);
};

// Heap::trim: spare and empty current MiniPages and spare spans back to the free spans.
struct Trim : OperationCommand {
  explicit Trim(const Plan&);
};

// Runs one suite: a fresh heap over a generated memory maximum, and a generated sequence of
// `Commands...` (repeat a command to weight it).
std::size_t generate_memory_bytes(const Profile& profile);  // *generators::memory_bytes

template <class... Commands>
void check_sequence(Profile profile) {
  const std::size_t memory_bytes = generate_memory_bytes(profile);
  Plan initial;
  initial.profile = profile;
  initial.memory_bytes = memory_bytes;
  Sut sut(memory_bytes);
  rc::state::check(initial, sut, rc::state::gen::execOneOfWithArgs<Commands...>());
  sut.check_nothing_lost();
}

// The Everything suite's commands and profile, one list for the host's suite and the one run
// inside wasm (properties/wasm/), so the two cannot drift apart (until 2026-12-07 the wasm one
// lacked Trim). Repeat a command to weight it.
template <class... Commands>
struct CommandList {};
using EverythingCommands =
    CommandList<Malloc, Malloc, Malloc, MallocRange, Calloc, ReallocNull, AlignedAlloc, New,
                Realloc, Realloc, Reallocate, Free, Free, Free, FreeRange, Delete, DeleteMismatch,
                FreeInterior, FreeHeapAddress, FreeNull, FreeAgain, HugeMalloc, HugeRealloc,
                CallocOverflow, BadAlignment, Fill, Usable, RefuseGrows, Trim>;
inline constexpr Profile kEverythingProfile{3, 128};

// The Growth suite's (growth_test.cpp), shared the same way: memories of 129 to 256 pages.
using GrowthCommands =
    CommandList<Malloc, Malloc, Malloc, MallocMiB, MallocTheRest, MallocRange, Free, Free,
                FreeRange, Realloc, RefuseGrows, RefuseOneGrow>;
inline constexpr Profile kGrowthProfile{2, 256, 129};

template <class... Commands>
void check_sequence(CommandList<Commands...>, Profile profile) {
  check_sequence<Commands...>(profile);
}

}  // namespace alligator::properties
