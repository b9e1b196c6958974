# cmake -P mutate.cmake: one planted bug's copy of the allocator's sources.
#   -DALLOCATOR_DIR=<allocator/>  -DOUTPUT_DIR=<build dir of the mutant>  -DMUTANT=<mutants/x.cmake>
# Copies ALLOCATOR_DIR/src and ALLOCATOR_DIR/include to OUTPUT_DIR, then applies the mutant's
# textual replacements (MUTANT_FILE, MUTANT_ORIGINAL -> MUTANT_REPLACEMENT, and _2, _3, ... for
# more: changes.cmake) to the copy, in order. Each original snippet must occur exactly once in
# its file (as the earlier changes left it): if a refactor moves or duplicates one, the build
# fails here instead of silently testing a partly mutated allocator.
cmake_minimum_required(VERSION 3.25)
foreach(variable ALLOCATOR_DIR OUTPUT_DIR MUTANT)
  if(NOT DEFINED ${variable})
    message(FATAL_ERROR "mutate.cmake: -D${variable}=... is required")
  endif()
endforeach()
include("${MUTANT}")
include("${CMAKE_CURRENT_LIST_DIR}/changes.cmake")
planted_changes("${MUTANT}" changes)

file(GLOB_RECURSE files RELATIVE "${ALLOCATOR_DIR}" "${ALLOCATOR_DIR}/src/*" "${ALLOCATOR_DIR}/include/*")
foreach(file IN LISTS files)
  file(READ "${ALLOCATOR_DIR}/${file}" text)
  foreach(index IN LISTS changes)
    planted_change_suffix(${index} change)
    if(NOT MUTANT_FILE${change} STREQUAL file)
      continue()
    endif()
    set(original "${MUTANT_ORIGINAL${change}}")
    # Occurrences: how much shorter the text gets without the snippet, in snippet lengths.
    string(REPLACE "${original}" "" without "${text}")
    string(LENGTH "${text}" text_length)
    string(LENGTH "${without}" without_length)
    string(LENGTH "${original}" snippet_length)
    math(EXPR occurrences "(${text_length} - ${without_length}) / ${snippet_length}")
    if(NOT occurrences EQUAL 1)
      message(FATAL_ERROR "${MUTANT}: the original snippet of MUTANT_FILE${change} occurs "
                          "${occurrences} times in allocator/${file} (it must occur exactly "
                          "once):\n${original}")
    endif()
    string(REPLACE "${original}" "${MUTANT_REPLACEMENT${change}}" text "${text}")
    set(applied_${index} TRUE)
  endforeach()
  file(WRITE "${OUTPUT_DIR}/${file}" "${text}")
endforeach()
foreach(index IN LISTS changes)
  planted_change_suffix(${index} change)
  if(NOT applied_${index})
    message(FATAL_ERROR "${MUTANT}: allocator/${MUTANT_FILE${change}} (MUTANT_FILE${change}) "
                        "does not exist")
  endif()
endforeach()
