# `cmake --install <build dir> [--prefix <dir>]`: liballigator.a, liballigator_new_delete.a, the
# public headers and a CMake package, so another project can do
#
#   find_package(alligator 0.1 REQUIRED)
#   target_link_libraries(app PRIVATE alligator::alligator)    # malloc family (+ sbrk on Emscripten)
#   target_link_libraries(app PRIVATE alligator::new_delete)   # also operator new/delete
#
# The package is written by hand (cmake/alligatorConfig.cmake.in) rather than exported: the
# archives are self-contained (core, shim and C API objects in each), so the imported targets
# need only the archive, the headers, C++20 and, on Emscripten, -sMALLOC=none, which
# alligator::alligator adds to every link that uses it. An Emscripten build's default prefix is
# Emscripten's sysroot, where find_package needs no hints.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(ALLIGATOR_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/alligator")

install(TARGETS alligator alligator_new_delete
        ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}")
# The public headers: alligator/*.h*, alligator/detail/ and the shim headers they include.
install(DIRECTORY "${PROJECT_SOURCE_DIR}/allocator/include/alligator"
                  "${PROJECT_SOURCE_DIR}/shim/include/alligator"
        DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}"
        FILES_MATCHING PATTERN "*.h" PATTERN "*.hpp")

# Values the package template records about this build.
set(ALLIGATOR_PACKAGE_SYSTEM_NAME "${CMAKE_SYSTEM_NAME}")
set(ALLIGATOR_PACKAGE_LIBRARY
    "${CMAKE_STATIC_LIBRARY_PREFIX}alligator${CMAKE_STATIC_LIBRARY_SUFFIX}")
set(ALLIGATOR_PACKAGE_NEW_DELETE_LIBRARY
    "${CMAKE_STATIC_LIBRARY_PREFIX}alligator_new_delete${CMAKE_STATIC_LIBRARY_SUFFIX}")
get_target_property(ALLIGATOR_PACKAGE_LINK_OPTIONS alligator INTERFACE_LINK_OPTIONS)
if(NOT ALLIGATOR_PACKAGE_LINK_OPTIONS)
  set(ALLIGATOR_PACKAGE_LINK_OPTIONS "")
endif()

configure_package_config_file(
  "${CMAKE_CURRENT_LIST_DIR}/alligatorConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/package/alligatorConfig.cmake"
  INSTALL_DESTINATION "${ALLIGATOR_INSTALL_CMAKEDIR}"
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR CMAKE_INSTALL_LIBDIR)
# 0.x: a minor version may break the interface.
write_basic_package_version_file(
  "${PROJECT_BINARY_DIR}/package/alligatorConfigVersion.cmake"
  COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/package/alligatorConfig.cmake"
              "${PROJECT_BINARY_DIR}/package/alligatorConfigVersion.cmake"
        DESTINATION "${ALLIGATOR_INSTALL_CMAKEDIR}")
