# cmake -DSERVER=<alligator_trace_server.js> -DWORK=<dir> [-DLAUNCHER=<run-wasi.mjs>]
#       -P check_trace_server.cmake
# The trace server's protocol (trace_server.cpp), request by request, on the real allocator: a
# trace and its end, with the case's rare events counted (an invalid free: executor.hpp's
# invalid_pointer, the ninth), a `continue` on that case's heap (steps and counts over the whole
# case), a continuation that fails, `continue` with no case that agreed before it, and a trace
# that does not parse.
cmake_minimum_required(VERSION 3.25)
foreach(variable SERVER WORK)
  if(NOT DEFINED ${variable})
    message(FATAL_ERROR "check_trace_server.cmake: -D${variable}=... is required")
  endif()
endforeach()
file(MAKE_DIRECTORY "${WORK}")
set(requests "${WORK}/trace_server_requests.txt")
# 1 MiB of memory: one malloc grows it by 2 pages, and after the end the free span has 29 slots
# of 2 KiB (59,392 bytes, the largest request that must succeed without growth). These figures
# follow the heap's layout (allocator/README.md, Growth): a change there changes them.
file(WRITE "${requests}" [=[
continue
expect no_growth 1
end
memory 1048576
b1 = malloc 100
free b1+8
expect nothing_lost
end
continue
expect no_growth 59392
expect no_growth 1
end
continue
expect no_growth 1000000000
end
continue
expect no_growth 1
end
memory 1048576
b1 = malloc
end
]=])
# A wasm32-wasi server (SERVER.wasm) runs through LAUNCHER, as the runner starts it.
execute_process(COMMAND node --no-experimental-fetch ${LAUNCHER} "${SERVER}" INPUT_FILE "${requests}"
                RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE errors)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "node ${SERVER} exited with ${result}:\n${output}${errors}")
endif()
string(REGEX REPLACE "\n$" "" output "${output}")
string(REPLACE ";" "," output "${output}")  # a verdict is one list element
string(REPLACE "\n" ";" verdicts "${output}")
set(expected
  "^error 1 `continue` follows no request that agreed$"
  "^ok 3 29 0 0 0 0 0 0 0 0 1 0 0 0 0 0 0$"
  "^ok 5 29 0 0 0 0 0 0 0 0 1 0 0 0 0 0 0$"
  "^fail 6 6 step 6 'expect no_growth 1000000000': nothing lost \\(policy-free\\): "
  "^error 1 `continue` follows no request that agreed$"
  "^error 2 ")
list(LENGTH expected want)
list(LENGTH verdicts have)
if(NOT have EQUAL want)
  message(FATAL_ERROR "FAILED: ${have} verdicts for ${want} requests:\n${output}")
endif()
foreach(index RANGE 1 ${want})
  math(EXPR at "${index} - 1")
  list(GET expected ${at} pattern)
  list(GET verdicts ${at} verdict)
  if(NOT verdict MATCHES "${pattern}")
    message(FATAL_ERROR "FAILED: request ${index}'s verdict\n  ${verdict}\ndoes not match\n  ${pattern}")
  endif()
endforeach()
message("the trace server answered all ${want} requests as its protocol says")
