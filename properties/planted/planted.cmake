# planted_heap(<name> <mutants/x.cmake> <out_dir_var>): one planted bug's allocator. At build
# time mutate.cmake copies allocator/src and allocator/include into
# ${CMAKE_CURRENT_BINARY_DIR}/<name> and applies the mutant's replacement; the copy builds the
# static library planted_<name>_heap (its include directory comes first for whatever links it).
# The target planted_<name>_sources owns the copy: anything else compiled against the copied
# headers must depend on it. Used by the property suites' mutants (CMakeLists.txt here) and by
# the fuzzers' (properties/fuzz/), each in its own build tree. The library is EXCLUDE_FROM_ALL:
# it is built only for what links it (the planted tests' fixture, the fuzzers' alligator_fuzz_all).
set(planted_mechanism_dir "${CMAKE_CURRENT_LIST_DIR}")
include("${planted_mechanism_dir}/failure_kinds.cmake")
include("${planted_mechanism_dir}/changes.cmake")

# planted_read_mutant(<mutants/x.cmake>): the mutant's MUTANT_* variables, none left over from
# the mutant read before, checked: MUTANT_SUITE, its changes (MUTANT_FILE, MUTANT_ORIGINAL,
# MUTANT_REPLACEMENT, then _2, ...: changes.cmake), MUTANT_EXPECT (a kind of failure_kinds.cmake)
# and, for a structural mutant
# (one that breaks the heap's bookkeeping, not the bytes it hands out), MUTANT_EXPECT_NO_VALIDATE:
# the kind that catches it with validate() switched off, or none when nothing else can (a gap
# the file must explain). A mutant only validate() catches must set it. Sets MUTANT_IN_HEADERS
# when a change is in allocator/include (whatever checks the copy must then see its headers).
macro(planted_read_mutant mutant)
  get_cmake_property(planted_variables VARIABLES)
  foreach(planted_variable IN LISTS planted_variables)
    if(planted_variable MATCHES "^MUTANT_")
      unset(${planted_variable})
    endif()
  endforeach()
  include("${mutant}")
  foreach(planted_variable MUTANT_SUITE MUTANT_EXPECT)
    if(NOT DEFINED ${planted_variable})
      message(FATAL_ERROR "${mutant}: sets no ${planted_variable}")
    endif()
  endforeach()
  planted_changes("${mutant}" planted_changes)
  set(MUTANT_IN_HEADERS FALSE)
  foreach(planted_index IN LISTS planted_changes)
    planted_change_suffix(${planted_index} planted_suffix)
    if(MUTANT_FILE${planted_suffix} MATCHES "^include/")
      set(MUTANT_IN_HEADERS TRUE)
    endif()
  endforeach()
  if(NOT MUTANT_EXPECT IN_LIST planted_kind_names)
    message(FATAL_ERROR "${mutant}: MUTANT_EXPECT '${MUTANT_EXPECT}' is none of the kinds of "
                        "failure_kinds.cmake: ${planted_kind_names}")
  endif()
  if(MUTANT_EXPECT STREQUAL "validate" AND NOT DEFINED MUTANT_EXPECT_NO_VALIDATE)
    message(FATAL_ERROR "${mutant}: caught by validate(), so it must say what catches it without "
                        "(MUTANT_EXPECT_NO_VALIDATE)")
  endif()
  if(DEFINED MUTANT_EXPECT_NO_VALIDATE AND NOT MUTANT_EXPECT_NO_VALIDATE STREQUAL "none" AND
     (MUTANT_EXPECT_NO_VALIDATE STREQUAL "validate" OR
      NOT MUTANT_EXPECT_NO_VALIDATE IN_LIST planted_kind_names))
    message(FATAL_ERROR "${mutant}: MUTANT_EXPECT_NO_VALIDATE '${MUTANT_EXPECT_NO_VALIDATE}' must "
                        "be none or a kind of failure_kinds.cmake other than validate")
  endif()
endmacro()

# planted_checker_flags(<objects>): what a checker object library compiled outside
# alligator_properties_core needs: the properties', shim's and model's headers, C++20, the
# calling directory's ALLIGATOR_CHECKER_FLAGS and the project's warnings. Not the allocator's
# headers: a library that needs them adds the ones it checks.
function(planted_checker_flags objects)
  set(properties_dir "${PROJECT_SOURCE_DIR}/properties")
  target_include_directories(${objects} PRIVATE "${properties_dir}/include" "${properties_dir}/src"
    $<TARGET_PROPERTY:alligator_shim,INTERFACE_INCLUDE_DIRECTORIES>
    $<TARGET_PROPERTY:alligator_model,INTERFACE_INCLUDE_DIRECTORIES>)
  target_compile_features(${objects} PRIVATE cxx_std_20)
  target_compile_options(${objects} PRIVATE ${ALLIGATOR_CHECKER_FLAGS})
  target_link_libraries(${objects} PRIVATE alligator_build_flags)
endfunction()

function(planted_heap name mutant out_dir_var)
  set(allocator_dir "${PROJECT_SOURCE_DIR}/allocator")
  file(GLOB_RECURSE allocator_files CONFIGURE_DEPENDS
       "${allocator_dir}/src/*" "${allocator_dir}/include/*")
  get_target_property(allocator_sources alligator_core SOURCES)  # src/heap_core.cpp ...
  set(dir "${CMAKE_CURRENT_BINARY_DIR}/${name}")

  set(copies ${allocator_files})
  list(TRANSFORM copies REPLACE "^${allocator_dir}/" "${dir}/")
  add_custom_command(
    OUTPUT ${copies}
    COMMAND "${CMAKE_COMMAND}" "-DALLOCATOR_DIR=${allocator_dir}" "-DOUTPUT_DIR=${dir}"
            "-DMUTANT=${mutant}" -P "${planted_mechanism_dir}/mutate.cmake"
    DEPENDS ${allocator_files} "${mutant}" "${planted_mechanism_dir}/mutate.cmake"
            "${planted_mechanism_dir}/changes.cmake"
    COMMENT "Planting ${name} in a copy of the allocator"
    VERBATIM)
  # The copy's one owner (with Makefiles, targets sharing a custom command could run it twice
  # at once); everything compiled against the copy depends on it.
  add_custom_target(planted_${name}_sources DEPENDS ${copies})

  set(heap_sources ${allocator_sources})
  list(TRANSFORM heap_sources PREPEND "${dir}/")
  add_library(planted_${name}_heap STATIC EXCLUDE_FROM_ALL ${heap_sources})
  # One unity file: a mutant's allocator proves what the checks catch, not how it is compiled,
  # and the copies (seven a tree) are most of what the planted tests build.
  set_target_properties(planted_${name}_heap PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 0)
  target_include_directories(planted_${name}_heap BEFORE PUBLIC "${dir}/include")
  target_link_libraries(planted_${name}_heap PUBLIC alligator_shim PRIVATE alligator_build_flags)
  add_dependencies(planted_${name}_heap planted_${name}_sources)
  set(${out_dir_var} "${dir}" PARENT_SCOPE)
endfunction()
