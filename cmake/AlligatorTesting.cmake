# Test plumbing shared by every test folder: GoogleTest for the target, alligator_add_test()
# which registers a test (under Valgrind's memcheck when ALLIGATOR_VALGRIND is on), and
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
  # clang's wasm driver runs binaryen's wasm-opt over every program it links at -O1 and above
  # when wasm-opt is on PATH (Debian's binaryen, which the wasm preset needs): 5.4 s a test
  # program, 0.3 s without, and it optimizes code its own -O3 already compiled. A later -O0 on
  # the link line turns it off for every program this build links (tests and examples; users
  # link liballigator.a into their own programs, with their own flags).
  add_link_options(-O0)
else()
  # Debian's libgtest-dev (x86_64) or libgtest-dev:i386, picked by the toolchain's library
  # architecture.
  find_package(GTest REQUIRED)
endif()

# Under ALLIGATOR_VALGRIND (the memcheck preset) tests run under memcheck, which knows every
# Alligator block through the allocator's client requests:
#   --leak-check=full  a block lost at exit ("definitely" or "possibly", the default kinds) is
#       an error; gtest, RapidCheck and a destroyed Heap (it frees its blocks to memcheck) leave
#       none, so no suppression is needed
#   --error-exitcode=99  any memcheck error fails the test, whatever the program's own verdict
#   --soname-synonyms=somalloc=nouserintercepts  memcheck replaces only libc's malloc, not one a
#       program or its libraries export: programs linked with liballigator keep Alligator's
#   --child-silent-after-fork=yes  gtest's death tests fork; their children die on purpose
set(ALLIGATOR_VALGRIND_EXIT_CODE 99)
if(ALLIGATOR_VALGRIND)
  find_program(ALLIGATOR_VALGRIND_EXECUTABLE valgrind REQUIRED)
  set(ALLIGATOR_MEMCHECK_COMMAND "${ALLIGATOR_VALGRIND_EXECUTABLE}" --tool=memcheck
      --leak-check=full --error-exitcode=${ALLIGATOR_VALGRIND_EXIT_CODE}
      --soname-synonyms=somalloc=nouserintercepts --child-silent-after-fork=yes)
endif()

# alligator_add_test(NAME <name> COMMAND <target or program> [<argument>...]
#                    [LABELS <label>...] [ENVIRONMENT <VAR=value>...] [NO_VALGRIND])
#   add_test() plus labels and environment. When ALLIGATOR_VALGRIND is on, the command runs
#   under ${ALLIGATOR_MEMCHECK_COMMAND} (an explicit prefix: CMake 3.25 has no
#   CMAKE_TEST_LAUNCHER) and the test is also labelled `valgrind`; NO_VALGRIND opts out (for a
#   test that runs memcheck itself, or runs something that is not an Alligator program).
function(alligator_add_test)
  cmake_parse_arguments(PARSE_ARGV 0 test "NO_VALGRIND" "NAME" "COMMAND;LABELS;ENVIRONMENT")
  if(NOT test_NAME OR NOT test_COMMAND OR test_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "alligator_add_test(NAME <name> COMMAND <command>...): "
                        "bad arguments ${test_UNPARSED_ARGUMENTS}")
  endif()
  set(command ${test_COMMAND})
  set(labels ${test_LABELS})
  if(ALLIGATOR_VALGRIND AND NOT test_NO_VALGRIND)
    # add_test() resolves a target name only in first position.
    list(POP_FRONT command program)
    if(TARGET "${program}")
      set(program "$<TARGET_FILE:${program}>")
    endif()
    set(command ${ALLIGATOR_MEMCHECK_COMMAND} "${program}" ${command})
    list(APPEND labels valgrind)
  endif()
  add_test(NAME "${test_NAME}" COMMAND ${command})
  if(labels)
    set_tests_properties("${test_NAME}" PROPERTIES LABELS "${labels}")
  endif()
  if(test_ENVIRONMENT)
    set_tests_properties("${test_NAME}" PROPERTIES ENVIRONMENT "${test_ENVIRONMENT}")
  endif()
endfunction()

# alligator_add_output_test(NAME <name> COMMAND <target> [<argument>...] PASS <regex>
#                           [FAIL <regex>] [EXIT <code>|nonzero] [LABELS <label>...])
#   A test of a program's output AND its exit status (default 0), through
#   cmake/scripts/check_output.cmake: PASS_REGULAR_EXPRESSION alone ignores the exit status. The
#   target runs through CMAKE_CROSSCOMPILING_EMULATOR (Node) on wasm, as add_test would run it.
function(alligator_add_output_test)
  cmake_parse_arguments(PARSE_ARGV 0 test "" "NAME;PASS;FAIL;EXIT" "COMMAND;LABELS")
  if(NOT test_NAME OR NOT test_COMMAND OR NOT test_PASS OR test_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "alligator_add_output_test(NAME <name> COMMAND <target>... PASS <regex>): "
                        "bad arguments ${test_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT DEFINED test_EXIT)
    set(test_EXIT 0)
  endif()
  list(POP_FRONT test_COMMAND program)
  if(TARGET "${program}")
    set(program "$<TARGET_FILE:${program}>")
  endif()
  set(command ${CMAKE_CROSSCOMPILING_EMULATOR} "${program}" ${test_COMMAND})
  list(JOIN command "|" command)  # ctest would split a list argument at its semicolons
  add_test(NAME "${test_NAME}"
    COMMAND "${CMAKE_COMMAND}" "-DCOMMAND=${command}" "-DPASS=${test_PASS}" "-DFAIL=${test_FAIL}"
            "-DEXIT=${test_EXIT}" -P "${PROJECT_SOURCE_DIR}/cmake/scripts/check_output.cmake")
  if(test_LABELS)
    set_tests_properties("${test_NAME}" PROPERTIES LABELS "${test_LABELS}")
  endif()
endfunction()

# alligator_link_test_program(<target>)
#   On wasm, links a test program at -O1: its code is compiled at the preset's level, and
#   binaryen's whole-program passes at -O2 and above cost a test binary 8-25 s of link time
#   (2 s at -O1) and test nothing.
function(alligator_link_test_program target)
  if(EMSCRIPTEN)
    target_link_options(${target} PRIVATE -O1)
  endif()
endfunction()

# alligator_add_unit_tests(<prefix>)
#   For every *_test.cpp in the calling folder (re-globbed at each build, so a new file needs no
#   CMake edit): an executable <prefix>_<stem> linking alligator_heap and gtest_main, and one
#   ctest test <prefix>/<stem> (label `unit`) running the whole binary. On wasm, ctest runs it
#   through CMAKE_CROSSCOMPILING_EMULATOR (Node); with ALLIGATOR_VALGRIND, under memcheck (label
#   `valgrind` too). Test binaries keep the target's own malloc:
#   they reach the heap through Heap<SimulatedMemory>, never through liballigator's exports.
function(alligator_add_unit_tests prefix)
  file(GLOB sources CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/*_test.cpp")
  foreach(source IN LISTS sources)
    get_filename_component(stem "${source}" NAME_WE)
    set(target "${prefix}_${stem}")
    add_executable(${target} "${source}")
    target_link_libraries(${target} PRIVATE alligator_heap GTest::gtest_main alligator_build_flags)
    alligator_link_test_program(${target})
    alligator_add_test(NAME "${prefix}/${stem}" COMMAND ${target} LABELS unit)
  endforeach()
endfunction()
