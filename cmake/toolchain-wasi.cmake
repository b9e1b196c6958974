# wasm32-wasi without Emscripten, the seed's original target: Debian's clang-14 and wasm-ld-14
# with wasi-libc and libc++/libc++abi for wasm32 (packages wasi-libc, libc++-14-dev-wasm32,
# libc++abi-14-dev-wasm32, libclang-rt-14-dev-wasm32), all under --sysroot=/usr. That libc++ is
# built without exceptions, so everything compiles with -fno-exceptions. Programs are .wasm
# modules run by Node's node:wasi through cmake/run-wasi.mjs.
set(CMAKE_SYSTEM_NAME WASI)   # cmake/Platform/WASI.cmake
set(CMAKE_SYSTEM_VERSION 1)
set(CMAKE_SYSTEM_PROCESSOR wasm32)
list(APPEND CMAKE_MODULE_PATH "${CMAKE_CURRENT_LIST_DIR}")

set(CMAKE_C_COMPILER clang-14)
set(CMAKE_CXX_COMPILER clang++-14)
set(CMAKE_C_COMPILER_TARGET wasm32-wasi)
set(CMAKE_CXX_COMPILER_TARGET wasm32-wasi)
set(CMAKE_AR llvm-ar-14 CACHE FILEPATH "")          # GNU ar cannot index wasm objects
set(CMAKE_RANLIB llvm-ranlib-14 CACHE FILEPATH "")
set(CMAKE_SYSROOT /usr)
set(CMAKE_LIBRARY_ARCHITECTURE wasm32-wasi)
set(CMAKE_CXX_FLAGS_INIT -fno-exceptions)
# wasm-ld's default stack is 64 KiB; give programs 1 MiB. Memory grows on demand up to 4 GiB.
set(CMAKE_EXE_LINKER_FLAGS_INIT -Wl,-z,stack-size=1048576)

# Only wasm32-wasi's own headers and libraries, never the host's under the same /usr.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# ctest runs wasm programs through Node's WASI.
find_program(ALLIGATOR_NODE node REQUIRED NO_CMAKE_FIND_ROOT_PATH)
set(CMAKE_CROSSCOMPILING_EMULATOR "${ALLIGATOR_NODE};${CMAKE_CURRENT_LIST_DIR}/run-wasi.mjs")
