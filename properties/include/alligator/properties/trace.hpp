// The trace format: a heap session as plain text, one operation per line, blocks named by ids
// (b1, b2, ...) rather than addresses, so a trace written on one target replays on any other
// (x86_64, i686, wasm32 under Node). It is the property suites' failure report, the regression
// corpus (properties/traces/*.trace) and the wire format for running sequences inside wasm.
//
//   memory 1048576              header, first: the simulated memory's maximum in bytes
//   b1 = malloc 100             MallocFamily::malloc; b1 names the result (if not null)
//   b2..b9 = malloc 24          one malloc per id, in order
//   b3 = calloc 10 20           calloc(count, size)
//   b4 = realloc null 100       realloc(NULL, n)
//   realloc b1 300              realloc(b1, n): b1 names the result; size 0 frees
//   reallocate b1 300 64        Heap::reallocate(b1, n, alignment): the same, aligned
//   b5 = aligned_alloc 4096 100
//   b6 = posix_memalign 64 100
//   b8 = memalign 64 100        memalign: aligned_alloc's contract
//   b7 = new 100 16             Heap::allocate(size, alignment), operator new's contract
//   delete b7 100 16            Heap::deallocate(p, size, alignment)
//   free b1                     free
//   free b2..b9 [step 2]        free the live ones of a range (b9..b2 runs downwards)
//   free b3+8                   free an interior pointer (invalid_pointer)
//   free heap+4096              free the memory's base + offset (skipped if a live block starts there)
//   free heap-64                free an address below the memory's base (foreign memory)
//   free null
//   free_again b1               free a freed block's old address again (skipped if live again)
//   fill b3                     write a new pattern over b3's usable size and read it back
//   usable b3 | usable null     malloc_usable_size
//   refuse_grows 2              the memory refuses its next 2 grows
//   trim                        Heap::trim: what the heap keeps back to its free spans
//   expect b6 == b1             b6's address is b1's latest one (live or freed); `!=` too
//   expect b3 null              b3 holds no block (its allocation failed, or it was freed)
//   expect b3 live              b3 holds a block
//   expect pages 3              the memory is 3 wasm pages now
//   expect nothing_lost         the end of a property case (policy-free): every live block freed
//                               straight through the heap; a request for every slot between slot
//                               0 and the table succeeds without growth and, freed, they are one
//                               free span. Only `expect no_growth` may follow it.
//   expect no_growth 4096       after `expect nothing_lost`: malloc(4096) succeeds without
//                               growth, and is freed again
//
// Sizes are decimal or relative to SIZE_MAX: max, max-16, max/2, max/8+1. `#` starts a comment.
// An operation naming a block that is not live (its allocation failed, or it was freed) does
// nothing, so a trace stays meaningful when a target runs out of memory at another step.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace alligator::properties {

// A size, possibly relative to SIZE_MAX so it means the same on 32- and 64-bit targets.
struct Size {
  bool from_max = false;      // SIZE_MAX / divisor + delta, else `value`
  std::uint64_t value = 0;
  std::uint64_t divisor = 1;
  std::int64_t delta = 0;

  static Size of(std::uint64_t bytes) { return Size{false, bytes, 1, 0}; }
  static Size max(std::uint64_t divisor = 1, std::int64_t delta = 0) {
    return Size{true, 0, divisor, delta};
  }
  // The size on this target (literals beyond SIZE_MAX saturate).
  std::size_t resolve() const;
  std::string text() const;
};

enum class OpCode {
  malloc,
  malloc_range,
  calloc,
  realloc,
  realloc_null,
  reallocate,
  aligned_alloc,
  posix_memalign,
  memalign,
  new_block,
  delete_block,
  free,
  free_range,
  free_interior,
  free_heap,
  free_null,
  free_again,
  fill,
  usable,
  usable_null,
  refuse_grows,
  trim,
  expect,  // an assertion about the state so far, not a heap call
};

enum class Expect { same, differ, null, live, pages, nothing_lost, no_growth };

struct Operation {
  OpCode code = OpCode::malloc;
  std::uint32_t id = 0;         // the block made or used; ranges: the first id
  std::uint32_t last = 0;       // ranges: the last id (below `id` to run downwards)
  std::uint32_t step = 1;       // ranges
  Size size;                    // bytes (calloc: element size)
  Size count;                   // calloc: element count
  std::uint64_t alignment = 0;  // aligned_alloc, posix_memalign, memalign, new, delete, reallocate
  std::uint64_t offset = 0;     // free_interior, free_heap (two's complement: heap-N is 2^64-N)
  std::uint64_t grows = 0;      // refuse_grows
  Expect expect = Expect::same;  // expect; `last`: the other id, `grows`: the page count,
                                 // `size`: no_growth's request

  // The ids a range names, in the order they run.
  std::vector<std::uint32_t> range() const;
};

std::string format(const Operation& operation);

struct ParseError {
  std::size_t line = 0;
  std::string message;
};

// Parses one operation line (no comment, not blank); nothing on error (with `error` set).
std::optional<Operation> parse_operation(const std::string& line, std::string& error);

struct Trace {
  std::size_t memory_bytes = 0;  // as Executor takes it: whole pages, plus the first grow's lead
  std::vector<Operation> operations;
  std::vector<std::size_t> lines;  // source line of each operation, when parsed
};

std::optional<Trace> parse_trace(const std::string& text, ParseError& error);
// Reads and parses a trace file; nothing on failure, with `problem` saying why ("cannot read
// PATH" or "PATH:LINE: message").
std::optional<Trace> read_trace_file(const std::string& path, std::string& problem);
std::string format(const Trace& trace);

}  // namespace alligator::properties
