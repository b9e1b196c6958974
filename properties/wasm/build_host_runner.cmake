# cmake -P build_host_runner.cmake -DSOURCE=<project> -DHOST_BUILD=<host build tree>
# The wasm suites' fixture: their RapidCheck runner is the host preset's alligator_wasm_properties
# (RapidCheck has no wasm build). Building that one target here, before they run, means they
# never run a runner older than the sources (make rebuilds what changed, and does nothing in
# about a second otherwise), and that they run without a host build made beforehand: a missing
# tree is configured first (the host preset when HOST_BUILD is its out/host).
cmake_minimum_required(VERSION 3.25)
foreach(variable SOURCE HOST_BUILD)
  if(NOT DEFINED ${variable})
    message(FATAL_ERROR "build_host_runner.cmake: -D${variable}=... is required")
  endif()
endforeach()

if(NOT EXISTS "${HOST_BUILD}/CMakeCache.txt")
  if(HOST_BUILD STREQUAL "${SOURCE}/out/host")
    set(configure "${CMAKE_COMMAND}" --preset host)
  else()
    set(configure "${CMAKE_COMMAND}" -S "${SOURCE}" -B "${HOST_BUILD}")
  endif()
  string(JOIN " " shown ${configure})
  message("no host build at ${HOST_BUILD}: configuring it (${shown})")
  execute_process(COMMAND ${configure} WORKING_DIRECTORY "${SOURCE}" RESULT_VARIABLE result)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "FAILED: cannot configure the host build at ${HOST_BUILD} for the wasm "
                        "suites' runner (exit ${result})")
  endif()
endif()
execute_process(COMMAND "${CMAKE_COMMAND}" --build "${HOST_BUILD}" --parallel 2
                        --target alligator_wasm_properties
                RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "FAILED: cannot build the wasm suites' runner in ${HOST_BUILD} (exit ${result})")
endif()
