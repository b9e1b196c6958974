# What the planted proofs share (check_mutant.cmake, properties/wasm/check_wasm_mutant.cmake):
# failing with the program's output, and the kind of check behind a failed step.
include("${CMAKE_CURRENT_LIST_DIR}/failure_kinds.cmake")

# Failures show the program's output as it is, then the reason.
function(fail shown reason)
  message("${shown}")
  message(FATAL_ERROR "${reason}")
endfunction()

# caught_by(<text> <what> <out_var>): the kind (failure_kinds.cmake) of the check behind the
# first failed step in `text`, "step <n> '<operation>': <problem>"; fails when there is none,
# or when no kind recognises its problem.
function(caught_by text what out_var)
  if(NOT text MATCHES "step [0-9]+ '[^'\n]*': ([^\n]*)")
    fail("${text}" "${what} names no failed step")
  endif()
  set(problem "${CMAKE_MATCH_1}")
  planted_failure_kind("${problem}" kind)
  if(kind STREQUAL "unknown")
    fail("${text}" "${what}: no kind in failure_kinds.cmake recognises '${problem}'")
  endif()
  set(${out_var} ${kind} PARENT_SCOPE)
endfunction()
