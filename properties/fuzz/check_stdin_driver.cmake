# cmake -DDRIVER=<alligator_stdin_driver> -P check_stdin_driver.cmake: the driver runs the seed
# stream (every operation, small to multi-MiB blocks, invalid alignments, calloc overflow) on
# liballigatorc.so with every check passing (stdin_seeds/ is also a seed corpus for AFL++).
foreach(seed IN ITEMS every_operation.bin)
  execute_process(COMMAND "${DRIVER}" INPUT_FILE "${CMAKE_CURRENT_LIST_DIR}/stdin_seeds/${seed}"
                  RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "alligator_stdin_driver failed on ${seed} (${result}):\n${output}")
  endif()
endforeach()
