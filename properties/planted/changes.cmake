# The textual changes a mutant file plants: MUTANT_FILE, MUTANT_ORIGINAL and MUTANT_REPLACEMENT
# for the first, then MUTANT_FILE_2, MUTANT_ORIGINAL_2, MUTANT_REPLACEMENT_2 and so on (a bug
# with several copies, e.g. an inlined fast path and its slow twin, is planted in each).
# Suffixed variables, not lists: the snippets are C++ and hold semicolons.

# planted_change_suffix(<index> <out_var>): "" for change 1, _<index> for the others.
function(planted_change_suffix index out_var)
  if(index EQUAL 1)
    set(${out_var} "" PARENT_SCOPE)
  else()
    set(${out_var} "_${index}" PARENT_SCOPE)
  endif()
endfunction()

# planted_changes(<mutants/x.cmake> <out_var>): the indexes (1, 2, ...) of the changes the
# mutant file just included plants. Each must set all three variables, change a non-empty
# snippet, and follow the one before it.
function(planted_changes mutant out_var)
  set(changes)
  set(gap)
  foreach(index RANGE 1 9)
    planted_change_suffix(${index} suffix)
    set(defined 0)
    foreach(variable MUTANT_FILE MUTANT_ORIGINAL MUTANT_REPLACEMENT)
      if(DEFINED ${variable}${suffix})
        math(EXPR defined "${defined} + 1")
      endif()
    endforeach()
    if(defined EQUAL 0)
      if(NOT gap)
        set(gap ${index})
      endif()
      continue()
    endif()
    if(gap)
      message(FATAL_ERROR "${mutant}: change ${index} (MUTANT_FILE${suffix}) follows no change ${gap}")
    endif()
    if(NOT defined EQUAL 3)
      message(FATAL_ERROR "${mutant}: change ${index} needs MUTANT_FILE${suffix}, "
                          "MUTANT_ORIGINAL${suffix} and MUTANT_REPLACEMENT${suffix}")
    endif()
    if("${MUTANT_ORIGINAL${suffix}}" STREQUAL "" OR
       "${MUTANT_ORIGINAL${suffix}}" STREQUAL "${MUTANT_REPLACEMENT${suffix}}")
      message(FATAL_ERROR "${mutant}: change ${index}'s replacement must change a non-empty snippet")
    endif()
    list(APPEND changes ${index})
  endforeach()
  if(NOT changes)
    message(FATAL_ERROR "${mutant}: plants nothing (no MUTANT_FILE)")
  endif()
  set(${out_var} ${changes} PARENT_SCOPE)
endfunction()
