# cmake -P check_wasm_mutant.cmake: the suites inside wasm must catch the planted bug, with the
# proof the host's planted tests give (properties/planted/check_mutant.cmake):
#   -DRUNNER=<host alligator_wasm_properties> -DPLANTED_SERVER=<alligator_trace_server_planted.js>
#   -DCLEAN_SERVER=<alligator_trace_server.js> -DTRACE=<file> -DEXPECT=<kind>
#   [-DRUNNER_OPTIONS=<options>]   more options for the runner (--max-align, --without-case-end)
# Asserts: (a) the runner finds the bug and (b) shrinks it to at most 6 commands (its own test,
# WasmPlanted.IsFoundAndShrunk); (c) the shrunk trace it wrote diverges when replayed alone on
# the planted server; (d) the same trace agrees on the real server, so the bug is the cause;
# (e) the check that caught it, in the runner's failure and in the replay, is of the kind EXPECT
# (failure_kinds.cmake: the mutant's MUTANT_EXPECT).
cmake_minimum_required(VERSION 3.25)
include("${CMAKE_CURRENT_LIST_DIR}/../planted/check_support.cmake")  # fail(), caught_by()
foreach(variable RUNNER PLANTED_SERVER CLEAN_SERVER TRACE EXPECT)
  if(NOT DEFINED ${variable})
    message(FATAL_ERROR "check_wasm_mutant.cmake: -D${variable}=... is required")
  endif()
endforeach()
if(NOT EXISTS "${RUNNER}")
  message(FATAL_ERROR "FAILED: no host runner at ${RUNNER}: build the host preset first "
                      "(cmake --preset host && cmake --build --preset host)")
endif()

# (a), (b)
file(REMOVE "${TRACE}")
execute_process(COMMAND "${RUNNER}" --planted --server "${PLANTED_SERVER}" --failure-trace "${TRACE}"
                        ${RUNNER_OPTIONS}
                RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)
if(NOT result EQUAL 0)
  fail("${output}" "the planted bug was not found inside wasm, or not shrunk to 6 commands (or \
the host runner predates --failure-trace: rebuild the host preset)")
endif()
if(NOT EXISTS "${TRACE}")
  fail("${output}" "the runner wrote no failing trace to ${TRACE}")
endif()
message("${output}")

# A server's verdict on the trace alone: one request, "ok <operations> <free slots> <events>" or
# "fail <step> <operations> <message>" (trace_server.cpp), with \n and \\ escaped.
function(replay server out_var)
  file(READ "${TRACE}" request)
  file(WRITE "${TRACE}.request" "${request}end\n")
  execute_process(COMMAND node --no-experimental-fetch "${server}"
                  INPUT_FILE "${TRACE}.request"
                  RESULT_VARIABLE replay_result OUTPUT_VARIABLE verdict ERROR_VARIABLE verdict)
  string(REPLACE "\\n" "\n" verdict "${verdict}")
  if(NOT replay_result EQUAL 0)
    fail("${verdict}" "node ${server} exited with ${replay_result}")
  endif()
  set(${out_var} "${verdict}" PARENT_SCOPE)
endfunction()

# (c) and (e)
caught_by("${output}" "the runner's failure" runner_kind)
replay("${PLANTED_SERVER}" planted_verdict)
if(NOT planted_verdict MATCHES "^fail [0-9]+ [0-9]+ ")
  fail("${planted_verdict}" "the trace does not diverge when replayed on the planted server")
endif()
message("planted server's verdict: ${planted_verdict}")
caught_by("${planted_verdict}" "the planted server's replay" replay_kind)
if(NOT runner_kind STREQUAL EXPECT OR NOT replay_kind STREQUAL EXPECT)
  fail("${output}" "caught by a ${runner_kind} check (replay: ${replay_kind}), but the mutant \
expects ${EXPECT} (its MUTANT_EXPECT)")
endif()
message("caught by the expected kind of check: ${EXPECT}")

# (d)
replay("${CLEAN_SERVER}" clean_verdict)
if(NOT clean_verdict MATCHES "^ok [0-9]+")
  fail("${clean_verdict}" "the trace does not agree on the real allocator's server: the \
failure is not the planted bug's")
endif()
message("real server's verdict: ${clean_verdict}")
