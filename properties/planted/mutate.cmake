# cmake -P mutate.cmake: one planted bug's copy of the allocator's sources.
#   -DALLOCATOR_DIR=<allocator/>  -DOUTPUT_DIR=<build dir of the mutant>  -DMUTANT=<mutants/x.cmake>
# Copies ALLOCATOR_DIR/src and ALLOCATOR_DIR/include to OUTPUT_DIR, then applies the mutant's one
# textual replacement (MUTANT_FILE, MUTANT_ORIGINAL -> MUTANT_REPLACEMENT) to the copy. The
# original snippet must occur exactly once in the file: if a refactor moves or duplicates it, the
# build fails here instead of silently testing an unmutated allocator.
cmake_minimum_required(VERSION 3.25)
foreach(variable ALLOCATOR_DIR OUTPUT_DIR MUTANT)
  if(NOT DEFINED ${variable})
    message(FATAL_ERROR "mutate.cmake: -D${variable}=... is required")
  endif()
endforeach()
include("${MUTANT}")
foreach(variable MUTANT_FILE MUTANT_ORIGINAL MUTANT_REPLACEMENT)
  if(NOT DEFINED ${variable})
    message(FATAL_ERROR "${MUTANT}: sets no ${variable}")
  endif()
endforeach()
if(MUTANT_ORIGINAL STREQUAL MUTANT_REPLACEMENT OR MUTANT_ORIGINAL STREQUAL "")
  message(FATAL_ERROR "${MUTANT}: the replacement must change a non-empty snippet")
endif()

file(GLOB_RECURSE files RELATIVE "${ALLOCATOR_DIR}" "${ALLOCATOR_DIR}/src/*" "${ALLOCATOR_DIR}/include/*")
foreach(file IN LISTS files)
  file(READ "${ALLOCATOR_DIR}/${file}" text)
  if(file STREQUAL MUTANT_FILE)
    # Occurrences: how much shorter the text gets without the snippet, in snippet lengths.
    string(REPLACE "${MUTANT_ORIGINAL}" "" without "${text}")
    string(LENGTH "${text}" text_length)
    string(LENGTH "${without}" without_length)
    string(LENGTH "${MUTANT_ORIGINAL}" snippet_length)
    math(EXPR occurrences "(${text_length} - ${without_length}) / ${snippet_length}")
    if(NOT occurrences EQUAL 1)
      message(FATAL_ERROR "${MUTANT}: the original snippet occurs ${occurrences} times in "
                          "allocator/${MUTANT_FILE} (it must occur exactly once):\n${MUTANT_ORIGINAL}")
    endif()
    string(REPLACE "${MUTANT_ORIGINAL}" "${MUTANT_REPLACEMENT}" text "${text}")
    set(mutated TRUE)
  endif()
  file(WRITE "${OUTPUT_DIR}/${file}" "${text}")
endforeach()
if(NOT mutated)
  message(FATAL_ERROR "${MUTANT}: allocator/${MUTANT_FILE} does not exist")
endif()
