# cmake -P check_mutant.cmake: the property suite must catch one planted bug.
#   -DPROPERTIES=<planted_x_properties> -DSUITE=<suite> -DMUTANT_REPLAY=<planted_x_replay>
#   -DCLEAN_REPLAY=<alligator_replay> -DFAILURES=<dir> -DRC_PARAMS=<...> -DMAX_COMMANDS=<n>
#   -DEXPECT=<kind> [-DNO_VALIDATE=ON]
# Asserts: (a) the suite fails on the mutant; (b) the shrunk sequence RapidCheck prints has at
# most MAX_COMMANDS commands; (c) the trace file the suite wrote diverges when replayed on the
# mutant; (d) the same trace agrees when replayed on the real allocator, so the bug is the cause;
# (e) the check that caught it, in the suite and in the replay, is of the kind EXPECT
# (failure_kinds.cmake: the mutant's MUTANT_EXPECT).
# NO_VALIDATE=ON runs suite and replays with ALLIGATOR_EXECUTOR_NO_VALIDATE=1, so validate() is
# never called (both programs must say so) and only the model and the executor's own checks can
# catch the bug. EXPECT=none there asserts the opposite, a gap its mutant file documents: the
# suite passes without validate(), so the test fails once the model learns to catch the bug.
cmake_minimum_required(VERSION 3.25)
include("${CMAKE_CURRENT_LIST_DIR}/check_support.cmake")  # fail(), caught_by()
foreach(variable PROPERTIES SUITE MUTANT_REPLAY CLEAN_REPLAY FAILURES RC_PARAMS MAX_COMMANDS EXPECT)
  if(NOT DEFINED ${variable})
    message(FATAL_ERROR "check_mutant.cmake: -D${variable}=... is required")
  endif()
endforeach()

file(REMOVE_RECURSE "${FAILURES}")
set(ENV{RC_PARAMS} "${RC_PARAMS}")
set(ENV{ALLIGATOR_PROPERTY_FAILURES} "${FAILURES}")
if(NO_VALIDATE)
  set(ENV{ALLIGATOR_EXECUTOR_NO_VALIDATE} 1)
else()
  unset(ENV{ALLIGATOR_EXECUTOR_NO_VALIDATE})
endif()
execute_process(COMMAND "${PROPERTIES}" "--gtest_filter=${SUITE}.*"
                RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)

# The switch took: the program says validate() is off (executor_validates()).
function(validate_off text program)
  if(NO_VALIDATE AND NOT text MATCHES "validate\\(\\) is off")
    fail("${text}" "${program} does not say validate() is off: ALLIGATOR_EXECUTOR_NO_VALIDATE \
did not reach its executor")
  endif()
endfunction()
validate_off("${output}" "the suite")

if(NO_VALIDATE AND EXPECT STREQUAL "none")
  if(NOT result EQUAL 0)
    fail("${output}" "the suite now catches the mutant without validate(): the model has learnt \
to, so its mutant file must set MUTANT_EXPECT_NO_VALIDATE to the kind that catches it")
  endif()
  message("${output}\nwithout validate(), ${SUITE} misses the mutant, as its file documents")
  return()
endif()

# (a) the suite fails.
if(result EQUAL 0)
  fail("${output}" "planted bug NOT caught: ${SUITE} passed on the mutant")
endif()
if(NOT output MATCHES "Falsifiable after [0-9]+ tests?")
  fail("${output}" "the suite failed (${result}), but not with a RapidCheck counterexample")
endif()
set(found "${CMAKE_MATCH_0}")
if(output MATCHES "Falsifiable after [0-9]+ tests? and [0-9]+ shrinks?")
  set(found "${CMAKE_MATCH_0}")
endif()

# (b) the shrunk sequence: RapidCheck shows the commands' vector as one trace line per command,
# after its type's line and up to a blank line.
string(FIND "${output}" "std::vector<std::shared_ptr<const Command<" start)
if(start LESS 0)
  fail("${output}" "no command sequence in the counterexample")
endif()
string(SUBSTRING "${output}" ${start} -1 rest)
string(FIND "${rest}" "\n" line_end)
math(EXPR line_end "${line_end} + 1")
string(SUBSTRING "${rest}" ${line_end} -1 rest)
string(FIND "${rest}" "\n\n" end)
string(SUBSTRING "${rest}" 0 ${end} sequence)
string(REPLACE "\n" ";" commands "${sequence}")
list(LENGTH commands count)

# (c) the trace file the suite wrote.
if(NOT output MATCHES "The sequence as a trace \\(written to ([^)\"\n]+)\\)")
  fail("${output}" "the failure names no trace file")
endif()
set(trace "${CMAKE_MATCH_1}")
if(NOT EXISTS "${trace}")
  fail("${output}" "the trace file ${trace} does not exist")
endif()
file(READ "${trace}" trace_text)
message("${SUITE}: ${found}, shrunk to ${count} command(s):\n${sequence}\n"
        "trace ${trace}:\n${trace_text}")
if(count GREATER MAX_COMMANDS)
  fail("${output}" "shrunk to ${count} commands, more than ${MAX_COMMANDS}")
endif()

execute_process(COMMAND "${MUTANT_REPLAY}" "${trace}"
                RESULT_VARIABLE mutant_result OUTPUT_VARIABLE mutant_output ERROR_VARIABLE mutant_output)
validate_off("${mutant_output}" "the mutant's replay")
if(NOT mutant_result EQUAL 1 OR NOT mutant_output MATCHES "diverged at")
  fail("${mutant_output}" "the trace does not diverge on the mutant (exit ${mutant_result})")
endif()
message("mutant replay (exit ${mutant_result}): ${mutant_output}")

# (e) the kind of check that caught it: the suite's failure (the trace's first comment) and the
# replay's, each "step <n> '<operation>': <problem>".
caught_by("${trace_text}" "the suite's failure (in the trace)" suite_kind)
caught_by("${mutant_output}" "the mutant's replay" replay_kind)
if(NOT suite_kind STREQUAL EXPECT OR NOT replay_kind STREQUAL EXPECT)
  fail("${output}" "caught by a ${suite_kind} check (replay: ${replay_kind}), but the mutant \
expects ${EXPECT} (its MUTANT_EXPECT, or MUTANT_EXPECT_NO_VALIDATE without validate())")
endif()
message("caught by the expected kind of check: ${EXPECT}")

# (d) the same trace on the real allocator.
execute_process(COMMAND "${CLEAN_REPLAY}" "${trace}"
                RESULT_VARIABLE clean_result OUTPUT_VARIABLE clean_output ERROR_VARIABLE clean_output)
if(NOT clean_result EQUAL 0)
  fail("${clean_output}" "the trace fails on the real allocator too (exit ${clean_result}): \
the failure is not the planted bug's")
endif()
message("real allocator replay: ${clean_output}")
