# Test plumbing shared by every test folder: GoogleTest for the target, and
# alligator_add_unit_tests() which turns each *_test.cpp into one test executable.

if(EMSCRIPTEN)
  # No prebuilt GoogleTest exists for wasm, but Debian ships its sources: build them with em++.
  # This Emscripten catches no exceptions unless -fexceptions is given at compile and link
  # time; tests that use EXPECT_THROW need it, so gtest passes it on to every test binary.
  set(BUILD_GMOCK OFF CACHE BOOL "" FORCE)
  set(INSTALL_GTEST OFF CACHE BOOL "" FORCE)
  set(gtest_disable_pthreads ON CACHE BOOL "" FORCE)
  add_subdirectory(/usr/src/googletest ${CMAKE_BINARY_DIR}/googletest EXCLUDE_FROM_ALL SYSTEM)
  target_compile_definitions(gtest PUBLIC GTEST_HAS_PTHREAD=0)
  target_compile_options(gtest PUBLIC -fexceptions)
  target_link_options(gtest PUBLIC -fexceptions)
elseif(WASI)
  # wasm32-wasi (cmake/toolchain-wasi.cmake): the same sources, without threads and, as the
  # target's libc++ has none, without exceptions (gtest detects -fno-exceptions itself).
  # Death tests need fork and are off on this platform; capturing stdout/stderr needs dup and
  # mkstemp, which WASI lacks.
  set(BUILD_GMOCK OFF CACHE BOOL "" FORCE)
  set(INSTALL_GTEST OFF CACHE BOOL "" FORCE)
  set(gtest_disable_pthreads ON CACHE BOOL "" FORCE)
  add_subdirectory(/usr/src/googletest ${CMAKE_BINARY_DIR}/googletest EXCLUDE_FROM_ALL SYSTEM)
  target_compile_definitions(gtest PUBLIC GTEST_HAS_PTHREAD=0 GTEST_HAS_STREAM_REDIRECTION=0)
  # gtest's own CMake adds -fexceptions to its flags; this comes after and wins.
  target_compile_options(gtest PRIVATE -fno-exceptions)
  target_compile_options(gtest_main PRIVATE -fno-exceptions)
else()
  # Debian's libgtest-dev (x86_64) or libgtest-dev:i386, picked by the toolchain's library
  # architecture.
  find_package(GTest REQUIRED)
endif()

# alligator_add_unit_tests(<prefix>)
#   For every *_test.cpp in the calling folder (re-globbed at each build, so a new file needs no
#   CMake edit): an executable <prefix>_<stem> linking alligator_heap and gtest_main, and one
#   ctest test <prefix>/<stem> (label `unit`) running the whole binary. On wasm, ctest runs it
#   through CMAKE_CROSSCOMPILING_EMULATOR (Node). Test binaries keep the target's own malloc:
#   they reach the heap through Heap<SimulatedMemory>, never through liballigator's exports.
function(alligator_add_unit_tests prefix)
  file(GLOB sources CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/*_test.cpp")
  foreach(source IN LISTS sources)
    get_filename_component(stem "${source}" NAME_WE)
    set(target "${prefix}_${stem}")
    add_executable(${target} "${source}")
    target_link_libraries(${target} PRIVATE alligator_heap GTest::gtest_main alligator_build_flags)
    if(EMSCRIPTEN)
      # Code is compiled at the preset's level; linking at -O1 skips binaryen's whole-program
      # passes, which cost a test binary ~25 s of link time (2 s at -O1) and test nothing.
      target_link_options(${target} PRIVATE -O1)
    endif()
    add_test(NAME "${prefix}/${stem}" COMMAND ${target})
    set_tests_properties("${prefix}/${stem}" PROPERTIES LABELS unit)
  endforeach()
endfunction()
