# cmake -P check_output.cmake: runs a program and requires both its output and its exit status
# (ctest's PASS_REGULAR_EXPRESSION alone ignores the exit status, so a program that crashes after
# printing the right lines would pass).
#   -DCOMMAND=<program|args...>  the command, its words joined by '|' (emulator first on wasm)
#   -DPASS=<regex>               the output (stdout and stderr together) must match
#   -DFAIL=<regex>               optional: the output must not match
#   -DEXIT=<code>|nonzero        the exit status required (default 0); nonzero: any failure
#                                status or a signal
cmake_minimum_required(VERSION 3.25)
if(NOT DEFINED COMMAND OR NOT DEFINED PASS)
  message(FATAL_ERROR "check_output.cmake: -DCOMMAND=... and -DPASS=... are required")
endif()
if(NOT DEFINED EXIT)
  set(EXIT 0)
endif()
string(REPLACE "|" ";" COMMAND "${COMMAND}")
execute_process(COMMAND ${COMMAND} RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)
message("${output}")
if(EXIT STREQUAL "nonzero")
  # A non-zero status, or death by a signal ("Subprocess aborted"); not a program that never ran.
  if(NOT result MATCHES "^[1-9][0-9]*$" AND NOT result MATCHES "^Subprocess ")
    message(FATAL_ERROR "exit status '${result}': a non-zero exit was required")
  endif()
elseif(NOT result STREQUAL "${EXIT}")
  message(FATAL_ERROR "exit status '${result}', ${EXIT} required")
endif()
if(NOT output MATCHES "${PASS}")
  message(FATAL_ERROR "the output does not match '${PASS}'")
endif()
if(DEFINED FAIL AND NOT FAIL STREQUAL "" AND output MATCHES "${FAIL}")
  message(FATAL_ERROR "the output matches '${FAIL}'")
endif()
