# ctest's wasm/installed_package: what an Emscripten user does with Alligator, from scratch.
#   1. cmake --install <Alligator's build dir> --prefix <work>/prefix
#   2. emcmake cmake -S examples/outside_project (its own project, find_package(alligator))
#      -DCMAKE_PREFIX_PATH=<work>/prefix
#   3. cmake --build, then run each program under Node: exit status 0 and "served by Alligator".
#
# cmake -DBUILD_DIR=... -DPROJECT_DIR=... -DWORK_DIR=... -DEMCMAKE=... -DNODE=... -DGENERATOR=...
#       -P test_installed_package.cmake
cmake_minimum_required(VERSION 3.25)
foreach(variable BUILD_DIR PROJECT_DIR WORK_DIR EMCMAKE NODE GENERATOR)
  if(NOT DEFINED ${variable})
    message(FATAL_ERROR "test_installed_package.cmake: -D${variable}= is required")
  endif()
endforeach()

# emcc's JS optimizer needs Debian's acorn module (the machine's Node is not Debian's).
set(ENV{NODE_PATH} /usr/share/nodejs)

file(REMOVE_RECURSE "${WORK_DIR}")
set(prefix "${WORK_DIR}/prefix")
set(build "${WORK_DIR}/build")

function(run)
  string(JOIN " " shown ${ARGN})
  message(STATUS "$ ${shown}")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "failed (${status}): ${shown}")
  endif()
endfunction()

run(${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${prefix}")
foreach(file lib/liballigator.a lib/liballigator_new_delete.a include/alligator/alligator.h
        include/alligator/shim/default_memory.hpp lib/cmake/alligator/alligatorConfig.cmake
        lib/cmake/alligator/alligatorConfigVersion.cmake)
  if(NOT EXISTS "${prefix}/${file}")
    message(FATAL_ERROR "cmake --install did not install ${file}")
  endif()
endforeach()

# Emscripten's toolchain file searches packages only under its sysroot unless told otherwise.
run("${EMCMAKE}" "${CMAKE_COMMAND}" -G "${GENERATOR}" -S "${PROJECT_DIR}" -B "${build}"
    -DCMAKE_BUILD_TYPE=Release "-DCMAKE_PREFIX_PATH=${prefix}"
    -DCMAKE_FIND_ROOT_PATH_MODE_PACKAGE=BOTH)
run("${CMAKE_COMMAND}" --build "${build}")

foreach(program c_app app)
  message(STATUS "$ ${NODE} --no-experimental-fetch ${build}/${program}.js")
  execute_process(COMMAND "${NODE}" --no-experimental-fetch "${build}/${program}.js"
                  RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE errors)
  message("${output}${errors}")
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "${program} exited with status ${status}")
  endif()
  if(NOT output MATCHES "${program}: alligator live blocks [1-9][0-9]*.*${program}: served by Alligator\n")
    message(FATAL_ERROR "${program} did not report being served by Alligator")
  endif()
endforeach()
message(STATUS "an outside project linked the installed alligator::alligator and alligator::new_delete; Alligator served both programs")
