# Runs two builds of one program and requires the same standard output, byte for byte, and exit
# status 0 from both; the candidate's standard error must match a regular expression (how it
# proves which allocator served it). Used by ctest (examples/document).
#
# cmake -DEMULATOR="<command to run target programs, may be empty>" -DREFERENCE=<program>
#       -DCANDIDATE=<program> -DCANDIDATE_STDERR=<regex> -P compare_outputs.cmake
cmake_minimum_required(VERSION 3.25)
foreach(variable REFERENCE CANDIDATE CANDIDATE_STDERR)
  if(NOT DEFINED ${variable})
    message(FATAL_ERROR "compare_outputs.cmake: -D${variable}= is required")
  endif()
endforeach()
separate_arguments(emulator UNIX_COMMAND "${EMULATOR}")

foreach(role REFERENCE CANDIDATE)
  execute_process(COMMAND ${emulator} "${${role}}"
                  RESULT_VARIABLE ${role}_status OUTPUT_VARIABLE ${role}_out
                  ERROR_VARIABLE ${role}_err)
  message("--- ${role}: ${EMULATOR} ${${role}} (exit status ${${role}_status})\n"
          "${${role}_out}--- its stderr:\n${${role}_err}")
  if(NOT ${role}_status EQUAL 0)
    message(FATAL_ERROR "${role} ${${role}} exited with status ${${role}_status}")
  endif()
endforeach()

if(NOT REFERENCE_out STREQUAL CANDIDATE_out)
  file(WRITE "${CMAKE_CURRENT_BINARY_DIR}/reference.out" "${REFERENCE_out}")
  file(WRITE "${CMAKE_CURRENT_BINARY_DIR}/candidate.out" "${CANDIDATE_out}")
  message(FATAL_ERROR "standard outputs differ (reference.out and candidate.out written to "
                      "${CMAKE_CURRENT_BINARY_DIR})")
endif()
if(NOT CANDIDATE_err MATCHES "${CANDIDATE_STDERR}")
  message(FATAL_ERROR "the candidate's stderr does not match: ${CANDIDATE_STDERR}")
endif()
string(LENGTH "${CANDIDATE_out}" bytes)
message(STATUS "identical standard output (${bytes} bytes); the candidate's stderr matches")
