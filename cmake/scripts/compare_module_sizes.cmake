# cmake -DCANDIDATE=<file> -DREFERENCE=<file> -P compare_module_sizes.cmake
# Passes when CANDIDATE is at most REFERENCE's size in bytes; prints both and the margin.
if(NOT EXISTS "${CANDIDATE}" OR NOT EXISTS "${REFERENCE}")
  message(FATAL_ERROR "compare_module_sizes: missing ${CANDIDATE} or ${REFERENCE}")
endif()
file(SIZE "${CANDIDATE}" candidate)
file(SIZE "${REFERENCE}" reference)
math(EXPR margin "${reference} - ${candidate}")
message(STATUS "${CANDIDATE}: ${candidate} bytes; ${REFERENCE}: ${reference} bytes; margin ${margin}")
if(candidate GREATER reference)
  message(FATAL_ERROR "the module is ${candidate} bytes, more than the reference's ${reference}")
endif()
