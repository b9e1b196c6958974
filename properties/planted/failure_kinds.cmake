# planted_failure_kind(<message> <out_var>): which of the executor's checks a failure message
# comes from, recognised by the texts properties/src/executor.cpp, properties/src/heap_checks.cpp
# and the model's verdicts (model/src/heap_model.cpp) write. A mutant's MUTANT_EXPECT names one of
# these kinds. A message none of them recognises gives "unknown": a reworded check then fails the
# planted tests instead of being counted as another kind.
#
#   validate      validate() reported a problem (the allocator's own checker)
#   model         the model's verdict on the call: its result, growth, error, usable size
#   walk          walk() differs from the model's span map
#   current       a class's current MiniPage differs from the model's
#   stats         stats() (or the count of live blocks) differs from the model's
#   classes       the size class table differs from the README's
#   contract      the C contract: errno, return codes, alignment, *memptr
#   overlap       a new block overlaps a live one
#   contents      a live block's bytes changed though nobody wrote to it
#   realloc_copy  realloc did not keep min(old usable, new size) bytes
#   zeroing       calloc's block is not zero
#   heap_write    writing a block's whole usable size changed the heap's walk
#   expect        an expect line of the trace failed
#   policy_free   the policy-free tier (policy_free.hpp): growth when something free could serve
#                 the request, or memory lost once every block is freed (`expect nothing_lost`)
# The model's kinds (what "caught by the model" means, validate() apart): model, walk,
# current, stats.
set(planted_model_kinds model walk current stats)
set(planted_failure_kinds
  validate "validate\\(\\) found"
  policy_free "policy-free"
  zeroing "calloc's block is not zero"
  realloc_copy "realloc lost the block's contents"
  contents "changed at byte [0-9]+ of [0-9]+ though nobody wrote to it"
  overlap "overlaps (live b[0-9]+|the live block before it)"
  heap_write "writing a block's whole usable size changed the heap's state"
  walk "the walk (differs from the model|ends early|has more spans than the model|reports a span)"
  current "the heap's current MiniPage is"
  stats "stats\\(\\)|the executor holds [0-9]+ live blocks"
  classes "size classes, the README|size class [0-9]+ is [0-9]+ bytes in the allocator"
  expect "expectation failed"
  contract "without ENOMEM|must give (NULL and ENOMEM|EINVAL|ENOMEM)|set errno|wrote \\*memptr|an invalid alignment|posix_memalign returned|is not aligned to|reported [0-9]+ errors for one call|overflows grew the memory|reuses the id"
  model "the model (says|expects)|reallocate returned|the heap returned|the heap reported [a-z_ ]+, expected|the current MiniPage is (full|missing)|no free slot for a new MiniPage|a new MiniPage at slot|not the start of a Segment|is already live|a fresh MiniPage hands out|model: |the heap must grow by|must fail at once|takes one of the spare|no free span of|a large block of [0-9]+ slot|the memory's base moved|the model has no live block|usable size is below the request|is not a power of two: the result must be null")

set(planted_kind_names)
set(kinds ${planted_failure_kinds})
while(kinds)
  list(POP_FRONT kinds kind pattern)
  list(APPEND planted_kind_names ${kind})
endwhile()

function(planted_failure_kind message out_var)
  set(kinds ${planted_failure_kinds})
  # First match wins: the specific texts come before the model's broad ones.
  while(kinds)
    list(POP_FRONT kinds kind pattern)
    if(message MATCHES "${pattern}")
      set(${out_var} ${kind} PARENT_SCOPE)
      return()
    endif()
  endwhile()
  set(${out_var} unknown PARENT_SCOPE)
endfunction()
