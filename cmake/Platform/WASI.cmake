# CMake 3.25 has no WASI platform: cmake/toolchain-wasi.cmake sets CMAKE_SYSTEM_NAME to WASI and
# puts this folder on CMAKE_MODULE_PATH, so CMake finds this file. Programs are static .wasm
# modules; there are no shared libraries.
set(WASI 1)
set_property(GLOBAL PROPERTY TARGET_SUPPORTS_SHARED_LIBS FALSE)
set(CMAKE_EXECUTABLE_SUFFIX .wasm)
set(CMAKE_STATIC_LIBRARY_PREFIX lib)
set(CMAKE_STATIC_LIBRARY_SUFFIX .a)
