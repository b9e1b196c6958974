# Runs one deliberately wrong program under memcheck and checks that memcheck caught its error:
#
#   cmake -DMEMCHECK=<valgrind command;...> -DPROGRAM=<path> -DSOURCE=<file name>
#         -DERROR=<regex> [-DALSO=<regex;...>] [-DABORTS=ON] -P expect_memcheck.cmake
#
# Passes only if
#   - the program says Alligator served its block (wrong.hpp; so memcheck was not checking its
#     own malloc),
#   - memcheck reported ERROR (the error's headline, e.g. "Invalid read of size 1") with a stack
#     frame in SOURCE right below it (the error is the program's, at the program's line),
#   - every ALSO pattern appears (what memcheck or Alligator said about the address),
#   - the run ended as such a run must: killed by SIGABRT when Alligator diagnoses the error
#     itself (ABORTS), otherwise memcheck's error exit code (99: it counted errors);
#   - with ABORTS, Alligator's diagnosis ("alligator: <error> at 0x...") names the very address
#     the program announced freeing ("wrong: freeing 0x...", wrong::announced_free).
# A run where memcheck reports nothing fails on the second point.
foreach(variable MEMCHECK PROGRAM SOURCE ERROR)
  if(NOT DEFINED ${variable})
    message(FATAL_ERROR "expect_memcheck.cmake: -D${variable}=... is required")
  endif()
endforeach()

execute_process(
  COMMAND ${MEMCHECK} "${PROGRAM}"
  RESULT_VARIABLE result
  OUTPUT_VARIABLE output
  ERROR_VARIABLE output)

set(problems "")
if(NOT output MATCHES "wrong: malloc\\([0-9]+\\) served by Alligator")
  list(APPEND problems "the program did not confirm that Alligator served its block")
endif()

string(REPLACE "." "\\." source_pattern "${SOURCE}")
string(REGEX MATCH "${ERROR}[^\n]*\n(==[0-9]+== +(at|by) [^\n]*\n)+" report "${output}")
if(report STREQUAL "")
  list(APPEND problems "memcheck did not report '${ERROR}'")
elseif(NOT report MATCHES "\\(${source_pattern}:[0-9]+\\)")
  list(APPEND problems "memcheck reported '${ERROR}' with no stack frame in ${SOURCE}")
endif()

foreach(pattern IN LISTS ALSO)
  if(NOT output MATCHES "${pattern}")
    list(APPEND problems "the output lacks '${pattern}'")
  endif()
endforeach()

if(ABORTS)
  # The same number: the diagnosis pads to the pointer's width, %p does not.
  string(REGEX MATCH "wrong: freeing 0x0*([0-9a-f]+)" freed "${output}")
  set(freed "${CMAKE_MATCH_1}")
  string(REGEX MATCH "alligator: [^\n]* at 0x0*([0-9a-f]+)" diagnosed "${output}")
  set(diagnosed "${CMAKE_MATCH_1}")
  if(freed STREQUAL "" OR NOT freed STREQUAL diagnosed)
    list(APPEND problems "the diagnosis names 0x${diagnosed}, the program freed 0x${freed}")
  endif()
  if(NOT result MATCHES "[Aa]bort")
    list(APPEND problems "the program was not aborted (result: ${result})")
  endif()
elseif(NOT result EQUAL 99)
  list(APPEND problems "memcheck's exit code is not 99, its error exit code (result: ${result})")
endif()

if(problems)
  list(JOIN problems "\n  " problems)
  message(FATAL_ERROR "${output}\nNOT CAUGHT:\n  ${problems}")
endif()
message(STATUS "caught:\n${report}")
